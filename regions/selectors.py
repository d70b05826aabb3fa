from __future__ import annotations

from django.db.models import QuerySet

from .models import Region


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
