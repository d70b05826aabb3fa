"""Sign-in protection helpers used by django-axes (settings AXES_*)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
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


def rate_counted(key: str, limit: int, window: int) -> bool:
    """Count one more use of ``key`` in the cache (shared by every process with Redis);
    True while the count in the current window stays within ``limit``."""
    if cache.add(key, 1, timeout=window):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True


def password_reset_allowed(*, address: str, email: str) -> bool:
    """Whether a reset mail may go out for this request: at most
    PASSWORD_RESET_PER_EMAIL_HOUR mails to one address an hour (nobody floods a victim's
    mailbox) and PASSWORD_RESET_PER_ADDRESS_HOUR requests from one client address. Over the
    limit the page says the same as always, so it tells nothing either way."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    per_address = rate_counted(
        f"pwreset:ip:{address}", int(settings.PASSWORD_RESET_PER_ADDRESS_HOUR), 3600
    )
    per_email = rate_counted(
        f"pwreset:mail:{digest}", int(settings.PASSWORD_RESET_PER_EMAIL_HOUR), 3600
    )
    return per_address and per_email


def password_confirmed(request: HttpRequest, user: Any, password: str) -> bool:
    """Whether ``password`` is ``user``'s, asked again by a page that needs it (deleting the
    account, changing the password). Checked through ``authenticate`` and so through
    django-axes: a wrong password counts as a failed sign-in of that account and address,
    and a locked account is refused even with the right one, so a borrowed session cannot
    be used to guess the password at leisure."""
    from django.contrib.auth import authenticate

    confirmed = authenticate(request, username=user.get_username(), password=password)
    return confirmed is not None and confirmed.pk == user.pk
