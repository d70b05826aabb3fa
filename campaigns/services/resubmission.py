"""A rejected log corrected by its volunteer and sent again: same log, same client UUID,
back in the review queue, its history kept in the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import AuditAction
from core.services import audit_log_record
from regions.models import Level, Region

from ..models import AUDIENCES, Flag, SessionLog, SessionPhoto, Status
from .errors import (
    GpsWithoutConsent,
    NotACounty,
    NotInCampaign,
    NotYourSessionLog,
    SessionLogNotEditable,
)
from .session_logs import (
    SessionInput,
    _flag_add,
    _same_venue_and_day,
    session_log_flags,
    volunteer_in_campaign,
)

# What a resubmission may change, and what the audit row shows before and after.
EDITABLE = (
    "campaign_id",
    "county_id",
    "held_on",
    "venue_type",
    "venue_name",
    *(f"attendees_{a}" for a in AUDIENCES),
    "attendees_total",
    "topics",
    "notes",
    "gps_consent",
    "latitude",
    "longitude",
)


def _values(log: SessionLog) -> dict[str, str]:
    return {name: str(getattr(log, name)) for name in EDITABLE}


@transaction.atomic
def session_log_resubmit(
    *,
    volunteer: User,
    revision: uuid.UUID,
    data: SessionInput,
    remove_photos: Iterable[str] = (),
) -> tuple[SessionLog, bool]:
    """Correct a rejected log and send it back for review. The log keeps its client UUID,
    its photos (but those named in ``remove_photos``, by client photo id) and its history:
    it becomes pending again, and an audit row records what changed, before and after.

    Idempotent on ``revision`` (made by the phone for each edit): sending the same edit
    again returns the log unchanged and ``changed`` False, so a queued resubmission that is
    sent twice counts once. Atomic; the log's row is locked while it changes.

    Raises NotYourSessionLog (also for an unknown UUID), SessionLogNotEditable (the log is
    not rejected), GpsWithoutConsent, NotInCampaign or NotACounty."""
    if (data.latitude is not None or data.longitude is not None) and not data.gps_consent:
        raise GpsWithoutConsent
    log = (
        SessionLog.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .filter(client_uuid=data.client_uuid, volunteer=volunteer)
        .first()
    )
    if log is None:
        raise NotYourSessionLog
    if log.revision_uuid == revision:
        return log, False
    if log.status != Status.REJECTED:
        raise SessionLogNotEditable(log.status)
    if not volunteer_in_campaign(volunteer=volunteer, campaign_id=data.campaign_id):
        raise NotInCampaign
    county = Region.objects.filter(code=data.county_code, level=Level.COUNTY).first()
    if county is None:
        raise NotACounty(data.county_code)
    before = _values(log)
    counts = {f"attendees_{a}": int(data.attendees.get(a, 0) or 0) for a in AUDIENCES}
    log.campaign_id = data.campaign_id
    log.county = county
    log.held_on = data.held_on
    log.venue_type = data.venue_type
    log.venue_name = data.venue_name.strip()
    log.topics = data.topics.strip()
    log.notes = data.notes.strip()
    log.gps_consent = data.gps_consent
    log.latitude = data.latitude if data.gps_consent else None
    log.longitude = data.longitude if data.gps_consent else None
    for name, value in counts.items():
        setattr(log, name, value)
    log.attendees_total = sum(counts.values())
    removed = _photos_remove(log, remove_photos)
    # Dates are judged against the day the log was first received, as they were then.
    log.flags = session_log_flags(log, today=timezone.localdate(log.created_at))
    if _photo_used_elsewhere(log):
        log.flags.append(Flag.DUPLICATE_PHOTO)
    log.status = Status.PENDING
    log.revision_uuid = revision
    log.resubmitted_at = timezone.now()
    log.save()
    twins = _same_venue_and_day(log)
    if twins:
        _flag_add(log, Flag.SAME_VENUE_AND_DAY)
        for twin in twins:
            _flag_add(twin, Flag.SAME_VENUE_AND_DAY)
    after = _values(log)
    changed = [name for name in EDITABLE if before[name] != after[name]]
    audit_log_record(
        actor=volunteer,
        action=AuditAction.SESSION_LOG_RESUBMITTED,
        target=log,
        data={"revision": str(revision), "photos_removed": removed, "rejection": log.review_note},
        before={"status": Status.REJECTED, **{name: before[name] for name in changed}},
        after={"status": Status.PENDING, **{name: after[name] for name in changed}},
    )
    return log, True


def _photos_remove(log: SessionLog, client_photo_ids: Iterable[str]) -> list[str]:
    """Delete the named photos of the log; their files go once the change commits."""
    photos = list(SessionPhoto.objects.filter(log=log, client_photo_id__in=list(client_photo_ids)))
    files = [(f.storage, f.name) for p in photos for f in (p.upload, p.image, p.thumbnail) if f]
    SessionPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()

    def drop() -> None:
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(drop)
    return sorted(p.client_photo_id for p in photos)


def _photo_used_elsewhere(log: SessionLog) -> bool:
    hashes = SessionPhoto.objects.filter(log=log).values("content_hash")
    return SessionPhoto.objects.filter(content_hash__in=hashes).exclude(log_id=log.pk).exists()
