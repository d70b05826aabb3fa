"""Reads of the campaigns app. The dashboard's figures are reach's
(reach/selectors/campaigns.py), read from its summary tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)

from accounts.models import User
from regions.models import Region

from .models import (
    Assignment,
    Campaign,
    Export,
    PhotoStatus,
    PlannedSession,
    SessionLog,
    SessionPhoto,
    Status,
    Team,
)


def _with_photos(logs: QuerySet[SessionLog]) -> QuerySet[SessionLog]:
    return logs.select_related("campaign", "county", "volunteer").prefetch_related(
        Prefetch("photos", queryset=SessionPhoto.objects.order_by("id"))
    )


def session_log_get(*, client_uuid: Any) -> SessionLog:
    return _with_photos(SessionLog.objects.all()).get(client_uuid=client_uuid)


def session_logs_of_volunteer(*, volunteer: User) -> QuerySet[SessionLog]:
    """A volunteer's own logs, newest first, with campaign, county and photos."""
    return _with_photos(SessionLog.objects.filter(volunteer=volunteer)).order_by("-held_on", "-id")


@dataclass
class VolunteerCampaign:
    campaign: Campaign
    default_county: Region | None
    counties: list[Region] = field(default_factory=list)


def campaigns_of_volunteer(*, volunteer: User) -> list[VolunteerCampaign]:
    """The campaigns a volunteer is in, each with the county their form defaults to and the
    counties of their teams (the campaign's targets when the team has none)."""
    assignments = list(
        Assignment.objects.filter(volunteer=volunteer)
        .select_related("team__campaign", "county")
        .prefetch_related("team__counties", "team__campaign__target_counties")
        .order_by("team__campaign__name")
    )
    out: dict[int, VolunteerCampaign] = {}
    for assignment in assignments:
        campaign = assignment.team.campaign
        entry = out.setdefault(campaign.pk, VolunteerCampaign(campaign, assignment.county))
        counties = list(assignment.team.counties.all()) or list(campaign.target_counties.all())
        known = {c.code for c in entry.counties}
        entry.counties.extend(c for c in counties if c.code not in known)
        if entry.default_county is None:
            entry.default_county = assignment.county
    for entry in out.values():
        if entry.default_county and entry.default_county.code not in {
            c.code for c in entry.counties
        }:
            entry.counties.insert(0, entry.default_county)
        entry.counties.sort(key=lambda c: c.code)
    return list(out.values())


def plan_logged() -> Exists:
    """True for a plan with a matching log: same volunteer, campaign and county, dated
    within ``PLAN_MATCH_DAYS`` of the plan, in any review status (a rejected log has its
    own reminder)."""
    return Exists(
        SessionLog.objects.filter(
            volunteer_id=OuterRef("volunteer_id"),
            campaign_id=OuterRef("campaign_id"),
            county_id=OuterRef("county_id"),
            held_on__gte=OuterRef("match_from"),
            held_on__lte=OuterRef("match_until"),
        )
    )


def planned_sessions_of_volunteer(*, volunteer: User) -> QuerySet[PlannedSession]:
    """A volunteer's plans, each with ``logged``; the coming ones first, then the past
    ones newest first (one query)."""
    return (
        PlannedSession.objects.filter(volunteer=volunteer)
        .select_related("campaign", "county")
        .annotate(logged=plan_logged())
        .order_by("-planned_on", "-id")
    )


def planned_sessions_unlogged(*, due_on: date, since: date) -> QuerySet[PlannedSession]:
    """Plans dated from ``since`` to ``due_on`` that are neither logged nor marked as not
    held: the ones to remind their volunteer of."""
    return (
        PlannedSession.objects.filter(
            planned_on__gte=since, planned_on__lte=due_on, cancelled_at__isnull=True
        )
        .annotate(logged=plan_logged())
        .filter(logged=False)
        .order_by()
    )


