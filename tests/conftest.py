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
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
USING_SERVICES = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


@pytest.hookimpl(trylast=True)  # after -m has deselected what this run leaves out
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


@pytest.fixture(autouse=True)
def _county_codes_forgotten() -> None:
    """Each test has its own regions: the per-process cache of county codes starts empty."""
    from regions.selectors import county_codes_forget

    county_codes_forget()


@pytest.fixture(autouse=True)
def _question_bank_forgotten() -> None:
    """Each test has its own questions (ids are reused after a rollback): the per-process
    memo of the bank (quizzes/bank_memo.py) starts empty."""
    from quizzes.bank_memo import bank_memo_forget

    bank_memo_forget()


@pytest.fixture(scope="session", autouse=True)
def _static_files_collected() -> None:
    """Pages render hashed static names, so the manifest must exist (make test builds it)."""
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _urls_loaded() -> None:
    """The URL configuration is read once, with the settings the run starts with, not with
    whichever storage the first test to make a request happened to set (config/urls.py
    mounts /media/ only for media on this host's disk)."""
    import config.urls  # noqa: F401


def database_url_of_test_db() -> str:
    """The URL another process needs to reach the database these tests use."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
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
            raise RuntimeError(
                f"process exited ({proc.returncode}) before '{needle}':\n{text[-3000:]}"
            )
        time.sleep(0.2)
    raise TimeoutError(
        f"no '{needle}' within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}"
    )


@pytest.fixture(scope="session")
def clean_broker() -> None:
    """Start the embedded broker empty, so no message of an earlier run is consumed."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        shutil.rmtree(settings.CELERY_BROKER_DIR, ignore_errors=True)
        for key in ("data_folder_in", "control_folder"):
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)


def start_logged(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start ``args`` in the project's directory, in a process group of its own (so
    ``stop_process_group`` ends it with its children), stdout and stderr into ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_celery_worker(log: Path, node: str, **env: str) -> subprocess.Popen:
    """Start a real ``celery worker`` (solo pool) on the test database and the configured
    broker, logging to ``log``; return once it is ready. ``env`` adds settings."""
    proc = start_logged(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", node],
        log, process_env(**env),
    )  # fmt: skip
    try:
        wait_for_line(log, "ready.", proc)
    except BaseException:
        stop_process_group(proc)
        raise
    return proc


@pytest.fixture(scope="module")
def worker_env() -> dict[str, str]:
    """Settings the module's worker gets on top of the test settings (a module overrides it,
    e.g. to put the worker's files in the object store)."""
    return {}


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None,
    django_db_blocker: object,
    clean_broker: None,
    tmp_path_factory,
    worker_env: dict[str, str],
) -> Iterator[str]:
    """A real ``celery worker`` process on the test database and the configured broker.

    Tests that use it need ``transactional_db`` so their rows are committed and visible.
    Yields the worker's node name."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    node = f"pytest-{os.getpid()}@localhost"
    proc = start_celery_worker(log, node, **worker_env)
    try:
        yield node
    finally:
        stop_process_group(proc)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def web_server(django_db_setup: None, django_db_blocker: object, tmp_path_factory) -> Iterator[str]:
    """The production web server (gunicorn, as in the Procfile) on the test database.

    Unlike Django's live server it serves static files exactly as production does
    (WhiteNoise, hashed and compressed). Tests need ``transactional_db``. Yields the base URL."""
    import urllib.request

    port = free_port()
    log = tmp_path_factory.mktemp("web") / "gunicorn.log"
    proc = start_logged(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--access-logfile", "-"],
        log, process_env(),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError as error:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not start:\n{log.read_text()[-3000:]}"
                    ) from error
                time.sleep(0.2)
        yield url
    finally:
        stop_process_group(proc)


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
RESULTS = ROOT / "test-results"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A real headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A fresh phone-sized browser context (no cookies) and its page."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


class Clock:
    """The test's handle on core.clock: stop the time at a moment, then move it forward."""

    def set(self, moment: datetime) -> datetime:
        from core import clock

        clock.freeze(moment)
        return moment

    def advance(self, **delta: float) -> datetime:
        from core import clock

        clock.advance(timedelta(**delta))
        return clock.now()

    def now(self) -> datetime:
        from core import clock

        return clock.now()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Set the time services and the rate limiter see (core.clock); real again afterwards."""
    from core import clock as core_clock

    yield Clock()
    core_clock.reset()
