"""Every page of figures, read from the summary tables: the public impact page, the staff
overview, the transfer-check figures and the campaign dashboards."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.auth import request_user
from campaigns.exports import weeks_chart
from campaigns.selectors import campaigns_of_coordinator, exports_of_campaign
from core.exceptions import DomainError
from core.problems import problem_message
from quizzes import selectors as quiz_selectors
from quizzes import services as quiz_services
from quizzes.models import ApiClient, TransferCheck
from regions.models import Level, Region

from . import selectors, services
from .forms import ReachFilterForm
from .models import CheckBreakdownDaily

AGE_BAND = CheckBreakdownDaily.Dimension.AGE_BAND
SCAM_TYPE = CheckBreakdownDaily.Dimension.SCAM_TYPE

VIEW_PERM = "accounts.view_reach_statistics"
# Staff who manage the API clients vouch for the figures of their checks.
REVIEW_PERM = "quizzes.change_apiclient"


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


@require_GET
@permission_required("quizzes.view_transfer_check_figures", raise_exception=True)
def check_figures(request: HttpRequest) -> HttpResponse:
    """Heeding rate and protected funds of transfer checks, four ways, from the reach
    summary tables (kept current by the reach refresh; the page says as of when)."""
    tables = [
        (_("By day"), selectors.checks_by_day(limit=60), ""),
        (
            _("By scam type"),
            selectors.checks_by_group(dimension=SCAM_TYPE),
            _(
                "A check suspected of several scam types is counted under each of them, so "
                "these rows may add up to more than the totals."
            ),
        ),
        (_("By age band"), selectors.checks_by_group(dimension=AGE_BAND), ""),
        (_("By county (the 50 with the most checks)"), selectors.checks_by_county(), ""),
    ]
    return render(
        request,
        "reach/check_figures.html",
        {
            "tables": [{"label": t, "rows": rows, "note": note} for t, rows, note in tables],
            "as_of": selectors.reach_figures_as_of(),
        },
    )


@require_GET
@permission_required(REVIEW_PERM, raise_exception=True)
def figures_review(request: HttpRequest) -> HttpResponse:
    """Staff: amounts above a client's ceiling waiting for confirmation, and which clients'
    checks count in the public figures."""
    return render(
        request,
        "reach/figures_review.html",
        {
            "waiting": quiz_selectors.transfer_checks_amount_waiting(),
            "clients": quiz_selectors.api_clients_all(),
        },
    )


@require_POST
@permission_required(REVIEW_PERM, raise_exception=True)
def figures_amount_confirm(request: HttpRequest, check_id: str) -> HttpResponse:
    check = get_object_or_404(TransferCheck, pk=check_id)
    try:
        quiz_services.transfer_check_amount_confirm(check=check, by=request.user)
    except DomainError as refused:
        messages.error(request, problem_message(refused))
    else:
        messages.success(request, _("Amount confirmed; it counts after the next refresh."))
    return redirect("figures:review")


@require_POST
@permission_required(REVIEW_PERM, raise_exception=True)
def figures_client(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    if request.POST.get("counted") == "no":
        services.api_client_figures_exclude(client=client, by=request.user)
        messages.success(
            request,
            _("%(client)s is left out of the figures; they are being rebuilt.")
            % {"client": client.name},
        )
    else:
        services.api_client_figures_include(client=client, by=request.user)
        messages.success(
            request,
            _("%(client)s is counted in the figures again; they are being rebuilt.")
            % {"client": client.name},
        )
    return redirect("figures:review")


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def campaign_dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A coordinator's campaign: coverage, sessions and people, drilled down by area."""
    campaign = campaigns_of_coordinator(user=request_user(request)).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    area = None
    code = request.GET.get("area", "")
    if code:
        area = (
            Region.objects.filter(code=code, level__in=[Level.PROVINCE, Level.PREFECTURE])
            .select_related("parent")
            .first()
        )
    dashboard = selectors.campaign_dashboard(campaign=campaign, area=area)
    return render(
        request,
        "reach/campaign_dashboard.html",
        {
            "d": dashboard,
            "campaign": campaign,
            "trail": _trail(area),
            "chart": weeks_chart(dashboard.weeks),
            "exports": exports_of_campaign(campaign=campaign),
        },
    )