def campaigns_of_coordinator(*, user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(coordinators=user).order_by("-starts_on", "name")


# How a coordinator may sort the review queue: key → order_by fields.
REVIEW_SORTS: dict[str, tuple[str, ...]] = {
    "held_on": ("held_on", "id"),
    "-held_on": ("-held_on", "-id"),
    "-created_at": ("-created_at", "-id"),
    "-attendees_total": ("-attendees_total", "id"),
}


@dataclass(frozen=True)
class ReviewFilters:
    """What a coordinator narrows the review queue to (None: no narrowing)."""

    campaign_id: int | None = None
    status: str = Status.PENDING
    county_code: str | None = None
    volunteer_id: int | None = None
    flag: str | None = None  # a Flag code, or "any" for a log with any flag
    sort: str = "held_on"


def review_queue(
    *,
    coordinator: User,
    campaign_id: int | None = None,
    status: str = Status.PENDING,
    filters: ReviewFilters | None = None,
) -> QuerySet[SessionLog]:
    """Logs of the coordinator's own campaigns in one status, narrowed by ``filters``, in
    its sort (default: oldest session first), with campaign, county, volunteer and photos
    (two queries for any number of rows)."""
    f = filters or ReviewFilters(campaign_id=campaign_id, status=status)
    logs = SessionLog.objects.filter(campaign__coordinators=coordinator, status=f.status)
    if f.campaign_id is not None:
        logs = logs.filter(campaign_id=f.campaign_id)
    if f.county_code:
        logs = logs.filter(county_id=f.county_code)
    if f.volunteer_id is not None:
        logs = logs.filter(volunteer_id=f.volunteer_id)
    if f.flag == "any":
        logs = logs.exclude(flags=[])
    elif f.flag:
        logs = (
            logs.filter(flags__contains=[f.flag])
            if _json_contains()
            else logs.filter(flags__icontains=f'"{f.flag}"')
        )
    return _with_photos(logs).order_by(*REVIEW_SORTS.get(f.sort, REVIEW_SORTS["held_on"]))


def _json_contains() -> bool:
    """Whether the database answers JSON containment (PostgreSQL); SQLite does not, and
    there the flag's code is matched in the stored text (codes are plain words)."""
    from django.db import connection

    return connection.features.supports_json_field_contains


@dataclass(frozen=True)
class ReviewChoices:
    """The options of the queue's filters: counties targeted and volunteers assigned in the
    coordinator's campaigns."""

    counties: list[Region]
    volunteers: list[User]


def review_choices(*, coordinator: User) -> ReviewChoices:
    """Two queries, whatever the number of campaigns."""
    counties = list(
        Region.objects.filter(campaigns__coordinators=coordinator)
        .select_related("parent")
        .distinct()
        .order_by("code")
    )
    volunteers = list(
        User.objects.filter(campaign_assignments__team__campaign__coordinators=coordinator)
        .distinct()
        .order_by("username")
    )
    return ReviewChoices(counties=counties, volunteers=volunteers)


def photos_ready(log: SessionLog) -> list[SessionPhoto]:
    return [p for p in log.photos.all() if p.status == PhotoStatus.READY]


# --- Exports --------------------------------------------------------------------------------


def export_session_rows(*, campaign: Campaign) -> QuerySet[SessionLog]:
    """Every log of a campaign for export, read in chunks by the caller (iterator)."""
    return (
        SessionLog.objects.filter(campaign=campaign)
        .select_related("county__parent", "volunteer")
        .annotate(photo_count=Count("photos"))
        .order_by("id")
    )


def exports_of_campaign(*, campaign: Campaign) -> list[Export]:
    return list(Export.objects.filter(campaign=campaign).order_by("-created_at")[:5])


# --- Private files --------------------------------------------------------------------------

# As whom someone opens a private file: its owner, a coordinator of its campaign, or staff.
FileAccess = Literal["owner", "coordinator", "staff"]
REVIEW_PERM = "accounts.review_field_sessions"
STATS_PERM = "accounts.view_reach_statistics"


def _coordinates(user: User, campaign_id: int, permission: str) -> bool:
    return (
        user.has_perm(permission)
        and Campaign.objects.filter(pk=campaign_id, coordinators=user).exists()
    )


def session_photo_get(*, photo_id: int) -> SessionPhoto | None:
    return SessionPhoto.objects.select_related("log").filter(pk=photo_id).first()


def session_photo_access(*, photo: SessionPhoto, user: User | AnonymousUser) -> FileAccess | None:
    """Who may see a session photo's files: the volunteer who logged the session, the
    coordinators of its campaign who review logs, and staff allowed to view session photos
    (the admin's inline). Anyone else, signed out included: None."""
    if not isinstance(user, User) or not user.is_active:
        return None
    if photo.log.volunteer_id == user.pk:
        return "owner"
    if _coordinates(user, photo.log.campaign_id, REVIEW_PERM):
        return "coordinator"
    if user.is_staff and user.has_perm("campaigns.view_sessionphoto"):
        return "staff"
    return None


def export_get(*, campaign_id: int, export_id: int) -> Export | None:
    """A finished export of a campaign (None while it is being built)."""
    return Export.objects.filter(
        pk=export_id, campaign_id=campaign_id, done_at__isnull=False
    ).first()


def export_access(*, export: Export, user: User | AnonymousUser) -> FileAccess | None:
    """Who may download an export (it lists volunteers' names): the campaign's coordinators
    who see its figures, and staff allowed to view exports. Anyone else: None."""
    if not isinstance(user, User) or not user.is_active:
        return None
    if _coordinates(user, export.campaign_id, STATS_PERM):
        return "coordinator"
    if user.is_staff and user.has_perm("campaigns.view_export"):
        return "staff"
    return None


def campaign_teams(*, campaign: Campaign) -> list[Team]:
    """Teams of a campaign with their volunteers and default counties (two queries)."""
    return list(
        Team.objects.filter(campaign=campaign)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("volunteer", "county").order_by("id"),
            )
        )
        .order_by("name")
    )


