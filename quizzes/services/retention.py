"""Retention of transfer checks (docs/privacy.md): a check keeps its subject reference, the
only thing in it a payment platform could tie to a person, for
``RETENTION_CHECK_SUBJECT_DAYS`` after it was created; then the reference is blanked, on
the check and in the webhook events that carried it. Every other column stays, so the
figures, which never read the reference, do not change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from core import clock
from core.models import JobRun
from core.services import job_run_record, retention_batch_pause

from ..models import TransferCheck, WebhookEvent

JOB = "quizzes.check_subjects_purge"


def _cursor() -> datetime | None:
    """Where the last finished run stopped: every check created before it is purged, so a
    run starts there instead of reading the purged rows again through the date index."""
    last = (
        JobRun.objects.filter(job=JOB, outcome=JobRun.Outcome.OK, details__has_key="cursor")
        .order_by("-started_at")
        .first()
    )
    if last is None:
        return None
    return datetime.fromisoformat(str(last.details["cursor"]))


@transaction.atomic
def _purge_batch(ids: list[Any]) -> int:
    changed = (
        TransferCheck.objects.filter(pk__in=ids).exclude(subject_ref="").update(subject_ref="")
    )
    events = list(WebhookEvent.objects.filter(check_ref_id__in=ids).only("id", "payload"))
    for event in events:
        data = event.payload.get("data")
        if isinstance(data, dict) and data.get("subject_ref"):
            data["subject_ref"] = ""
    WebhookEvent.objects.bulk_update(events, ["payload"], batch_size=500)
    return changed


def transfer_check_subjects_purge(
    *, now: datetime | None = None, batch_size: int | None = None
) -> int:
    """Blank the subject reference of every check created more than the retention period
    ago, in batches of ``RETENTION_BATCH_SIZE`` (one short transaction each, so the create
    call never waits behind a long lock). Idempotent; safe to run twice at once (a row is
    blanked once, the second run's update finds nothing). Recorded as a job run whose
    ``details["cursor"]`` lets the next run start where this one ended. Returns the
    number of checks changed."""
    cutoff = (now or clock.now()) - timedelta(days=settings.RETENTION_CHECK_SUBJECT_DAYS)
    size = batch_size or settings.RETENTION_BATCH_SIZE
    start = _cursor()
    total = 0
    with job_run_record(JOB) as run:
        while True:
            rows = TransferCheck.objects.filter(created_at__lt=cutoff)
            if start is not None:
                rows = rows.filter(created_at__gte=start)
            batch = list(
                rows.exclude(subject_ref="")
                .order_by("created_at")
                .values_list("pk", "created_at")[:size]
            )
            if not batch:
                break
            total += _purge_batch([pk for pk, _created in batch])
            start = batch[-1][1]
            if len(batch) < size:
                break
            retention_batch_pause()
        run.rows_changed = total
        # Every check created before the cutoff is purged now (or was by an earlier run).
        run.details = {"cursor": max(cutoff, start or cutoff).isoformat()}
    return total
