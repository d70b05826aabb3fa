"""A campaign's dashboard figures, read from reach's summary tables (CampaignReachDaily):
coverage, sessions and people, nation-wide or inside one province or prefecture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Concat, Substr, TruncWeek

from campaigns.models import Campaign, SessionLog, Status
from regions.models import Level, Region

from ..models import CampaignReachDaily
from .figures import reach_figures_as_of


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
    campaign_targets: int = 0  # target counties of the whole campaign

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.reached / self.targets) if self.targets else 0

    def _share(self, goal: int) -> int:
        """An area's part of a campaign goal: in proportion to its target counties (the
        campaign sets its goals for all of them together)."""
        if self.area is None:
            return goal
        return round(goal * self.targets / self.campaign_targets) if self.campaign_targets else 0

    @property
    def goal_sessions(self) -> int:
        return self._share(self.campaign.goal_sessions)

    @property
    def goal_people(self) -> int:
        return self._share(self.campaign.goal_people)

    @property
    def sessions_percent(self) -> int:
        goal = self.goal_sessions
        return min(100, round(100 * self.sessions / goal)) if goal else 0

    @property
    def people_percent(self) -> int:
        goal = self.goal_people
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
    for review is read live, being a work queue rather than a figure. Inside an area the
    goals are the area's share of the campaign's, by target counties. Eight queries
    nation-wide, nine inside an area."""
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
    targets_in_area = sum(r.targets for r in rows)
    return Dashboard(
        campaign=campaign,
        area=area,
        sessions=sum(r.sessions for r in rows),
        people=sum(r.people for r in rows),
        pending=pending,
        targets=targets_in_area,
        reached=sum(r.reached for r in rows),
        rows=rows,
        weeks=weeks,
        not_reached=not_reached,
        as_of=reach_figures_as_of(),
        campaign_targets=(
            targets_in_area if area is None else Region.objects.filter(campaigns=campaign).count()
        ),
    )
