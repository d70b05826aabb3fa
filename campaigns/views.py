"""Pages of the campaigns app: volunteers' form and logs, coordinators' queue and campaign
management. The dashboard is reach's (a page of figures)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.auth import request_user
from core.exceptions import DomainError
from core.problems import problem_message
from core.service_workers import service_worker_view
from regions.models import Region

from . import exports, selectors, services
from .forms import (
    AssignForm,
    CoordinatorPlanForm,
    GoalsForm,
    PlannedSessionForm,
    RegionsAddForm,
    SessionLogEditForm,
    SessionLogForm,
    session_log_initial,
)
from .models import AUDIENCES, Campaign, SessionLog

LOG_PERM = "accounts.log_field_sessions"
REVIEW_PERM = "accounts.review_field_sessions"
STATS_PERM = "accounts.view_reach_statistics"


# The service worker, served from /campaigns/ so its scope covers the volunteers' pages.
service_worker = service_worker_view("js/campaigns-sw.js", "/campaigns/")


@login_required
@permission_required(LOG_PERM, raise_exception=True)
def session_log_new(request: HttpRequest) -> HttpResponse:
    """The form. With JavaScript it queues in IndexedDB and syncs through the API; without,
    it posts here and is stored the same way."""
    campaigns = selectors.campaigns_of_volunteer(volunteer=request_user(request))
    initial = {}
    plan_id = request.GET.get("plan", "")
    if request.method == "GET" and plan_id.isdigit():
        # "Log this session" on a plan: the log then matches the plan (same campaign,
        # county and date), so no reminder follows.
        plan = request_user(request).planned_sessions.filter(pk=int(plan_id)).first()
        if plan is not None:
            initial = {
                "campaign": plan.campaign_id,
                "county": plan.county_id,
                "held_on": plan.planned_on,
                "venue_type": plan.venue_type,
                "venue_name": plan.venue_name,
            }
    form = SessionLogForm(
        request.POST or None, request.FILES or None, campaigns=campaigns, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            log, _created = services.session_log_sync(
                volunteer=request_user(request), data=_session_input(data, uuid.uuid4())
            )
        except DomainError as error:
            form.add_error(None, problem_message(error))
        else:
            refused = _photos_attach(request, log)
            messages.success(request, _("Session saved. Thank you!"))
            for text in refused:
                messages.warning(request, _("Photo not attached: %(reason)s") % {"reason": text})
            return redirect("campaigns:mine")
    return render(request, "campaigns/log_form.html", {"form": form, "campaigns": campaigns})


def _session_input(data: dict[str, Any], client_uuid: uuid.UUID) -> services.SessionInput:
    """A log form's cleaned data as the services take it."""
    return services.SessionInput(
        client_uuid=client_uuid,
        campaign_id=data["campaign"],
        county_code=data["county"],
        held_on=data["held_on"],
        venue_type=data["venue_type"],
        venue_name=data["venue_name"],
        attendees={a: data[f"attendees_{a}"] or 0 for a in AUDIENCES},
        topics=data["topics"],
        notes=data["notes"],
        gps_consent=data["gps_consent"],
        latitude=data["latitude"] if data["gps_consent"] else None,
        longitude=data["longitude"] if data["gps_consent"] else None,
    )


def _photos_attach(request: HttpRequest, log: SessionLog) -> list[str]:
    """Attach the form's photos to the log; the refusals, as the volunteer reads them."""
    refused = []
    prefix = uuid.uuid4().hex[:8]  # new photo ids, also on a log that has photos
    for index, upload in enumerate(request.FILES.getlist("photos")[:9]):
        try:
            services.session_photo_attach(
                log=log,
                volunteer=request_user(request),
                client_photo_id=f"form-{prefix}-{index}",
                data=upload.read(),
            )
        except DomainError as error:
            refused.append(f"{upload.name}: {problem_message(error)}")
    return refused