# --- Pickers (a coordinator assigning volunteers and target regions) -----------------------

PICKER_LIMIT = 10
VOLUNTEER_PERM = ("accounts", "log_field_sessions")


def volunteers_search(*, query: str, limit: int = PICKER_LIMIT) -> list[User]:
    """Active volunteers (who may log sessions) whose user name or shown name contains
    ``query``, user names that start with it first. One query."""
    query = query.strip()
    if not query:
        return []
    app, codename = VOLUNTEER_PERM
    may_log = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app
    ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app)
    matches = Q(username__icontains=query) | Q(display_name__icontains=query)
    matches |= Q(first_name__icontains=query) | Q(last_name__icontains=query)
    users = User.objects.filter(may_log, matches, is_active=True).distinct()
    return sorted(
        users.order_by("username")[: limit * 3],
        key=lambda u: (not u.username.startswith(query), u.username),
    )[:limit]


def regions_search(
    *, query: str, counties_only: bool = False, limit: int = PICKER_LIMIT
) -> list[Region]:
    """Regions whose name contains ``query`` (or whose code starts with it), provinces
    before prefectures before counties, with their parent for telling namesakes apart. One
    query."""
    query = query.strip()
    if not query:
        return []
    regions = Region.objects.select_related("parent")
    if query.isdigit():
        regions = regions.filter(code__startswith=query)
    else:
        regions = regions.filter(name__icontains=query)
    if counties_only:
        regions = regions.filter(level="county")
    order = Case(When(level="province", then=0), When(level="prefecture", then=1), default=2)
    return list(regions.order_by(order, "code")[:limit])


def region_label(region: Region) -> str:
    """A region as a picker shows it: its name, its parent's, its code."""
    parent = region.parent.name if region.parent_id and region.parent else ""
    return (
        f"{region.name}（{parent}，{region.code}）" if parent else f"{region.name}（{region.code}）"
    )
