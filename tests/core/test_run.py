"""``make run``'s light process set (scripts/run.py): web, worker and beat in one process
tree, stopped together."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from core.models import JobRun
from core.services import worker_ping_request
from tests.conftest import process_env, start_logged, stop_process_group
from tests.core.test_celery import wait_until_answered
from tests.core.test_procfile import free_port, get, wait_for_http


def alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.django_db(transaction=True)
def test_make_run_serves_pages_runs_tasks_and_the_schedule_and_stops_on_sigterm(
    tmp_path, clean_broker
):
    # Given a schedule that runs the reach refresh every second
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="test: refresh", task="reach.refresh", interval=every_second)
    port = free_port()
    log = tmp_path / "run.log"
    proc = start_logged([sys.executable, "scripts/run.py"], log, process_env(PORT=str(port)))
    try:
        # When make run's processes start, then the site answers
        wait_for_http(f"http://127.0.0.1:{port}/healthz", proc, log)
        status, home = get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "一堂人人都需要的金融必修课" in home.decode()
        # the worker answers a ping
        ping = wait_until_answered(worker_ping_request(), timeout=60)
        assert ping.worker.startswith("celery@")
        # and beat sends the scheduled refresh, which the worker runs
        deadline = time.monotonic() + 60
        while not JobRun.objects.filter(job="reach.refresh").exists():
            assert time.monotonic() < deadline, Path(log).read_text()[-3000:]
            time.sleep(0.3)

        # When it gets SIGTERM, every process of the tree ends and the port is free again
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=40) is not None
        deadline = time.monotonic() + 10
        while alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(proc.pid)
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0
    finally:
        stop_process_group(proc)


@pytest.mark.django_db(transaction=True)
def test_make_run_stops_everything_when_the_web_server_dies(tmp_path, clean_broker):
    port = free_port()
    log = tmp_path / "run.log"
    proc = start_logged([sys.executable, "scripts/run.py"], log, process_env(PORT=str(port)))
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", proc, log)
        children = subprocess.run(
            ["ps", "-o", "pid=,comm=", "--ppid", str(proc.pid)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        web = next(int(line.split()[0]) for line in children if "anquan-web" in line)

        os.kill(web, signal.SIGKILL)

        assert proc.wait(timeout=40) != 0
        deadline = time.monotonic() + 10
        while alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(proc.pid), "the worker outlived the web server"
    finally:
        stop_process_group(proc)
