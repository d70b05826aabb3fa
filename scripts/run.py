"""The light process set of ``make run``: web, worker and beat on one machine, in as little
memory as they fit (the production topology is the Procfile; docs/performance.md has the
figures of both).

    HOST=127.0.0.1 PORT=8000 WEB_THREADS=4 python scripts/run.py

This process loads Django, every URL, view and task once, then forks:

- **web**: gunicorn, one worker process with ``WEB_THREADS`` threads (default 4);
- **worker**: a Celery worker with the solo pool (tasks run one at a time in the worker
  process itself), beat in a thread of it (``--beat-thread``) and freed memory handed back
  after each task (``--trim-memory``), both in ``config/celery.py``; on the broker of the
  settings (embedded by default). The solo pool enforces no task time limit.

The children share the pages loaded here until they write to them, so the code of Django
and the project is in memory once, not once a process. This process then only supervises:
SIGINT or SIGTERM stops both children; when one exits, the other is stopped and this
process exits with the status of the first. A worker that a task left holding more than
``WORKER_RECYCLE_MB`` (default 60) of memory of its own (a certificate's CJK font takes
about a hundred) stops after that task and a fresh one is forked in its place.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


RECYCLE = 75  # the worker's exit status when it asks to be started afresh
RECYCLE_MB = int(os.environ.get("WORKER_RECYCLE_MB", "60"))


def _name(title: str) -> None:
    """The process's name in ps and top (/proc/<pid>/comm), so the children are told apart."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(15, title.encode()[:15], 0, 0, 0)  # PR_SET_NAME


def _private_mb() -> float:
    """Memory of this process not shared with another (what a fresh fork would not cost)."""
    kib = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                kib += int(line.split()[1])
    return kib / 1024


def _web(application: Any) -> None:
    from gunicorn.app.base import BaseApplication

    class Web(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
                "workers": 1,
                "threads": int(os.environ.get("WEB_THREADS", "4")),
                "timeout": 30,
                "graceful_timeout": 10,
                "accesslog": "-",
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                "proc_name": "anquan-web",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Web().run()


def _worker() -> None:
    from celery.signals import task_postrun

    from config.celery import app

    recycle = False

    def after_task(**kwargs: object) -> None:
        # A task that left much memory behind (a certificate's CJK font): stop after it
        # (warm shutdown, its message acknowledged) and have a fresh copy forked, which
        # shares this process's loaded pages again.
        nonlocal recycle
        if not recycle and _private_mb() > RECYCLE_MB:
            recycle = True
            print(f"run: worker holds {_private_mb():.0f} MB of its own; restarting it", flush=True)
            os.kill(os.getpid(), signal.SIGTERM)

    task_postrun.connect(after_task, weak=False)
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--beat-thread",
            "--trim-memory",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )
    if recycle:
        raise SystemExit(RECYCLE)


def _start(title: str, run: Any, *args: Any) -> int:
    pid = os.fork()
    if pid:
        return pid
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    _name(title)
    try:
        run(*args)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # the child reports and ends, whatever happened
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.db import connections
    from django.urls import get_resolver

    from config.celery import app
    from config.wsgi import application

    get_resolver().url_patterns  # noqa: B018 - imports every view now, shared by the fork
    app.loader.import_default_modules()
    connections.close_all()  # no connection crosses a fork
    gc.freeze()  # what is loaded stays out of the collector: its pages stay shared

    children = {_start("anquan-web", _web, application): "web"}
    children[_start("anquan-worker", _worker)] = "worker"
    _name("anquan-run")

    stopping = False

    def stop(number: int = signal.SIGTERM, frame: object = None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        pid, status = os.wait()
        first = os.waitstatus_to_exitcode(status)
        name = children.pop(pid)
        if name == "worker" and first == RECYCLE and not stopping:
            children[_start("anquan-worker", _worker)] = "worker"
            continue
        break
    print(f"run: {name} exited ({first}); stopping the rest", file=sys.stderr)
    stop()
    for pid in children:
        os.waitpid(pid, 0)
    return first


if __name__ == "__main__":
    sys.exit(main())
