"""The public impact page and the staff overview, read from the summary tables."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regions.models import Region

from . import selectors
from .forms import ReachFilterForm
from .models import CheckBreakdownDaily

AGE_BAND = CheckBreakdownDaily.Dimension.AGE_BAND
SCAM_TYPE = CheckBreakdownDaily.Dimension.SCAM_TYPE

VIEW_PERM = "accounts.view_reach_statistics"


def _filters(request: HttpRequest) -> tuple[ReachFilterForm, dict[str, Any]]:
    form = ReachFilterForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return form, {"area": data["area"], "start": data["start"], "end": data["end"]}
    return form, {"area": None, "start": None, "end": None}


def _trail(area: Region | None) -> list[Region]:
    trail: list[Region] = []
    node = area
    while node is not None:
        trail.insert(0, node)
        node = node.parent
    return trail


def impact(request: HttpRequest) -> HttpResponse:
    """What the programme reached, nation-wide, for anyone to see."""
    form, filters = _filters(request)
    totals = selectors.reach_totals(**filters)
    rows = selectors.reach_by_area(**filters)
    return render(
        request,
        "reach/impact.html",
        {"form": form, "totals": totals, "rows": rows, **filters, "trail": _trail(filters["area"])},
    )


@permission_required(VIEW_PERM, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    """Staff: every figure by area, campaigns' coverage and the jobs' last runs."""
    form, filters = _filters(request)
    return render(
        request,
        "reach/overview.html",
        {
            "form": form,
            "totals": selectors.reach_totals(**filters),
            "rows": selectors.reach_by_area(**filters),
            "by_age_band": selectors.checks_by_group(dimension=AGE_BAND, **filters),
            "by_scam_type": selectors.checks_by_group(dimension=SCAM_TYPE, **filters),
            "campaigns": selectors.campaigns_reach(),
            "jobs": selectors.job_runs_latest(),
            "trail": _trail(filters["area"]),
            **filters,
        },
    )
