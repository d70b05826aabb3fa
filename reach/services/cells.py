"""The unit of reach figures: a (county, day) cell, the scopes a run works on, and the
field lists every table of figures shares."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from regions.models import Level, Region

from ..models import (
    AUDIENCES,
    BAND_COLUMNS,
    BAND_FIGURES,
    CheckBreakdownDaily,
)

logger = logging.getLogger(__name__)


WATERMARK = "reach"
UNPLACED = ""  # the county code of figures that cannot be placed in a county
DAYS_PER_CHUNK = 31
CENT = Decimal("0.01")

Cell = tuple[str, date]
CampaignCell = tuple[int, str, date]
BreakdownCell = tuple[str, str, date, str]  # dimension, county, day, group code
Row = dict[str, Any]
OFFLINE_FIELDS = ["sessions", *[f"attendees_{a}" for a in AUDIENCES], "attendees_total"]
DAILY_FIELDS = [
    *OFFLINE_FIELDS,
    "learners_active",
    "lessons_completed",
    "courses_completed",
    "certificates_issued",
    "checks_shown",
    "checks_heeded",
    "checks_proceeded",
    "protected_funds",
    "person_times",
]
CHECK_FIELDS = list(BAND_FIGURES)
# The split by age band, stored with the daily figures (``ReachDaily``): each band's
# ``CHECK_FIELDS``, the columns named by ``band_column``.
BAND_FIELDS = list(BAND_COLUMNS)
AGE_BAND = CheckBreakdownDaily.Dimension.AGE_BAND.value
SCAM_TYPE = CheckBreakdownDaily.Dimension.SCAM_TYPE.value


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, dtime.min, tzinfo=_tz())


def _overlap() -> timedelta:
    """How far back each refresh reads again: a transaction that stamped its rows before
    the last run started but committed after it is still seen (recomputing is harmless)."""
    return timedelta(seconds=getattr(settings, "REACH_REFRESH_OVERLAP_SECONDS", 600))


@dataclass(frozen=True)
class Scope:
    """A block of cells: these days × these counties (None: every county)."""

    days: tuple[date, ...]
    counties: frozenset[str] | None = None

    @property
    def placed(self) -> list[str]:
        return sorted(c for c in (self.counties or ()) if c)

    @property
    def has_unplaced(self) -> bool:
        return self.counties is None or UNPLACED in self.counties

    @property
    def whole_range(self) -> bool:
        """The days run without a gap from the first to the last (a date range will do)."""
        return _contiguous(self.days)


def _contiguous(days: Iterable[date]) -> bool:
    ordered = sorted(set(days))
    return bool(ordered) and (ordered[-1] - ordered[0]).days + 1 == len(ordered)


def _on_days(qs: QuerySet[Any], column: str, days: Iterable[date]) -> QuerySet[Any]:
    """Rows whose ``column`` falls on one of ``days`` (local time), with a ``day`` column."""
    days = sorted(days)
    found: QuerySet[Any] = qs.filter(
        **{
            f"{column}__gte": _day_start(days[0]),
            f"{column}__lt": _day_start(days[-1] + timedelta(days=1)),
        }
    ).annotate(day=TruncDate(column, tzinfo=_tz()))
    if not _contiguous(days):  # else the range alone says it
        found = found.filter(day__in=days)
    return found.order_by()


def _county_parents(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """county code → (parent code, province code), for the codes that are counties."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {
        code: (parent or "", code[:2] + "0000")
        for code, parent in Region.objects.filter(code__in=wanted, level=Level.COUNTY)
        .values_list("code", "parent_id")
        .order_by()
    }
