"""Bearer authentication, scopes and per-client rate limits for the transfer-check API."""

from __future__ import annotations

import functools
import logging
import math
from typing import Any, cast

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.commands.core import Script
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core import clock
from core.problems import INSUFFICIENT_SCOPE, Problem

from .models import ApiClient
from .services import api_client_authenticate

logger = logging.getLogger(__name__)


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer aq_<prefix>_<secret>``; the request's user is the ApiClient."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiClient] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send exactly one key after Bearer."))
        client = api_client_authenticate(header[1].decode("latin-1"))
        if client is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        return client, client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents the Bearer API key in the OpenAPI schema."""

    target_class = "quizzes.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's key: Authorization: Bearer aq_<prefix>_<secret>",
        }


def request_client(request: Request) -> ApiClient:
    """The ApiClient a request authenticated as: ApiKeyAuthentication makes it the request's
    user (DRF types request.user as an account). Views call this behind HasScope, which has
    already refused any other principal."""
    client = request.user
    if not isinstance(client, ApiClient):
        raise exceptions.NotAuthenticated()
    return client


class HasScope(BasePermission):
    """The view names its ``required_scope``; a client without it gets insufficient-scope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated()
        scope = view.required_scope
        if not client.has_scope(scope):
            raise Problem(
                INSUFFICIENT_SCOPE, _("This key lacks the scope %s.") % scope, scope=scope
            )
        return True


# After a cache failure the limiter stands aside this long (per process), so an unreachable
# Redis costs one connect timeout, not one per request.
CACHE_RETRY_SECONDS = 5
_cache_down_until = 0.0
WINDOW_KEY_SECONDS = 120  # a window's counter outlives its minute, then expires

# INCRBY and the counter's lifetime in one atomic step: a key is never left without expiry
# (and one left so by an older version gets one on its next use).
_INCR_WITH_EXPIRY = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return count
"""


@functools.cache
def _redis_incr_with_expiry() -> Script:
    """The script bound to one Redis client per process, built from settings.REDIS_URL with
    the cache's socket options (a client per call costs more than the round trip)."""
    options = cast(dict[str, Any], settings.CACHES["default"].get("OPTIONS", {}))
    timeouts = {
        name: value
        for name, value in options.items()
        if name in ("socket_connect_timeout", "socket_timeout")
    }
    client = redis.Redis.from_url(settings.REDIS_URL, **timeouts)
    return client.register_script(_INCR_WITH_EXPIRY)


def _window_count(key: str, amount: int) -> int:
    """Add ``amount`` to a one-minute window's counter and return the new total: on Redis one
    atomic script (INCRBY with its EXPIRE), on other cache backends add + incr."""
    backend = caches["default"]  # the backend itself (``cache`` is a proxy to it)
    if isinstance(backend, RedisCache) and settings.REDIS_URL:
        full_key = backend.make_and_validate_key(key)
        return int(_redis_incr_with_expiry()(keys=[full_key], args=[amount, WINDOW_KEY_SECONDS]))
    cache.add(key, 0, timeout=WINDOW_KEY_SECONDS)
    return int(cache.incr(key, amount))


# Permits this process took from the shared counter and has not used yet:
# (client id, key hash) -> (window, permits left).
_leases: dict[tuple[int, str], tuple[int, int]] = {}
LEASE_MAX = 20


def rate_limit_lease_size(limit_per_minute: int) -> int:
    """How many permits one process takes from the shared counter at a time: one for small
    limits (exact), at most 0.5 % of the limit and LEASE_MAX for large ones. Permits a
    process leased but did not use in a window are lost, so a client may be limited up to
    0.5 % early per web process, never late."""
    return max(1, min(LEASE_MAX, limit_per_minute // 200))


def rate_limit_wait(client: ApiClient) -> float | None:
    """Count one request of this client in its one-minute window: None if it is allowed,
    else the seconds until the window ends. A fixed window per client, counted in the shared
    cache (Redis past one machine) in leases of a few permits, so a busy client costs one
    Redis round trip per lease, not per request. If the cache is down the request is let
    through and a warning logged: the rate limit protects us, it must not take the API down
    with it."""
    now = clock.time()
    window = int(now // 60)
    lease_key = (client.pk, client.key_hash)
    leased_window, left = _leases.get(lease_key, (-1, 0))
    if leased_window == window and left > 0:
        _leases[lease_key] = (window, left - 1)
        return None
    global _cache_down_until
    if clock.monotonic() < _cache_down_until:
        return None  # the cache failed a moment ago: do not wait on it again per request
    limit = client.rate_limit_per_minute
    size = rate_limit_lease_size(limit)
    try:
        count = _window_count(f"quizzes:rate:{client.pk}:{window}", size)
    except Exception:
        _cache_down_until = clock.monotonic() + CACHE_RETRY_SECONDS
        logger.warning(
            "rate limit not applied for client %s: cache unavailable (retrying in %d s)",
            client.pk,
            CACHE_RETRY_SECONDS,
            exc_info=True,
        )
        return None
    granted = min(size, limit - (count - size))  # the leased permits within the limit
    if granted <= 0:
        return (window + 1) * 60 - now
    if len(_leases) > 1000:
        _leases.clear()
    _leases[lease_key] = (window, granted - 1)
    return None


class ClientRateThrottle(BaseThrottle):
    """DRF's face of :func:`rate_limit_wait`."""

    wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return True
        self.wait_seconds = rate_limit_wait(client)
        return self.wait_seconds is None

    def wait(self) -> float | None:
        # Whole seconds, rounded up: Retry-After: 0 would invite an immediate retry.
        return None if self.wait_seconds is None else float(math.ceil(self.wait_seconds))
