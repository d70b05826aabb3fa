"""Writing computed cells: a diff against the stored rows, so an unchanged cell costs
no write and a rebuild equals any sequence of refreshes."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet

from ..models import (
    CampaignReachDaily,
    CheckBreakdownDaily,
    ReachDaily,
)
from .cells import CENT, CHECK_FIELDS, DAILY_FIELDS, OFFLINE_FIELDS, Row, Scope, _county_parents
from .compute import _compute

logger = logging.getLogger(__name__)


def _same(fields: list[str], have: dict[str, Any], want: dict[str, Any]) -> bool:
    for name in fields:
        a, b = have[name], want[name]
        if isinstance(b, Decimal):
            a, b = Decimal(a).quantize(CENT), b.quantize(CENT)
        if a != b:
            return False
    return True


def _sync(
    model: type[models.Model],
    existing_qs: QuerySet[Any],
    key_fields: list[str],
    fields: list[str],
    wanted: dict[tuple[Any, ...], Row],
    parents: dict[str, tuple[str, str]],
) -> int:
    """Make the rows of ``existing_qs`` equal ``wanted``, touching only rows that differ.
    Returns how many cells changed."""
    existing = {
        tuple(row[k] for k in key_fields): row
        for row in existing_qs.order_by().values("id", *key_fields, *fields)
    }
    stale = {
        key
        for key, row in existing.items()
        if key not in wanted or not _same(fields, row, wanted[key])
    }
    fresh: dict[tuple[Any, ...], models.Model] = {}
    for key, figures in wanted.items():
        if key in existing and key not in stale:
            continue
        values = dict(zip(key_fields, key, strict=True))
        prefecture, province = parents.get(values["county_code"], ("", ""))
        fresh[key] = model(**values, prefecture_code=prefecture, province_code=province, **figures)
    ids = [existing[key]["id"] for key in stale]
    for start in range(0, len(ids), 1000):
        model._default_manager.filter(id__in=ids[start : start + 1000]).delete()
    model._default_manager.bulk_create(list(fresh.values()), batch_size=1000)
    return len(stale | set(fresh))


def _apply(scope: Scope) -> int:
    """Recompute and store every cell in ``scope``. Must run inside the refresh's lock."""
    daily, per_campaign, breakdown = _compute(scope)
    campaign_keyed = {(c, county, day): v for (c, county, day), v in per_campaign.items()}
    parents = _county_parents(
        {k[0] for k in daily} | {k[1] for k in campaign_keyed} | {k[1] for k in breakdown}
    )
    daily_qs = ReachDaily.objects.filter(day__in=scope.days)
    campaign_qs = CampaignReachDaily.objects.filter(day__in=scope.days)
    breakdown_qs = CheckBreakdownDaily.objects.filter(day__in=scope.days)
    if scope.counties is not None:
        daily_qs = daily_qs.filter(county_code__in=scope.counties)
        campaign_qs = campaign_qs.filter(county_code__in=scope.counties)
        breakdown_qs = breakdown_qs.filter(county_code__in=scope.counties)
    changed = _sync(ReachDaily, daily_qs, ["county_code", "day"], DAILY_FIELDS, daily, parents)
    changed += _sync(
        CampaignReachDaily,
        campaign_qs,
        ["campaign_id", "county_code", "day"],
        OFFLINE_FIELDS,
        campaign_keyed,
        parents,
    )
    changed += _sync(
        CheckBreakdownDaily,
        breakdown_qs,
        ["dimension", "county_code", "day", "code"],
        CHECK_FIELDS,
        breakdown,
        parents,
    )
    return changed
