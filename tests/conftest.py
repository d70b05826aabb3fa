"""Shared fixtures: real processes (Celery worker, Procfile), the collected static files.

The suite runs twice (see the Makefile): once on the embedded defaults, once with
DATABASE_URL and REDIS_URL pointing at servers that scripts/services.py started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
USING_SERVICES = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test that needs the servers must never pass by being skipped: fail loudly instead.
    if USING_SERVICES:
        return
    needing = [item.nodeid for item in items if item.get_closest_marker("services")]
    if needing:
        raise pytest.UsageError(
            "These tests need PostgreSQL and Redis; run them through scripts/services.py "
            "(make test) or deselect them with -m 'not services': " + ", ".join(needing[:5])
        )


@pytest.fixture(scope="session", autouse=True)
def _static_files_collected() -> None:
    """Pages render hashed static names, so the manifest must exist (make test builds it)."""
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)


def database_url_of_test_db() -> str:
    """The URL another process needs to reach the database these tests use."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url_of_test_db(),
        PYTHONPATH=str(ROOT),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


def stop_process_group(proc: subprocess.Popen, timeout: float = 20) -> int:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def wait_for_line(log: Path, needle: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if needle in text:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}) before '{needle}':\n{text[-3000:]}")
        time.sleep(0.2)
    raise TimeoutError(f"no '{needle}' within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def clean_broker() -> None:
    """Start the embedded broker empty, so no message of an earlier run is consumed."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        shutil.rmtree(settings.CELERY_BROKER_DIR, ignore_errors=True)
        for key in ("data_folder_in", "control_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None, django_db_blocker: object, clean_broker: None, tmp_path_factory
) -> Iterator[str]:
    """A real ``celery worker`` process on the test database and the configured broker.

    Tests that use it need ``transactional_db`` so their rows are committed and visible.
    Yields the worker's node name."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    node = f"pytest-{os.getpid()}@localhost"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", node],
            cwd=ROOT, env=process_env(), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_line(log, "ready.", proc)
        yield node
    finally:
        stop_process_group(proc)
