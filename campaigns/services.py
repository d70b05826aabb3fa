"""Writes of the campaigns app: one function per use case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.images import (
    ImageRefused,
    image_open_safely,
    image_probe,
    image_reencode,
    image_thumbnail,
    sha256_of,
)
from core.problems import PERMISSION_DENIED, Problem, problem_type
from core.services import audit_log_record
from regions.models import Level, Region

from .models import (
    AUDIENCES,
    PLAN_MATCH_DAYS,
    VENUE_USUAL_SIZE,
    Assignment,
    Campaign,
    Flag,
    PhotoStatus,
    PlannedSession,
    SessionLog,
    SessionPhoto,
    Status,
    Team,
    VenueType,
)

MAX_PHOTOS_PER_LOG = 9
LONG_PAST_DAYS = 60

NOT_IN_CAMPAIGN = problem_type(
    "not-in-campaign",
    _("Not a volunteer of this campaign"),
    403,
    _("Only volunteers assigned to a team of the campaign can log sessions for it."),
)
LOG_OF_ANOTHER = problem_type(
    "session-log-of-another-volunteer",
    _("Session log belongs to someone else"),
    409,
    _("This client_uuid was already used by another volunteer; generate a new UUID."),
)
NOT_A_COUNTY = problem_type(
    "not-a-county",
    _("Not a county"),
    400,
    _("The region code must name a county-level division from the regions list."),
)
PHOTO_REFUSED = problem_type(
    "photo-refused",
    _("Photo refused"),
    422,
    _(
        "The file is not an image we accept: not an image, damaged, an unsupported format, "
        "larger than the size limit or with too many pixels. The log itself is kept."
    ),
)
TOO_MANY_PHOTOS = problem_type(
    "too-many-photos",
    _("Too many photos"),
    422,
    _("A session log takes at most 9 photos."),
)
REVIEW_NOT_ALLOWED = problem_type(
    "review-not-allowed",
    _("Not a coordinator of this campaign"),
    403,
    _("Coordinators review the logs of their own campaigns only."),
)
PLAN_NOT_ALLOWED = problem_type(
    "plan-not-allowed",
    _("Not allowed to plan for this volunteer"),
    403,
    _("Volunteers plan their own sessions; coordinators plan for their campaigns' volunteers."),
)


# --- Campaigns ------------------------------------------------------------------------------


def counties_under(codes: Iterable[str]) -> list[Region]:
    """The counties of the given regions: a province or prefecture stands for all of its
    counties (direct children and children of its prefectures), a county for itself."""
    codes = list(codes)
    return list(
        Region.objects.filter(level=Level.COUNTY).filter(
            Q(code__in=codes) | Q(parent_id__in=codes) | Q(parent__parent_id__in=codes)
        )
    )


@transaction.atomic
def campaign_create(
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    region_codes: Iterable[str] = (),
    goal_sessions: int = 0,
    goal_people: int = 0,
    coordinators: Iterable[User] = (),
    description: str = "",
    by: User | None = None,
) -> Campaign:
    """Create a campaign over the counties of ``region_codes`` (whole provinces or
    prefectures at once). Atomic; audited."""
    campaign = Campaign.objects.create(
        name=name,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        goal_sessions=goal_sessions,
        goal_people=goal_people,
    )
    campaign.target_counties.set(counties_under(region_codes))
    campaign.coordinators.set(list(coordinators))
    audit_log_record(
        actor=by, action="campaign.create", target=campaign, data={"regions": list(region_codes)}
    )
    return campaign


@transaction.atomic
def campaign_counties_add(
    *, campaign: Campaign, region_codes: Iterable[str], by: User | None = None
) -> int:
    """Add the counties under ``region_codes`` to the targets. Returns how many counties the
    campaign targets now. Idempotent; audited."""
    codes = list(region_codes)
    campaign.target_counties.add(*counties_under(codes))
    audit_log_record(
        actor=by, action="campaign.counties_add", target=campaign, data={"regions": codes}
    )
    return campaign.target_counties.count()


@transaction.atomic
def campaign_goals_update(
    *, campaign: Campaign, goal_sessions: int, goal_people: int, by: User | None = None
) -> Campaign:
    """Change a campaign's goals. Atomic; audited with the figures before and after."""
    before = {"sessions": campaign.goal_sessions, "people": campaign.goal_people}
    campaign.goal_sessions, campaign.goal_people = goal_sessions, goal_people
    campaign.save(update_fields=["goal_sessions", "goal_people"])
    audit_log_record(
        actor=by,
        action="campaign.goals_update",
        target=campaign,
        data={"before": before, "after": {"sessions": goal_sessions, "people": goal_people}},
    )
    return campaign


