"""Retention of session photos (docs/privacy.md): a sign-in sheet shows villagers' names and
faces, so every photo of a campaign (the upload, the re-encoded image, the thumbnail, and
its row) goes ``RETENTION_SESSION_PHOTO_DAYS`` after the campaign ends. The logs stay, and
with them every figure (photos count in none)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import clock
from core.services import job_run_record, retention_batch_pause
from core.storage import stored_files_delete_on_commit

from ..models import SessionPhoto

JOB = "campaigns.session_photos_purge"


@transaction.atomic
def _purge_batch(cutoff: date, size: int) -> int:
    photos = list(
        SessionPhoto.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(log__campaign__ends_on__lt=cutoff)
        .only("id", "upload", "image", "thumbnail")
        .order_by("id")[:size]
    )
    stored_files_delete_on_commit(
        *[f for photo in photos for f in (photo.upload, photo.image, photo.thumbnail)]
    )
    SessionPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    return len(photos)


def session_photos_purge(*, today: date | None = None, batch_size: int | None = None) -> int:
    """Delete the photos (files after each batch commits, then rows) of every campaign that
    ended more than the retention period before ``today``, in batches. Idempotent; a second
    run at once skips the rows the first has locked. Returns the number of photos removed."""
    # The campaign's last day is a local date: compare it with the local today, not UTC's.
    day = today or timezone.localdate(clock.now())
    cutoff = day - timedelta(days=settings.RETENTION_SESSION_PHOTO_DAYS)
    size = batch_size or settings.RETENTION_BATCH_SIZE
    total = 0
    with job_run_record(JOB) as run:
        while True:
            removed = _purge_batch(cutoff, size)
            total += removed
            if removed < size:
                break
            retention_batch_pause()
        run.rows_changed = total
        run.details = {"campaigns_ended_before": cutoff.isoformat()}
    return total


@transaction.atomic
def session_photo_erase(*, photo_id: int) -> bool:
    """Delete one photo, row and every file (after commit), at the request of someone it
    shows (docs/privacy.md, "Answering a request"). Returns False if there is no such photo."""
    photo = SessionPhoto.objects.select_for_update().filter(pk=photo_id).first()
    if photo is None:
        return False
    stored_files_delete_on_commit(photo.upload, photo.image, photo.thumbnail)
    photo.delete()
    return True
