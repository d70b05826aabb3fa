"""Audit of private files opened by someone other than their owner."""

from __future__ import annotations

from typing import Literal

from django.db import transaction

from accounts.models import User
from core.audit import AuditAction
from core.models import AuditLog
from core.services import audit_log_record

from ..models import Export, SessionPhoto


@transaction.atomic
def session_photo_view_record(
    *, photo: SessionPhoto, viewer: User, kind: Literal["image", "thumbnail"], access: str
) -> None:
    """Audit that a coordinator or staff member (not the volunteer who took it) was served a
    session photo. The full image is recorded every time it is opened; a thumbnail once per
    viewer and photo, since the review queue shows them by the dozen on every visit and the
    first grant is what matters. Call it only once access was granted."""
    if (
        kind == "thumbnail"
        and AuditLog.objects.filter(
            target_type=SessionPhoto._meta.label_lower,
            target_id=str(photo.pk),
            action=AuditAction.SESSION_PHOTO_VIEWED,
            actor=viewer,
            data__file="thumbnail",
        ).exists()
    ):
        return
    audit_log_record(
        actor=viewer,
        action=AuditAction.SESSION_PHOTO_VIEWED,
        target=photo,
        data={"file": kind, "as": access, "log": photo.log_id, "volunteer": photo.log.volunteer_id},
    )


@transaction.atomic
def export_download_record(*, export: Export, by: User, access: str) -> None:
    """Audit every download of an export (its rows name volunteers), by whoever it was."""
    audit_log_record(
        actor=by,
        action=AuditAction.EXPORT_DOWNLOADED,
        target=export,
        data={"campaign": export.campaign_id, "kind": export.kind, "as": access},
    )
