from __future__ import annotations

import hmac
from typing import cast

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from . import problems
from .selectors import readiness_report

ELDER_MODE_COOKIE = "elder_mode"
ONE_YEAR = 365 * 24 * 3600


def elder_mode_cookie_set(request: HttpRequest, response: HttpResponse, *, enabled: bool) -> None:
    """Remember elder mode in the browser for a year (read by the pages and by
    static/js/preferences.js, hence not HttpOnly)."""
    response.set_cookie(
        ELDER_MODE_COOKIE,
        "1" if enabled else "0",
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,
    )


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


# --- Probes ---------------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so it never flaps with the DB."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the broker (and Redis cache, if used) answer."""
    report = readiness_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponseBase:
    """Prometheus metrics. With METRICS_BEARER_TOKEN set they need "Bearer <token>"; in
    production they are never open: without a token there (``check --deploy`` refuses that)
    the route answers as if it did not exist."""
    token = settings.METRICS_BEARER_TOKEN
    if not token and settings.SETTINGS_PROFILE == "production":
        return problems.problem_response(request, problems.NOT_FOUND)
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return problems.problem_response(request, problems.NOT_AUTHENTICATED)
    # django_prometheus is untyped; its view returns an HttpResponse of the exposition text.
    return cast(HttpResponse, ExportToDjangoView(request))


# --- Problem types and error pages ----------------------------------------------------------


def problem_type_detail(request: HttpRequest, slug: str) -> HttpResponse:
    kind = problems.REGISTRY.get(slug)
    if kind is None:
        raise Http404
    return render(request, "core/problem_type.html", {"kind": kind})


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


_ERROR_PAGES = {
    400: (
        _("Something in the request was not right"),
        _("Please go back and try again."),
    ),
    403: (
        _("You cannot open this page"),
        _(
            "Your account does not have access to this page. If you think it should, "
            "ask your coordinator."
        ),
    ),
    404: (
        _("We could not find that page"),
        _("The address may be mistyped, or the page has moved."),
    ),
}


def _error(request: HttpRequest, kind: problems.ProblemType) -> HttpResponse:
    """problem+json under /api/, a friendly page in the reader's language elsewhere."""
    if _wants_problem(request):
        return problems.problem_response(request, kind)
    title, message = _ERROR_PAGES[kind.status]
    return render(request, "error.html", {"title": title, "message": message}, status=kind.status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, problems.MALFORMED)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, problems.PERMISSION_DENIED)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, problems.NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_problem(request):
        return problems.problem_response(request, problems.SERVER_ERROR)
    # Rendered without the request: no context processor may touch the part that failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