@transaction.atomic
def team_assign(
    *,
    campaign: Campaign,
    team_name: str,
    volunteer: User,
    county: Region | None = None,
    by: User | None = None,
) -> Assignment:
    """Put a volunteer in a team of the campaign (created if missing), defaulting their form
    to ``county``. Idempotent: assigning again updates the county. Audited when ``by`` is
    given (a coordinator's action)."""
    team, _ = Team.objects.get_or_create(campaign=campaign, name=team_name)
    if county is not None:
        team.counties.add(county)
    assignment, _ = Assignment.objects.update_or_create(
        team=team, volunteer=volunteer, defaults={"county": county}
    )
    if by is not None:
        audit_log_record(
            actor=by,
            action="campaign.volunteer_assign",
            target=campaign,
            data={"volunteer": volunteer.pk, "team": team.name, "county": county and county.code},
        )
    return assignment


# --- Session logs ---------------------------------------------------------------------------


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

    Raises Problem ``not-in-campaign``, ``not-a-county`` or ``session-log-of-another-volunteer``.
    """
    existing = SessionLog.objects.filter(client_uuid=data.client_uuid).first()
    if existing is not None:
        return _existing_or_conflict(existing, volunteer)
    if not volunteer_in_campaign(volunteer=volunteer, campaign_id=data.campaign_id):
        raise Problem(NOT_IN_CAMPAIGN)
    county = Region.objects.filter(code=data.county_code, level=Level.COUNTY).first()
    if county is None:
        raise Problem(NOT_A_COUNTY, county=data.county_code)
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
        raise Problem(LOG_OF_ANOTHER)
    return log, False


# --- Photos ---------------------------------------------------------------------------------


def session_photo_attach(
    *, log: SessionLog, volunteer: User, client_photo_id: str, data: bytes, enqueue: bool = True
) -> tuple[SessionPhoto, bool]:
    """Attach a photo to a log and queue its processing. Idempotent per (log, client photo
    id) and per (log, content): a retried or repeated upload returns the first photo.
    Cheap checks (size, format, pixel count) happen here so the phone hears at once; the
    full decode and re-encode run in Celery. Refusing a photo never touches the log.

    ``enqueue=False`` leaves processing to the caller (demo data processes at once).

    Raises Problem ``photo-refused`` (with ``code``) or ``too-many-photos``."""
    if log.volunteer_id != volunteer.pk:
        raise Problem(PERMISSION_DENIED)
    content_hash = sha256_of(data)
    found = log.photos.filter(Q(client_photo_id=client_photo_id) | Q(content_hash=content_hash))
    photo = found.first()
    if photo is not None:
        return photo, False
    try:
        image_probe(data)
    except ImageRefused as refused:
        raise Problem(PHOTO_REFUSED, str(refused.message), code=refused.code) from refused
    if log.photos.count() >= MAX_PHOTOS_PER_LOG:
        raise Problem(TOO_MANY_PHOTOS)
    new = SessionPhoto(log=log, client_photo_id=client_photo_id, content_hash=content_hash)
    try:
        with transaction.atomic():
            new.upload.save("upload", ContentFile(data), save=False)
            new.save()
            if enqueue:
                transaction.on_commit(lambda: _enqueue_photo(new.pk))
    except IntegrityError:
        new.upload.delete(save=False)  # a concurrent retry stored it first
        photo = found.first()
        if photo is None:
            raise
        return photo, False
    return new, True


def _enqueue_photo(photo_id: int) -> None:
    from .tasks import session_photo_process_task

    session_photo_process_task.delay(photo_id)


def session_photo_process(*, photo_id: int) -> SessionPhoto | None:
    """Verify, re-encode without metadata, make a thumbnail, and flag a photo that is also
    in another session. Safe to run twice: a processed photo is left as it is."""
    photo = SessionPhoto.objects.select_related("log").filter(pk=photo_id).first()
    if photo is None or photo.status != PhotoStatus.PROCESSING:
        return photo
    with photo.upload.open("rb") as upload:
        data = upload.read()
    try:
        img = image_open_safely(data)
    except ImageRefused as refused:
        photo.status = PhotoStatus.FAILED
        photo.error = str(refused.message)[:200]
        photo.save(update_fields=["status", "error"])
        _original_drop(photo)
        return photo
    base = f"campaigns/photos/{photo.log.client_uuid}/{photo.content_hash[:16]}"
    image_name = default_storage.save(f"{base}.jpg", ContentFile(image_reencode(img)))
    thumb_name = default_storage.save(f"{base}-thumb.jpg", ContentFile(image_thumbnail(img)))
    with transaction.atomic():
        photo.image, photo.thumbnail = image_name, thumb_name
        photo.width, photo.height = img.size
        photo.status = PhotoStatus.READY
        photo.save(update_fields=["image", "thumbnail", "width", "height", "status"])
        reused = SessionPhoto.objects.filter(content_hash=photo.content_hash).exclude(
            log_id=photo.log_id
        )
        if reused.exists():
            _flag_add(photo.log, Flag.DUPLICATE_PHOTO)
            for other in SessionLog.objects.filter(photos__in=reused).distinct():
                _flag_add(other, Flag.DUPLICATE_PHOTO)
    _original_drop(photo)
    return photo


def _original_drop(photo: SessionPhoto) -> None:
    # The original, with its EXIF and GPS, is not kept once processed.
    photo.upload.delete(save=False)
    SessionPhoto.objects.filter(pk=photo.pk).update(upload="")


# --- Review ---------------------------------------------------------------------------------


def coordinator_of(*, user: User, campaign_id: int) -> bool:
    return Campaign.objects.filter(pk=campaign_id, coordinators=user).exists()


@transaction.atomic
def session_log_review(
    *, log: SessionLog, reviewer: User, decision: str, note: str = ""
) -> SessionLog:
    """Approve, reject (a reason is required; the volunteer sees it) or flag a log. Only a
    coordinator of the log's campaign with the review permission may. Atomic and audited."""
    if not reviewer.has_perm("accounts.review_field_sessions") or not coordinator_of(
        user=reviewer, campaign_id=log.campaign_id
    ):
        raise Problem(REVIEW_NOT_ALLOWED)
    if decision not in (Status.APPROVED, Status.REJECTED, Status.FLAGGED):
        raise ValueError(f"unknown decision {decision!r}")
    note = note.strip()
    if decision == Status.REJECTED and not note:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"note": [_("Give the volunteer a reason for the rejection.")]})
    before = log.status
    log.status = decision
    log.review_note = note
    log.reviewed_by = reviewer
    log.reviewed_at = timezone.now()
    log.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_log_record(
        actor=reviewer,
        action=f"session_log.{decision}",
        target=log,
        data={"before": before, "note": note},
    )
    return log


