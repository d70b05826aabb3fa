"""Verify a webhook from the Anquan platform (Standard Webhooks). Copy this file as it is:
it needs the Python standard library only.

Example, in any web framework::

    from webhook_verify import verify, WebhookVerificationError

    try:
        event = verify(request_body_bytes, request_headers, "whsec_...")
    except WebhookVerificationError:
        return 400
    if already_processed(request_headers["webhook-id"]):   # delivery is at least once
        return 204
    handle(event)                                           # event["type"], event["data"]
    return 204

Pass the raw body bytes exactly as received (not re-serialised JSON). During a secret
rotation pass both secrets, ``[new, old]``; a signature by either is accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """The message is not authentic, or too old or too new to trust (replay protection)."""


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"missing header {name}")


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | Iterable[str],
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> dict[str, Any]:
    """Return the parsed event if a ``v1`` signature by one of the secrets matches and the
    timestamp is within ``tolerance`` seconds of now; raise WebhookVerificationError if not."""
    message_id = _header(headers, "webhook-id")
    timestamp_text = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature").split()
    try:
        timestamp = int(timestamp_text)
    except ValueError as error:
        raise WebhookVerificationError("invalid timestamp") from error
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise WebhookVerificationError("timestamp outside the tolerance")
    signed = f"{message_id}.{timestamp}.".encode() + body
    for one in [secret] if isinstance(secret, str) else list(secret):
        key = base64.b64decode(one.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for candidate in signatures:
            version, _, value = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(value, expected):
                event: dict[str, Any] = json.loads(body)
                return event
    raise WebhookVerificationError("no matching signature")
