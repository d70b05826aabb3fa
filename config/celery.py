"""The Celery app: settings from Django (``CELERY_*``), tasks discovered in every app."""

import contextlib
import ctypes
import gc
import os
from typing import Any

import click
from celery import Celery, bootsteps
from celery.signals import task_postrun

# A server process never falls back to the dev profile (its secret key is public): without
# an explicit DJANGO_SETTINGS_MODULE it is production, which refuses to start unconfigured.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("anquan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_filesystem_broker_folders(sender: Celery, **kwargs: object) -> None:
    # The embedded file-system broker needs its folders before the first message.
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)


# Two options for the light process set of `make run` (scripts/run.py), a single worker
# process on one machine:
#   --beat-thread  beat in a thread of this worker, without a process of its own (like -B,
#                  for one worker only; with the solo pool, which forks nothing: a fork of
#                  a process using SQLite from another thread is not safe);
#   --trim-memory  after each task, collect garbage and hand freed heap back to the system,
#                  so one large task (a certificate's CJK font) does not stay in the figure.
app.user_options["worker"].add(
    click.Option(
        ["--beat-thread"],
        is_flag=True,
        default=False,
        help="Run the beat scheduler in a thread of this worker (one worker only).",
    )
)
app.user_options["worker"].add(
    click.Option(
        ["--trim-memory"],
        is_flag=True,
        default=False,
        help="Return freed memory to the system after each task.",
    )
)


class BeatThread(bootsteps.StartStopStep):
    label = "Beat (thread)"

    def __init__(self, parent: Any, beat_thread: bool = False, **options: Any) -> None:
        super().__init__(parent, **options)
        self.enabled = bool(beat_thread)

    def create(self, worker: Any) -> Any:
        from celery.beat import EmbeddedService

        return EmbeddedService(
            worker.app, thread=True, scheduler_cls=worker.app.conf.beat_scheduler
        )


def _trim_memory(**kwargs: object) -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class TrimMemory(bootsteps.Step):
    label = "Trim memory"

    def __init__(self, parent: Any, trim_memory: bool = False, **options: Any) -> None:
        super().__init__(parent, **options)
        if trim_memory:
            task_postrun.connect(_trim_memory, weak=False)


app.steps["worker"].add(BeatThread)
app.steps["worker"].add(TrimMemory)
