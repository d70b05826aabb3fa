"""The Procfile's three process types, started together by honcho as ``make run`` does."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.services import worker_ping_request
from tests.conftest import process_env, start_logged, stop_process_group, wait_for_line
from tests.core.test_celery import wait_until_answered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"honcho exited early:\n{log.read_text()[-3000:]}")
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered:\n{log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_procfile_runs_web_worker_and_beat_and_sigterm_stops_them_all(tmp_path, clean_broker):
    port = free_port()
    log = tmp_path / "honcho.log"
    env = process_env(WEB_CONCURRENCY="1", CELERY_CONCURRENCY="1", LOG_FORMAT="json")
    honcho = str(Path(sys.executable).parent / "honcho")
    proc = start_logged([honcho, "-f", "Procfile", "start", "-p", str(port)], log, env)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", proc, log)
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200, body
        status, home = get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "一堂人人都需要的金融必修课" in home.decode()

        ping = wait_until_answered(worker_ping_request(), timeout=60)
        assert ping.worker.startswith("celery@")
        wait_for_line(log, "beat: Starting...", proc)

        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=40) is not None
        # Every process of the group is gone and the port is free again.
        with pytest.raises(ProcessLookupError):
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                os.killpg(proc.pid, 0)
                time.sleep(0.2)
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0
    finally:
        stop_process_group(proc)
