"""Reads of reach statistics, from the summary tables only. Every roll-up is one GROUP BY
(county → prefecture → province → nation); a page needs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from campaigns.models import Campaign
from core.models import JobRun
from quizzes.models import ScamType, TransferCheck
from regions.models import Level, Region

from ..models import (
    AGE_BANDS,
    AUDIENCES,
    CampaignReachDaily,
    CheckBreakdownDaily,
    ReachDaily,
    Watermark,
    band_column,
)
from ..services import BAND_FIELDS, CHECK_FIELDS, DAILY_FIELDS, OFFLINE_FIELDS, WATERMARK


@dataclass(frozen=True)
class Figures:
    """Summed figures of an area and period."""

    values: dict[str, Any]
    counties_reached: int

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def checks_completed(self) -> int:
        return int(self.values["checks_heeded"]) + int(self.values["checks_proceeded"])

    @property
    def heeding_rate(self) -> float | None:
        """Heeded ÷ completed checks (听劝率); None when no check was completed."""
        done = self.checks_completed
        return self.values["checks_heeded"] / done if done else None

    @property
    def heeding_percent(self) -> int | None:
        rate = self.heeding_rate
        return None if rate is None else round(100 * rate)

    @property
    def audiences(self) -> list[tuple[str, int]]:
        return [(a, int(self.values[f"attendees_{a}"])) for a in AUDIENCES]


def _sums(fields: list[str]) -> dict[str, Any]:
    # Aliased: an aggregate may not share a field's name when another aggregate filters on it.
    return {f"sum_{name}": Sum(name) for name in fields}


def _figures(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    out = {name: row.get(f"sum_{name}") or 0 for name in fields}
    if "protected_funds" in out:
        out["protected_funds"] = Decimal(out["protected_funds"]).quantize(Decimal("0.01"))
    return out


def _period(qs: QuerySet[Any], start: date | None, end: date | None) -> QuerySet[Any]:
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return qs


def _in_area(area: Region | None) -> Q:
    if area is None:
        return Q()
    if area.level == Level.PROVINCE:
        return Q(province_code=area.code)
    if area.level == Level.PREFECTURE:
        return Q(prefecture_code=area.code)
    return Q(county_code=area.code)


def _child_column(area: Region | None) -> str:
    if area is None:
        return "province_code"
    if area.level == Level.PROVINCE:
        return "prefecture_code"
    return "county_code"


def reach_totals(
    *, area: Region | None = None, start: date | None = None, end: date | None = None
) -> Figures:
    """Every figure of an area (None: the nation) over a period (inclusive). One query."""
    qs = _period(ReachDaily.objects.filter(_in_area(area)), start, end)
    row = qs.aggregate(
        **_sums(DAILY_FIELDS),
        counties=Count("county_code", distinct=True, filter=Q(sessions__gt=0)),
    )
    return Figures(_figures(row, DAILY_FIELDS), counties_reached=row["counties"] or 0)


@dataclass(frozen=True)
class AreaFigures:
    code: str
    name: str
    figures: Figures


def reach_by_area(
    *, area: Region | None = None, start: date | None = None, end: date | None = None
) -> list[AreaFigures]:
    """The figures of an area split by the next level down, largest reach first (the part
    that cannot be placed in a county comes last, named ""). Two queries."""
    column = _child_column(area)
    qs = _period(ReachDaily.objects.filter(_in_area(area)), start, end)
    rows = list(
        qs.values(column)
        .annotate(
            **_sums(DAILY_FIELDS),
            counties=Count("county_code", distinct=True, filter=Q(sessions__gt=0)),
        )
        .order_by("-sum_person_times", column)
    )
    names = dict(
        Region.objects.filter(code__in=[r[column] for r in rows if r[column]]).values_list(
            "code", "name"
        )
    )
    out = [
        AreaFigures(
            code=row[column],
            name=names.get(row[column], row[column]),
            figures=Figures(_figures(row, DAILY_FIELDS), counties_reached=row["counties"] or 0),
        )
        for row in rows
    ]
    return sorted(out, key=lambda a: a.code == "")


@dataclass(frozen=True)
class CampaignReach:
    campaign: Campaign
    figures: dict[str, int]
    targets: int
    reached: int
    person_times: int = field(default=0)

    @property
    def coverage_percent(self) -> int:
        return round(100 * self.reached / self.targets) if self.targets else 0


def campaigns_reach(*, campaigns: QuerySet[Campaign] | None = None) -> list[CampaignReach]:
    """Offline figures and coverage of target counties (counties with an approved session ÷
    target counties) of each campaign. Three queries, whatever the number of campaigns."""
    chosen = list(
        (Campaign.objects.all() if campaigns is None else campaigns).order_by("-starts_on", "name")
    )
    ids = [c.pk for c in chosen]
    sums = {
        row["campaign_id"]: row
        for row in CampaignReachDaily.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(**_sums(OFFLINE_FIELDS))
        .order_by()
    }
    through = Campaign.target_counties.through
    coverage = {
        row["campaign_id"]: row
        for row in through.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(
            targets=Count("region_id", distinct=True),
            reached=Count(
                "region_id",
                distinct=True,
                filter=Q(
                    Exists(
                        CampaignReachDaily.objects.filter(
                            campaign_id=OuterRef("campaign_id"), county_code=OuterRef("region_id")
                        )
                    )
                ),
            ),
        )
        .order_by()
    }
    out = []
    for campaign in chosen:
        figures = _figures(dict(sums.get(campaign.pk, {})), OFFLINE_FIELDS)
        cover: dict[str, Any] = dict(coverage.get(campaign.pk, {}))
        out.append(
            CampaignReach(
                campaign=campaign,
                figures=figures,
                targets=cover.get("targets", 0),
                reached=cover.get("reached", 0),
                person_times=figures["attendees_total"],
            )
        )
    return out


@dataclass(frozen=True)
class CheckGroup:
    """Transfer-check figures of one age band or scam type ("" = not given)."""

    code: str
    name: str
    checks_shown: int
    checks_heeded: int
    checks_proceeded: int
    protected_funds: Decimal

    @property
    def checks_completed(self) -> int:
        return self.checks_heeded + self.checks_proceeded

    @property
    def heeding_rate(self) -> float | None:
        done = self.checks_completed
        return self.checks_heeded / done if done else None

    @property
    def heeding_percent(self) -> int | None:
        rate = self.heeding_rate
        return None if rate is None else round(100 * rate)


def checks_by_group(
    *,
    dimension: str,
    area: Region | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[CheckGroup]:
    """Heeding rate and protected funds of an area and period split by age band (bands in
    order, each check once) or by scam type (most completed checks first; a check naming
    several types is in each of their rows). A group with nothing to count is left out.
    One GROUP BY (by age band: one sum of the daily rows' band columns), plus the scam
    types' names."""
    if dimension == CheckBreakdownDaily.Dimension.AGE_BAND:
        return _checks_by_age_band(area, start, end)
    qs = _period(
        CheckBreakdownDaily.objects.filter(_in_area(area), dimension=dimension), start, end
    )
    rows = list(qs.values("code").annotate(**_sums(CHECK_FIELDS)).order_by("code"))
    codes = [r["code"] for r in rows if r["code"]]
    names = {s.code: s.name for s in ScamType.objects.filter(code__in=codes)} if codes else {}
    groups = [
        CheckGroup(
            code=row["code"],
            name=names.get(row["code"], row["code"]),
            **_figures(row, CHECK_FIELDS),
        )
        for row in rows
    ]
    return sorted(groups, key=lambda g: (g.code == "", -g.checks_completed, g.code))


def _checks_by_age_band(
    area: Region | None, start: date | None, end: date | None
) -> list[CheckGroup]:
    qs = _period(ReachDaily.objects.filter(_in_area(area)), start, end)
    row = qs.aggregate(**_sums(BAND_FIELDS))
    names = {str(k): str(v) for k, v in TransferCheck.AgeBand.choices}
    groups = []
    for band in AGE_BANDS:
        sums = {f"sum_{name}": row[f"sum_{band_column(band, name)}"] for name in CHECK_FIELDS}
        figures = _figures(sums, CHECK_FIELDS)
        if any(figures.values()):
            groups.append(CheckGroup(code=band, name=names.get(band, ""), **figures))
    return groups


def checks_by_day(
    *,
    area: Region | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 60,
) -> list[CheckGroup]:
    """Transfer-check figures of the last ``limit`` days that had a check shown (newest
    first); code and name are the ISO date. One GROUP BY."""
    qs = _period(ReachDaily.objects.filter(_in_area(area)), start, end)
    rows = (
        qs.values("day")
        .annotate(**_sums(CHECK_FIELDS))
        .filter(sum_checks_shown__gt=0)
        .order_by("-day")[:limit]
    )
    return [
        CheckGroup(
            code=row["day"].isoformat(), name=row["day"].isoformat(), **_figures(row, CHECK_FIELDS)
        )
        for row in rows
    ]


def checks_by_county(
    *, start: date | None = None, end: date | None = None, limit: int = 50
) -> list[CheckGroup]:
    """Transfer-check figures of the ``limit`` counties with the most checks shown (code ""
    = no county given). One GROUP BY, plus the counties' names."""
    qs = _period(ReachDaily.objects.all(), start, end)
    rows = list(
        qs.values("county_code")
        .annotate(**_sums(CHECK_FIELDS))
        .filter(sum_checks_shown__gt=0)
        .order_by("-sum_checks_shown", "county_code")[:limit]
    )
    codes = [r["county_code"] for r in rows if r["county_code"]]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return [
        CheckGroup(
            code=row["county_code"],
            name=names.get(row["county_code"], row["county_code"]),
            **_figures(row, CHECK_FIELDS),
        )
        for row in rows
    ]


def reach_figures_as_of() -> datetime | None:
    """When the figures in the summary tables were taken: the start of the last refresh or
    rebuild that finished (a failed or skipped run leaves it as it was). None before the
    first run. One query."""
    mark = Watermark.objects.filter(name=WATERMARK, value__isnull=False).first()
    return mark.updated_at if mark else None


def job_runs_latest() -> list[JobRun]:
    """The last run of each job. One query."""
    latest: dict[str, JobRun] = {}
    for run in JobRun.objects.order_by("-started_at")[:200]:
        latest.setdefault(run.job, run)
    return sorted(latest.values(), key=lambda r: r.job)
