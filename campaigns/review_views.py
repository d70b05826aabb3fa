"""The coordinators' review queue: filtered, sorted and paged; one decision per card, or
several logs approved at once. Thin views: the reads are selectors, the writes services."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.auth import request_user
from core.exceptions import DomainError
from core.formatting import format_count
from core.problems import problem_message
from core.redirects import safe_next

from . import selectors, services
from .forms import ReviewForm
from .models import Flag, SessionLog, Status

REVIEW_PERM = "accounts.review_field_sessions"

REVIEW_PAGE_SIZE = 20


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _review_filters(params: QueryDict) -> selectors.ReviewFilters:
    """The queue's filters from a query string; anything unknown reads as no filter."""
    status = params.get("status", Status.PENDING)
    flag = params.get("flag") or None
    county = params.get("county", "")
    sort = params.get("sort", "held_on")
    return selectors.ReviewFilters(
        campaign_id=_int_or_none(params.get("campaign")),
        status=status if status in Status.values else Status.PENDING,
        county_code=county if county.isdigit() and len(county) == 6 else None,
        volunteer_id=_int_or_none(params.get("volunteer")),
        flag=flag if flag == "any" or flag in Flag.values else None,
        sort=sort if sort in selectors.REVIEW_SORTS else "held_on",
    )


def _review_page(
    request: HttpRequest,
    params: QueryDict,
    *,
    card_errors: dict[int, list[str]] | None = None,
    notes: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review queue as ``params`` narrow and page it; ``card_errors`` are shown on the
    card of the log they belong to (a refused decision), with the note that was typed."""
    coordinator = request_user(request)
    filters = _review_filters(params)
    queue = selectors.review_queue(coordinator=coordinator, filters=filters)
    page = Paginator(queue, REVIEW_PAGE_SIZE).get_page(params.get("page"))
    logs = list(page.object_list)
    for index, log in enumerate(logs):
        # Where the coordinator is taken after deciding on this card: the next one.
        following = logs[index + 1] if index + 1 < len(logs) else None
        log.after_pk = following.pk if following else None  # type: ignore[attr-defined]
        log.card_errors = (card_errors or {}).get(log.pk, [])  # type: ignore[attr-defined]
        log.typed_note = (notes or {}).get(log.pk, "")  # type: ignore[attr-defined]
    here = params.copy()
    queue_url = reverse("campaigns:review") + (f"?{here.urlencode()}" if here else "")
    here.pop("page", None)
    return render(
        request,
        "campaigns/review.html",
        {
            "logs": logs,
            "page": page,
            "total": page.paginator.count,
            "filters": filters,
            "filter_query": here.urlencode(),
            "queue_url": queue_url,
            "campaigns": list(selectors.campaigns_of_coordinator(user=coordinator)),
            "choices": selectors.review_choices(coordinator=coordinator),
            "statuses": Status.choices,
            "flags": Flag.choices,
            "sorts": REVIEW_SORT_LABELS,
            "form": ReviewForm(),
        },
        status=status,
    )


REVIEW_SORT_LABELS = [
    ("held_on", gettext_lazy("Oldest session first")),
    ("-held_on", gettext_lazy("Newest session first")),
    ("-created_at", gettext_lazy("Last received first")),
    ("-attendees_total", gettext_lazy("Most attendees first")),
]


@login_required
@permission_required(REVIEW_PERM, raise_exception=True)
def review_queue(request: HttpRequest) -> HttpResponse:
    """The logs waiting for a coordinator's decision: filtered, sorted, paged."""
    return _review_page(request, request.GET)


def _queue_params(request: HttpRequest) -> tuple[str, QueryDict]:
    """The queue page a decision was made on (its ``next``), and that page's query."""
    target = safe_next(request, "campaigns:review")
    return target, QueryDict(urlsplit(target).query, mutable=True)


@login_required
@permission_required(REVIEW_PERM, raise_exception=True)
@require_POST
def review_decide(request: HttpRequest, log_id: int) -> HttpResponse:
    """One decision on one card. Afterwards the coordinator is back on the same page of the
    queue, at the next card; a refused decision is shown on its own card."""
    log = get_object_or_404(SessionLog, pk=log_id, campaign__coordinators=request.user)
    form = ReviewForm(request.POST)
    target, params = _queue_params(request)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.session_log_review(
                log=log,
                reviewer=request_user(request),
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            errors.append(problem_message(error))
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if errors:
        note = request.POST.get("note", "")[:1000]
        return _review_page(
            request, params, card_errors={log.pk: errors}, notes={log.pk: note}, status=400
        )
    labels = {
        Status.APPROVED: _("Approved: %(venue)s"),
        Status.REJECTED: _("Rejected: %(venue)s"),
        Status.FLAGGED: _("Flagged: %(venue)s"),
    }
    messages.success(request, labels[form.cleaned_data["decision"]] % {"venue": log.venue_name})
    after = _int_or_none(request.POST.get("after"))
    return redirect(target + (f"#log-{after}" if after else "#queue"))


@login_required
@permission_required(REVIEW_PERM, raise_exception=True)
@require_POST
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approve the logs ticked on a page of the queue, each audited on its own."""
    target, _params = _queue_params(request)
    ids = [int(v) for v in request.POST.getlist("logs") if v.isdigit()]
    if not ids:
        messages.error(request, _("Tick the logs to approve first."))
        return redirect(target + "#queue")
    try:
        approved = services.session_logs_approve(log_ids=ids, reviewer=request_user(request))
    except DomainError as error:
        messages.error(request, problem_message(error))
        return redirect(target + "#queue")
    messages.success(
        request,
        ngettext("%(n)s log approved.", "%(n)s logs approved.", len(approved))
        % {"n": format_count(len(approved))},
    )
    if len(approved) < len(ids):
        left = len(ids) - len(approved)
        messages.warning(
            request,
            ngettext(
                "%(n)s log was not approved: it was decided meanwhile or is not yours.",
                "%(n)s logs were not approved: they were decided meanwhile or are not yours.",
                left,
            )
            % {"n": format_count(left)},
        )
    return redirect(target + "#queue")
