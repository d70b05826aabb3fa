"""Where a form sends the browser next: only ever to this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *, referer: bool = False) -> str:
    """The ``next`` the form (or the query string) names when it is a URL of this site, else
    ``fallback`` (a URL or a URL name). With ``referer``, the page the request came from is
    tried before the fallback. An absolute URL to another host, a scheme-relative
    ``//host``, ``javascript:`` and the like never pass."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referer:
        candidates.append(request.headers.get("Referer"))
    for target in candidates:
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return resolve_url(fallback)