@login_required
@permission_required(LOG_PERM, raise_exception=True)
def session_log_edit(request: HttpRequest, client_uuid: uuid.UUID) -> HttpResponse:
    """A rejected log, corrected and sent again (the same log, back in the review queue).
    With JavaScript it is queued on the phone like a new log; without, it posts here."""
    volunteer = request_user(request)
    log = get_object_or_404(
        selectors.session_logs_of_volunteer(volunteer=volunteer), client_uuid=client_uuid
    )
    campaigns = selectors.campaigns_of_volunteer(volunteer=volunteer)
    form = SessionLogEditForm(
        request.POST or None,
        request.FILES or None,
        campaigns=campaigns,
        log=log,
        initial={**session_log_initial(log), "revision": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            log, _changed = services.session_log_resubmit(
                volunteer=volunteer,
                revision=data["revision"],
                data=_session_input(data, log.client_uuid),
                remove_photos=data["remove_photos"],
            )
        except DomainError as error:
            form.add_error(None, problem_message(error))
        else:
            refused = _photos_attach(request, log)
            messages.success(request, _("Sent again for review. Thank you!"))
            for text in refused:
                messages.warning(request, _("Photo not attached: %(reason)s") % {"reason": text})
            return redirect("campaigns:mine")
    return render(
        request,
        "campaigns/log_form.html",
        {"form": form, "campaigns": campaigns, "log": log, "editing": True},
    )


@login_required
@permission_required(LOG_PERM, raise_exception=True)
def session_log_mine(request: HttpRequest) -> HttpResponse:
    logs = selectors.session_logs_of_volunteer(volunteer=request_user(request))[:100]
    return render(request, "campaigns/my_logs.html", {"logs": logs})


def _plan_input(data: dict[str, Any], *, campaign_id: int) -> services.PlanInput:
    """A plan form's cleaned data as the service takes it."""
    return services.PlanInput(
        campaign_id=campaign_id,
        county_code=data["county"],
        planned_on=data["planned_on"],
        venue_type=data["venue_type"],
        venue_name=data["venue_name"],
        expected_audience=data["expected_audience"],
    )


@login_required
@permission_required(LOG_PERM, raise_exception=True)
def planned_sessions(request: HttpRequest) -> HttpResponse:
    """A volunteer's planned sessions, and the form to plan one (works without JavaScript)."""
    campaigns = selectors.campaigns_of_volunteer(volunteer=request_user(request))
    form = PlannedSessionForm(request.POST or None, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.planned_session_create(
                by=request_user(request),
                volunteer=request_user(request),
                data=_plan_input(data, campaign_id=data["campaign"]),
            )
        except DomainError as error:
            form.add_error(None, problem_message(error))
        else:
            messages.success(request, _("Session planned. Log it here after it is held."))
            return redirect("campaigns:plans")
    plans = list(selectors.planned_sessions_of_volunteer(volunteer=request_user(request))[:100])
    today = timezone.localdate()
    return render(
        request,
        "campaigns/plans.html",
        {
            "form": form,
            "campaigns": campaigns,
            "coming": [p for p in reversed(plans) if p.planned_on >= today],
            "past": [p for p in plans if p.planned_on < today],
        },
    )


@login_required
@permission_required(LOG_PERM, raise_exception=True)
@require_POST
def planned_session_cancel(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = services.planned_session_cancel(plan_id=plan_id, volunteer=request_user(request))
    if plan is None:
        raise Http404
    messages.success(request, _("Marked as not held: %(venue)s") % {"venue": plan.venue_name})
    return redirect("campaigns:plans")


# --- Coordinators ---------------------------------------------------------------------------


def _own_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = (
        selectors.campaigns_of_coordinator(user=request_user(request))
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


@login_required
@permission_required("accounts.coordinate_campaigns", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaigns_of_coordinator(user=request_user(request))
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


@login_required
@permission_required(STATS_PERM, raise_exception=True)
def campaign_export(request: HttpRequest, campaign_id: int, kind: str) -> StreamingHttpResponse:
    """A download of the campaign's figures; ``?area=`` (a region code, as on the
    dashboard) narrows it to that area's counties."""
    campaign = _own_campaign(request, campaign_id)
    if kind not in exports.STREAMERS:
        raise Http404
    area = None
    code = request.GET.get("area", "")
    if code:
        area = Region.objects.filter(code=code).first()
        if area is None:
            raise Http404
    return exports.stream_response(campaign=campaign, kind=kind, area=area)


@login_required
@permission_required(STATS_PERM, raise_exception=True)
@require_POST
def campaign_export_build(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _own_campaign(request, campaign_id)
    kind = request.POST.get("kind", "")
    if kind not in exports.STREAMERS:
        raise Http404
    exports.export_request(campaign=campaign, kind=kind, by=request_user(request))
    messages.success(
        request, _("The export is being built; it appears below when ready. Reload the page.")
    )
    return redirect("figures:campaign", campaign_id=campaign.pk)


@login_required
@permission_required("accounts.coordinate_campaigns", raise_exception=True)
def campaign_manage(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A coordinator's own campaign: add whole regions, change goals, assign volunteers."""
    campaign = _own_campaign(request, campaign_id)
    action = request.POST.get("action") if request.method == "POST" else None
    regions_form = RegionsAddForm(request.POST if action == "regions" else None)
    goals_form = GoalsForm(
        request.POST if action == "goals" else None,
        initial={"goal_sessions": campaign.goal_sessions, "goal_people": campaign.goal_people},
    )
    assign_form = AssignForm(request.POST if action == "assign" else None)
    plan_form = CoordinatorPlanForm(request.POST if action == "plan" else None)
    if action == "plan" and plan_form.is_valid():
        data = plan_form.cleaned_data
        try:
            services.planned_session_create(
                by=request_user(request),
                volunteer=data["volunteer"],
                data=_plan_input(data, campaign_id=campaign.pk),
            )
        except DomainError as error:
            plan_form.add_error(None, problem_message(error))
        else:
            messages.success(
                request,
                _("Session planned for %(name)s.") % {"name": data["volunteer"].shown_name},
            )
            return redirect("campaigns:manage", campaign_id=campaign.pk)
    if action == "regions" and regions_form.is_valid():
        total = services.campaign_counties_add(
            campaign=campaign,
            region_codes=regions_form.cleaned_data["codes"],
            by=request_user(request),
        )
        messages.success(request, _("The campaign now targets %(n)d counties.") % {"n": total})
        return redirect("campaigns:manage", campaign_id=campaign.pk)
    if action == "goals" and goals_form.is_valid():
        services.campaign_goals_update(
            campaign=campaign, by=request_user(request), **goals_form.cleaned_data
        )
        messages.success(request, _("Goals saved."))
        return redirect("campaigns:manage", campaign_id=campaign.pk)
    if action == "assign" and assign_form.is_valid():
        data = assign_form.cleaned_data
        services.team_assign(
            campaign=campaign,
            team_name=data["team_name"],
            volunteer=data["volunteer"],
            county=data["county_region"],
            by=request_user(request),
        )
        messages.success(
            request,
            _("%(name)s is in the team %(team)s.")
            % {"name": data["volunteer"].shown_name, "team": data["team_name"]},
        )
        return redirect("campaigns:manage", campaign_id=campaign.pk)
    return render(
        request,
        "campaigns/manage.html",
        {
            "campaign": campaign,
            "targets": campaign.target_counties.count(),
            "teams": selectors.campaign_teams(campaign=campaign),
            "regions_form": regions_form,
            "goals_form": goals_form,
            "assign_form": assign_form,
            "plan_form": plan_form,
        },
    )
