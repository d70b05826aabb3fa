"""Retention of the audit log (docs/privacy.md): rows are kept in the table at least
``AUDIT_LOG_MIN_DAYS`` (180, and longer if ``RETENTION_AUDIT_LOG_DAYS`` says so), then
written, batch by batch, to JSON-lines files in the private storage
(``audit-archive/<day>/<first id>-<last id>.jsonl``) and deleted from the table. Each batch
archived is itself audited (``audit_log.archived``: the file and the number of rows)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from . import clock
from .audit import AuditAction
from .checks import AUDIT_LOG_MIN_DAYS
from .models import AuditLog
from .services import audit_log_record, job_run_record, retention_batch_pause
from .storage import private_storage

JOB = "core.audit_log_archive"


def audit_log_keep_days() -> int:
    return max(AUDIT_LOG_MIN_DAYS, int(settings.RETENTION_AUDIT_LOG_DAYS))


def _line(row: AuditLog) -> str:
    return json.dumps(
        {
            "id": row.pk,
            "created_at": row.created_at,
            "actor_id": row.actor_id,
            "action": row.action,
            "target_type": row.target_type,
            "target_id": row.target_id,
            "data": row.data,
            "before": row.before,
            "after": row.after,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )


def _archive_batch(cutoff: datetime, size: int, day: str) -> int:
    rows = list(AuditLog.objects.filter(created_at__lt=cutoff).order_by("id")[:size])
    if not rows:
        return 0
    body = "\n".join(_line(row) for row in rows) + "\n"
    name = private_storage().save(
        f"audit-archive/{day}/{rows[0].pk}-{rows[-1].pk}.jsonl", ContentFile(body.encode())
    )
    # The file is written before the rows go: a failure in between leaves them in the table
    # (archived twice at worst), never lost.
    with transaction.atomic():
        AuditLog.objects.filter(pk__in=[row.pk for row in rows]).delete()
        audit_log_record(
            actor=None,
            action=AuditAction.AUDIT_LOG_ARCHIVED,
            data={"file": name, "rows": len(rows), "before": cutoff.isoformat()},
        )
    return len(rows)


def audit_log_archive(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Archive and delete the audit rows older than the retention period, in batches.
    Idempotent: a row is in the table or in an archive file. Returns the rows archived."""
    moment = now or clock.now()
    cutoff = moment - timedelta(days=audit_log_keep_days())
    size = batch_size or settings.RETENTION_BATCH_SIZE
    total = 0
    with job_run_record(JOB) as run:
        while True:
            archived = _archive_batch(cutoff, size, moment.date().isoformat())
            total += archived
            if archived < size:
                break
            retention_batch_pause()
        run.rows_changed = total
        run.details = {"before": cutoff.isoformat()}
    return total
