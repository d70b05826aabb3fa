"""Sign-in protection helpers used by django-axes (settings AXES_*)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address failed sign-ins are counted against (AXES_CLIENT_IP_CALLABLE).

    Without proxies (TRUSTED_PROXY_COUNT=0) it is the peer, REMOTE_ADDR. Behind N reverse
    proxies that each append the address they saw to X-Forwarded-For, it is the N-th entry
    from the right: what our outermost proxy saw. Entries further left come from the client
    and are ignored, so a forged header cannot move a guesser to a fresh address."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(settings.TRUSTED_PROXY_COUNT)
    if proxies <= 0:
        return peer
    forwarded = [
        part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    ]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Not through all our proxies: a request inside the network, or misconfiguration.
        return peer
    return forwarded[-proxies]
