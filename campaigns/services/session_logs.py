"""Volunteers' session logs: the offline sync (idempotent by the log's UUID) and the
flags a reviewer sees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from regions.models import Level, Region

from ..models import (
    AUDIENCES,
    VENUE_USUAL_SIZE,
    Assignment,
    Flag,
    SessionLog,
    VenueType,
)
from .errors import (
    LONG_PAST_DAYS,
    GpsWithoutConsent,
    NotACounty,
    NotInCampaign,
    SessionLogOfAnother,
)


@dataclass(frozen=True)
class SessionInput:
    client_uuid: uuid.UUID
    campaign_id: int
    county_code: str
    held_on: date
    venue_type: str
    venue_name: str
    attendees: dict[str, int]
    topics: str = ""
    notes: str = ""
    gps_consent: bool = False
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _normalise_venue(name: str) -> str:
    return "".join(name.split()).casefold()


def session_log_flags(log: SessionLog, *, today: date | None = None) -> list[str]:
    """The automatic flags of a log, from its own fields and its neighbours (no photos)."""
    today = today or timezone.localdate()
    flags: list[str] = []
    if log.attendees_total > VENUE_USUAL_SIZE.get(VenueType(log.venue_type), 200):
        flags.append(Flag.TOO_MANY_ATTENDEES)
    if log.held_on > today:
        flags.append(Flag.DATE_IN_FUTURE)
    elif log.held_on < today - timedelta(days=LONG_PAST_DAYS):
        flags.append(Flag.DATE_LONG_PAST)
    if not log.campaign.target_counties.filter(code=log.county_id).exists():
        flags.append(Flag.COUNTY_OUTSIDE_CAMPAIGN)
    return flags


def _same_venue_and_day(log: SessionLog) -> list[SessionLog]:
    venue = _normalise_venue(log.venue_name)
    others = SessionLog.objects.filter(
        campaign_id=log.campaign_id, county_id=log.county_id, held_on=log.held_on
    ).exclude(pk=log.pk)
    return [other for other in others if _normalise_venue(other.venue_name) == venue]


def _flag_add(log: SessionLog, flag: str) -> None:
    if flag not in log.flags:
        log.flags = [*log.flags, flag]
        SessionLog.objects.filter(pk=log.pk).update(flags=log.flags)


def volunteer_in_campaign(*, volunteer: User, campaign_id: int) -> bool:
    return Assignment.objects.filter(volunteer=volunteer, team__campaign_id=campaign_id).exists()


def session_log_sync(
    *, volunteer: User, data: SessionInput, received_on: date | None = None
) -> tuple[SessionLog, bool]:
    """Store a log sent by a phone. Idempotent on ``client_uuid``: the first call creates
    the log, every later call (a resend after a lost answer) returns the same row unchanged
    and ``created`` False. Atomic; a volunteer may log only for a campaign they are in.

    ``received_on`` (default today) is the day dates are judged against; an import of
    historic records passes the day each was first received.

    A position is stored only with the volunteer's consent; sent without it, the log is
    refused. Raises GpsWithoutConsent, NotInCampaign, NotACounty or SessionLogOfAnother.
    """
    has_gps = data.latitude is not None or data.longitude is not None
    if has_gps and not data.gps_consent:
        raise GpsWithoutConsent
    existing = SessionLog.objects.filter(client_uuid=data.client_uuid).first()
    if existing is not None:
        return _existing_or_conflict(existing, volunteer)
    if not volunteer_in_campaign(volunteer=volunteer, campaign_id=data.campaign_id):
        raise NotInCampaign
    county = Region.objects.filter(code=data.county_code, level=Level.COUNTY).first()
    if county is None:
        raise NotACounty(data.county_code)
    counts = {f"attendees_{a}": int(data.attendees.get(a, 0) or 0) for a in AUDIENCES}
    log = SessionLog(
        client_uuid=data.client_uuid,
        campaign_id=data.campaign_id,
        volunteer=volunteer,
        county=county,
        held_on=data.held_on,
        venue_type=data.venue_type,
        venue_name=data.venue_name.strip(),
        topics=data.topics.strip(),
        notes=data.notes.strip(),
        gps_consent=data.gps_consent,
        latitude=data.latitude if data.gps_consent else None,
        longitude=data.longitude if data.gps_consent else None,
        attendees_total=sum(counts.values()),
        **counts,
    )
    try:
        with transaction.atomic():
            log.flags = session_log_flags(log, today=received_on)
            log.save()
            twins = _same_venue_and_day(log)
            if twins:
                _flag_add(log, Flag.SAME_VENUE_AND_DAY)
                for twin in twins:
                    _flag_add(twin, Flag.SAME_VENUE_AND_DAY)
    except IntegrityError:
        # Two resends raced; the other one won. Answer with its row.
        existing = SessionLog.objects.filter(client_uuid=data.client_uuid).first()
        if existing is None:
            raise
        return _existing_or_conflict(existing, volunteer)
    return log, True


def _existing_or_conflict(log: SessionLog, volunteer: User) -> tuple[SessionLog, bool]:
    if log.volunteer_id != volunteer.pk:
        raise SessionLogOfAnother
    return log, False
