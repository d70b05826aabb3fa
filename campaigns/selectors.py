"""Reads of the campaigns app. Dashboard figures come from reach statistics' summary
tables, grouped by the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Concat, Substr, TruncWeek

from accounts.models import User
from reach.models import CampaignReachDaily
from reach.selectors import reach_figures_as_of
from regions.models import Level, Region

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


def review_queue(
    *, coordinator: User, campaign_id: int | None = None, status: str = Status.PENDING
) -> QuerySet[SessionLog]:
    """Logs of the coordinator's own campaigns in one status, oldest session first."""
    logs = SessionLog.objects.filter(campaign__coordinators=coordinator, status=status)
    if campaign_id is not None:
        logs = logs.filter(campaign_id=campaign_id)
    return _with_photos(logs).order_by("held_on", "id")


def photos_ready(log: SessionLog) -> list[SessionPhoto]:
    return [p for p in log.photos.all() if p.status == PhotoStatus.READY]


# --- Dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    level: str
    targets: int
    reached: int
    sessions: int
    people: int

    @property
    def coverage(self) -> float:
        return self.reached / self.targets if self.targets else 0.0

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.coverage)


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    area: Region | None
    sessions: int
    people: int
    pending: int
    targets: int
    reached: int
    rows: list[AreaRow]
    weeks: list[tuple[date, int, int]]
    not_reached: list[Region]
    as_of: datetime | None = None  # when the summary tables were last refreshed

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.reached / self.targets) if self.targets else 0

    @property
    def sessions_percent(self) -> int:
        goal = self.campaign.goal_sessions
        return min(100, round(100 * self.sessions / goal)) if goal else 0

    @property
    def people_percent(self) -> int:
        goal = self.campaign.goal_people
        return min(100, round(100 * self.people / goal)) if goal else 0


def _area_key(area: Region | None) -> Any:
    """The database expression that names the child area of ``area`` a target county
    belongs to (the same codes as the summary tables' parent columns)."""
    if area is None:  # nation → provinces
        return Concat(Substr("code", 1, 2), Value("0000"), output_field=CharField())
    if area.level == Level.PROVINCE:  # province → prefectures (or itself for its districts)
        return F("parent_id")
    return F("code")  # prefecture → counties


def _area_filter(area: Region | None, prefix: str = "") -> Q:
    if area is None:
        return Q()
    if area.level == Level.PROVINCE:
        return Q(**{f"{prefix}code__startswith": area.code[:2]})
    return Q(**{f"{prefix}parent_id": area.code}) | Q(**{f"{prefix}code": area.code})


def _summary_column(area: Region | None) -> str:
    """The summary tables' column holding the child area of ``area``."""
    if area is None:
        return "province_code"
    if area.level == Level.PROVINCE:
        return "prefecture_code"
    return "county_code"


def _summary_filter(area: Region | None) -> Q:
    if area is None:
        return Q()
    if area.level == Level.PROVINCE:
        return Q(province_code=area.code)
    return Q(prefecture_code=area.code) | Q(county_code=area.code)


def campaign_dashboard(*, campaign: Campaign, area: Region | None = None) -> Dashboard:
    """Coverage, sessions and people of a campaign, nation-wide or inside one province or
    prefecture, split by the next level down. Approved sessions only count.

    The figures are read from reach statistics' summary tables (``CampaignReachDaily``),
    so they are as fresh as the last refresh (``as_of``); only the number of logs waiting
    for review is read live, being a work queue rather than a figure. Eight queries."""
    summary = CampaignReachDaily.objects.filter(campaign=campaign).order_by()
    in_area = summary.filter(_summary_filter(area))
    targets = Region.objects.filter(campaigns=campaign).filter(_area_filter(area))
    reached_codes = summary.values("county_code")

    target_counts: dict[str, int] = dict(
        targets.annotate(key=_area_key(area))
        .values("key")
        .annotate(n=Count("code"))
        .values_list("key", "n")
    )
    reached_counts: dict[str, int] = dict(
        targets.filter(code__in=reached_codes)
        .annotate(key=_area_key(area))
        .values("key")
        .annotate(n=Count("code"))
        .values_list("key", "n")
    )
    column = _summary_column(area)
    figures: dict[str, Any] = {
        row[column]: row
        for row in in_area.values(column).annotate(
            n_sessions=Sum("sessions"), people=Sum("attendees_total")
        )
    }
    keys = set(target_counts) | set(figures)
    names = {r.code: r for r in Region.objects.filter(code__in=keys)}
    rows = [
        AreaRow(
            code=key,
            name=names[key].name if key in names else key,
            level=names[key].level if key in names else "",
            targets=target_counts.get(key, 0),
            reached=reached_counts.get(key, 0),
            sessions=figures.get(key, {}).get("n_sessions") or 0,
            people=figures.get(key, {}).get("people") or 0,
        )
        for key in sorted(keys)
    ]
    weeks = [
        (row["week"], row["n_sessions"] or 0, row["people"] or 0)
        for row in in_area.annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(n_sessions=Sum("sessions"), people=Sum("attendees_total"))
        .order_by("week")
    ]
    not_reached = list(
        targets.exclude(code__in=reached_codes).select_related("parent").order_by("code")[:200]
    )
    pending = SessionLog.objects.filter(
        Q(campaign=campaign, status=Status.PENDING) & _area_filter(area, "county__")
    ).count()
    return Dashboard(
        campaign=campaign,
        area=area,
        sessions=sum(r.sessions for r in rows),
        people=sum(r.people for r in rows),
        pending=pending,
        targets=sum(r.targets for r in rows),
        reached=sum(r.reached for r in rows),
        rows=rows,
        weeks=weeks,
        not_reached=not_reached,
        as_of=reach_figures_as_of(),
    )


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
