"""Writes of the platform core: audit entries, worker pings, housekeeping."""

from __future__ import annotations

import logging
import socket
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone

from core import clock

from .audit import AuditAction
from .models import AuditLog, JobRun, WorkerPing

logger = logging.getLogger(__name__)


def audit_log_record(
    *,
    actor: Any | None,
    action: AuditAction,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Record a security-relevant action. Call it inside the action's own transaction so the
    entry exists if and only if the action happened. ``before`` and ``after`` hold the
    values of what changed (never a secret's value). The action must be an ``AuditAction``:
    a plain string is refused, so the log holds only the enumeration's values."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit action {action!r} is not an AuditAction")
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        before=before,
        after=after,
    )


@transaction.atomic
def worker_ping_request() -> WorkerPing:
    """Create a ping and enqueue its answer after commit. Safe to call with the broker down:
    the ping stays unanswered and ``check_worker`` reports it."""
    from .tasks import worker_ping_answer

    ping = WorkerPing.objects.create()
    transaction.on_commit(lambda: worker_ping_answer.delay(str(ping.pk)))
    return ping


def worker_ping_answer(*, ping_id: str, worker: str | None = None) -> bool:
    """Mark a ping answered by ``worker`` (a Celery node name). Idempotent: a second
    delivery changes nothing."""
    updated = WorkerPing.objects.filter(pk=ping_id, answered_at__isnull=True).update(
        answered_at=timezone.now(), worker=(worker or socket.gethostname())[:255]
    )
    return updated == 1


def housekeeping_run(*, now: Any | None = None) -> dict[str, int]:
    """Delete expired sessions and pings older than a week. Idempotent."""
    now = now or clock.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    pings, _ = WorkerPing.objects.filter(requested_at__lt=now - timedelta(days=7)).delete()
    return {"sessions": sessions, "worker_pings": pings}


@contextmanager
def job_run_record(job: str) -> Iterator[JobRun]:
    """Record one run of ``job``: started, finished, duration, outcome; on an exception the
    error with its traceback is kept (and the exception raised again for the retry)."""
    run = JobRun.objects.create(job=job)
    started = time.monotonic()
    try:
        yield run
    except Exception as exc:
        run.outcome = JobRun.Outcome.FAILED
        run.error = "".join(traceback.format_exception(exc))[-4000:]
        logger.exception("job %s failed", job, extra={"job": job, "job_run": run.pk})
        raise
    finally:
        run.finished_at = timezone.now()
        run.duration_ms = round((time.monotonic() - started) * 1000)
        if run.outcome == JobRun.Outcome.RUNNING:
            run.outcome = JobRun.Outcome.OK
        run.save()


def retention_batch_pause() -> None:
    """Wait ``RETENTION_BATCH_PAUSE_MS`` between two batches of a retention job, so that it
    takes only part of the database from the requests running beside it."""
    from django.conf import settings

    if settings.RETENTION_BATCH_PAUSE_MS > 0:
        time.sleep(settings.RETENTION_BATCH_PAUSE_MS / 1000)


def audit_personal_values_erase(
    *, values: Iterable[str], target: models.Model, fields: Iterable[str], replacement: str
) -> int:
    """Take a person's identifying values out of the audit log when they are erased, so the
    log, kept longer than anything personal, keeps who did what (pointing at the anonymous
    account by key) without their name. Two passes: in the rows about ``target``, the values
    of ``fields`` (its user name, say, from an admin edit) are dropped and their names kept
    in ``data["personal_changed"]``; in every row, a JSON string equal to one of ``values``
    (the user name in someone else's list, a lockout's user name) becomes ``replacement``.
    Returns the number of rows changed. Rows already archived (docs/privacy.md) are files and
    are not rewritten."""
    import json

    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    wanted = {value for value in values if value}
    names = set(fields)

    def replaced(node: Any) -> Any:
        if isinstance(node, str):
            return replacement if node in wanted else node
        if isinstance(node, list):
            return [replaced(item) for item in node]
        if isinstance(node, dict):
            return {key: replaced(item) for key, item in node.items()}
        return node

    changed: dict[int, AuditLog] = {}
    about = AuditLog.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
    for row in about:
        dropped = sorted(
            name for part in (row.before, row.after) if part for name in names if name in part
        )
        if not dropped:
            continue
        for part in (row.before, row.after):
            for name in names:
                if part:
                    part.pop(name, None)
        row.data = {
            **row.data,
            "personal_changed": sorted({*row.data.get("personal_changed", []), *dropped}),
        }
        changed[row.pk] = row
    if wanted:
        # JSON text holds a string as written (PostgreSQL) or \\u-escaped (SQLite): look for
        # both, quotes included, then compare whole values in Python.
        needles = {
            form
            for value in wanted
            for form in (json.dumps(value), json.dumps(value, ensure_ascii=False))
        }
        texts = AuditLog.objects.annotate(
            before_text=Cast("before", TextField()),
            after_text=Cast("after", TextField()),
            data_text=Cast("data", TextField()),
        )
        match = Q()
        for needle in needles:
            match |= (
                Q(before_text__contains=needle)
                | Q(after_text__contains=needle)
                | Q(data_text__contains=needle)
            )
        for row in texts.filter(match):
            row = changed.get(row.pk, row)
            before, after, data = replaced(row.before), replaced(row.after), replaced(row.data)
            if (before, after, data) != (row.before, row.after, row.data):
                row.before, row.after, row.data = before, after, data
                changed[row.pk] = row
    AuditLog.objects.bulk_update(
        list(changed.values()), ["before", "after", "data"], batch_size=500
    )
    return len(changed)
