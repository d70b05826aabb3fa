"""Standard Webhooks signing (https://www.standardwebhooks.com/) and the SSRF guard.

Signature: ``v1,`` + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), where the key is
the base64 part of the ``whsec_`` secret. During a secret rotation both secrets sign and the
``webhook-signature`` header carries both, separated by a space.

Receivers verify with :func:`quizzes.webhook_verify.verify` (standard library only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's prefix, not a secret


def webhook_secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(
    secrets_: list[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_),
        "content-type": "application/json",
    }


class UnsafeWebhookUrl(ValueError):
    """The URL is not an allowed webhook target (scheme, or an internal address)."""


def webhook_url_check(url: str) -> list[str]:
    """Refuse URLs that would make us call into our own network (SSRF): only http(s), and,
    unless ``WEBHOOK_ALLOW_PRIVATE_NETWORKS`` (dev and tests), only public addresses and
    https. Returns the resolved addresses. Checked when a client is saved and before every
    delivery (DNS answers change)."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
    allowed_schemes = ("http", "https") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise UnsafeWebhookUrl(f"the URL must be {' or '.join(allowed_schemes)} with a host")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("the URL must not contain credentials")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeWebhookUrl(f"the host does not resolve: {error}") from error
    addresses = sorted({str(info[4][0]) for info in infos})
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise UnsafeWebhookUrl(f"the host resolves to a non-public address ({ip})")
    return addresses
