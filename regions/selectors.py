from __future__ import annotations

import time

from django.db.models import Q, QuerySet

from .models import Level, Region


def region_list(
    *, level: str | None = None, parent: str | None = None, search: str | None = None
) -> QuerySet[Region]:
    """Regions ordered by code, optionally of one level, under one parent, or by name."""
    regions = Region.objects.order_by("code")
    if level:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent_id=parent)
    if search:
        regions = regions.filter(name__contains=search)
    return regions


# Per process: (loaded at, codes). Read again after the TTL, at once after regions_load in
# this process, and on every call while the table is empty (a fresh install loads it later).
COUNTY_CODES_TTL_SECONDS = 300.0
_county_codes: tuple[float, frozenset[str]] = (0.0, frozenset())


def county_codes() -> frozenset[str]:
    """The codes a person's county may be given as: every county-level division, and the
    prefecture-level cities that have none under them (东莞, 中山, 儋州, 嘉峪关: their people
    have no county code to give). Cached per process, so a hot path pays no query."""
    global _county_codes
    loaded_at, codes = _county_codes
    # An empty table is cached too: a site without regions must not query on every call.
    if not loaded_at or time.monotonic() - loaded_at > COUNTY_CODES_TTL_SECONDS:
        codes = frozenset(
            Region.objects.filter(
                Q(level=Level.COUNTY) | Q(level=Level.PREFECTURE, children__isnull=True)
            ).values_list("code", flat=True)
        )
        _county_codes = (time.monotonic(), codes)
    return codes


def county_codes_forget() -> None:
    """Drop this process's cached county codes (after the table changed)."""
    global _county_codes
    _county_codes = (0.0, frozenset())