def gps_pair(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    if latitude in (None, "") or longitude in (None, ""):
        return None, None
    return Decimal(str(latitude)).quantize(Decimal("0.000001")), Decimal(str(longitude)).quantize(
        Decimal("0.000001")
    )


# --- Planned sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    campaign_id: int
    county_code: str
    planned_on: date
    venue_type: str
    venue_name: str
    expected_audience: int = 0


@transaction.atomic
def planned_session_create(*, by: User, volunteer: User, data: PlanInput) -> PlannedSession:
    """Plan a session for ``volunteer``: by the volunteer themself, or by a coordinator of
    the campaign (audited). The volunteer must be in the campaign; the county must be a
    county. Atomic. Raises Problem ``not-in-campaign``, ``plan-not-allowed`` (a planner
    who is neither the volunteer nor a coordinator) or ``not-a-county``."""
    if by.pk != volunteer.pk and not coordinator_of(user=by, campaign_id=data.campaign_id):
        raise Problem(PLAN_NOT_ALLOWED)
    if not volunteer_in_campaign(volunteer=volunteer, campaign_id=data.campaign_id):
        raise Problem(NOT_IN_CAMPAIGN)
    county = Region.objects.filter(code=data.county_code, level=Level.COUNTY).first()
    if county is None:
        raise Problem(NOT_A_COUNTY, county=data.county_code)
    plan = PlannedSession.objects.create(
        campaign_id=data.campaign_id,
        volunteer=volunteer,
        county=county,
        planned_on=data.planned_on,
        match_from=data.planned_on - timedelta(days=PLAN_MATCH_DAYS),
        match_until=data.planned_on + timedelta(days=PLAN_MATCH_DAYS),
        venue_type=data.venue_type,
        venue_name=data.venue_name.strip(),
        expected_audience=data.expected_audience,
        planned_by=by,
    )
    if by.pk != volunteer.pk:
        audit_log_record(
            actor=by,
            action="campaigns.plan_create",
            target=plan,
            data={"volunteer": volunteer.pk, "planned_on": plan.planned_on.isoformat()},
        )
    return plan


@transaction.atomic
def planned_session_cancel(*, plan_id: int, volunteer: User) -> PlannedSession | None:
    """Mark one of the volunteer's own plans as not held: no reminder follows. Idempotent;
    None when the plan is not theirs."""
    plan = (
        PlannedSession.objects.select_for_update().filter(pk=plan_id, volunteer=volunteer).first()
    )
    if plan is not None and plan.cancelled_at is None:
        plan.cancelled_at = timezone.now()
        plan.save(update_fields=["cancelled_at"])
    return plan
