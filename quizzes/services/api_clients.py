"""The risk systems' API clients: keys (stored hashed), webhook secrets, and the
per-process cache that authenticates a key without a query on the hot path."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from core.audit import AuditAction
from core.services import audit_log_record

from .. import selectors
from ..models import (
    ApiClient,
)
from ..webhooks import (
    webhook_secret_generate,
    webhook_url_check,
)

logger = logging.getLogger(__name__)


KEY_PREFIX = "aq_"

# Schemes a return link may never use: script and local content, and plain http (a link
# back into a payment app must not be open to rewriting on the way).
_REFUSED_RETURN_SCHEMES = frozenset(
    {"http", "javascript", "data", "file", "blob", "vbscript", "about", "ftp", "ws", "wss"}
)
_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.\-]*")
RETURN_URL_MAX_LENGTH = 500


class UnsafeReturnUrl(ValueError):
    """The URL cannot be registered as a return URL (its scheme, form or length)."""


def return_url_check(url: str) -> str:
    """A return URL fit to register: https, or an app's own scheme (``alipays://…``,
    ``myapp://transfer/done``) with something after it; never http, script or local
    content; no spaces or control characters; at most 500 characters. Returns it as given
    (matching is exact, so it is not normalised)."""
    if not url or len(url) > RETURN_URL_MAX_LENGTH:
        raise UnsafeReturnUrl(f"give 1 to {RETURN_URL_MAX_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise UnsafeReturnUrl("the URL must not contain spaces or control characters")
    parts = urlsplit(url)
    if not _SCHEME_RE.fullmatch(parts.scheme) or parts.scheme in _REFUSED_RETURN_SCHEMES:
        raise UnsafeReturnUrl("the URL must be https or an app's own scheme (myapp://…)")
    if not url.startswith(f"{parts.scheme}://") or len(url) == len(parts.scheme) + 3:
        raise UnsafeReturnUrl("the URL must be absolute: scheme://…")
    if parts.scheme == "https" and not parts.hostname:
        raise UnsafeReturnUrl("an https URL needs a host")
    if parts.username or parts.password:
        raise UnsafeReturnUrl("the URL must not contain credentials")
    return url


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_split(key: str) -> str | None:
    """The public prefix of a key of the form ``aq_<prefix>_<secret>``, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, rest = key[len(KEY_PREFIX) :].partition("_")
    return prefix if sep and len(prefix) == 8 and rest else None


@dataclass(frozen=True)
class NewApiClient:
    client: ApiClient
    api_key: str
    webhook_secret: str


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes: list[str],
    webhook_url: str = "",
    return_urls: list[str] | None = None,
    rate_limit_per_minute: int = 600,
    by: Any | None = None,
) -> NewApiClient:
    """Create a client; the key and webhook secret are returned once and only the key's hash
    is kept. Raises UnsafeWebhookUrl for a URL that fails the SSRF check and UnsafeReturnUrl
    for a return URL that may not be registered. Audited."""
    if webhook_url:
        webhook_url_check(webhook_url)
    return_urls = list(dict.fromkeys(return_url_check(url) for url in return_urls or []))
    prefix = secrets.token_hex(4)
    api_key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    secret = webhook_secret_generate()
    client = ApiClient.objects.create(
        name=name,
        key_prefix=prefix,
        key_hash=api_key_hash(api_key),
        scopes=sorted(set(scopes)),
        webhook_url=webhook_url,
        return_urls=return_urls,
        webhook_secret=secret,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    audit_log_record(
        actor=by,
        action=AuditAction.API_CLIENT_CREATED,
        target=client,
        data={
            "name": name,
            "scopes": client.scopes,
            "key_prefix": prefix,
            "return_urls": return_urls,
        },
    )
    return NewApiClient(client=client, api_key=api_key, webhook_secret=secret)


@transaction.atomic
def api_client_rotate_webhook_secret(*, client: ApiClient, by: Any | None = None) -> str:
    """Start a rotation: a new secret signs beside the old one until the next rotation."""
    client.previous_webhook_secret = client.webhook_secret
    client.webhook_secret = webhook_secret_generate()
    client.save(update_fields=["webhook_secret", "previous_webhook_secret"])
    audit_log_record(actor=by, action=AuditAction.WEBHOOK_SECRET_ROTATED, target=client)
    return client.webhook_secret


# Clients found by key, per process, for a few seconds: the create call's hot path then needs
# no query for authentication. Deactivating a client or changing its limit takes effect within
# API_CLIENT_CACHE_SECONDS.
_client_cache: dict[str, tuple[float, ApiClient]] = {}


def api_clients_forget() -> None:
    """Drop the clients this process remembers (after a client was changed)."""
    _client_cache.clear()


def api_client_authenticate(key: str) -> ApiClient | None:
    """The active client whose key this is, or None (constant-time hash comparison)."""
    digest = api_key_hash(key)
    cached = _client_cache.get(digest)
    if cached is not None and time.monotonic() - cached[0] < settings.API_CLIENT_CACHE_SECONDS:
        return cached[1]
    prefix = api_key_split(key)
    if prefix is None:
        return None
    client = selectors.api_client_by_prefix(prefix)
    if client is None or not secrets.compare_digest(client.key_hash, digest):
        return None
    if len(_client_cache) > 1000:
        _client_cache.clear()
    _client_cache[digest] = (time.monotonic(), client)
    return client
