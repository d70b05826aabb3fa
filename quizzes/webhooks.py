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
import http.client
import ipaddress
import secrets
import socket
import ssl
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
    https. Returns the resolved addresses, which the delivery then connects to (see
    :func:`webhook_post`). Checked when a client is saved and before every delivery (DNS
    answers change)."""
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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address we checked, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address; the certificate is verified for the URL's host name."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def webhook_post(url: str, body: bytes, headers: dict[str, str], *, addresses: list[str]) -> int:
    """POST to the URL at one of the ``addresses`` :func:`webhook_url_check` approved (no
    second DNS lookup, so a DNS answer that changes between check and connect, "DNS
    rebinding", cannot steer us inside our network); the Host header and the TLS name stay
    the URL's. Redirects are not followed. Returns the HTTP status; network errors raise
    OSError (the last one if no address answers)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise UnsafeWebhookUrl("the URL must have a host")
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    failure: OSError = OSError("no address to connect to")
    for address in addresses:
        connection = connection_class(
            parts.hostname, parts.port, address, timeout=settings.WEBHOOK_TIMEOUT
        )
        try:
            try:
                connection.connect()
            except OSError as error:
                failure = error
                continue
            connection.request("POST", target, body=body, headers=headers)
            return connection.getresponse().status
        finally:
            connection.close()
    raise failure
