"""Idempotency keys of the create call: claim a key, replay its stored answer, refuse
the same key with another body, purge expired keys."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from core import clock
from core.exceptions import DomainError

from ..models import (
    ApiClient,
    IdempotencyKey,
)

logger = logging.getLogger(__name__)


class IdempotencyConflict(DomainError):
    """Another request with this key is still being processed."""

    code = "idempotency-key-in-flight"


class IdempotencyMismatch(DomainError):
    """This key was used with another body."""

    code = "idempotency-key-reused"


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(data: Any) -> str:
    """Same JSON value, same fingerprint, whatever the key order or spacing."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim_insert(
    client: ApiClient, key: str, fingerprint: str, now: datetime
) -> IdempotencyKey | None:
    """Insert the claim in its own transaction; None if the key is taken (then the caller
    reads the stored row). The portable path: the claim is committed before the check is
    written, so a concurrent duplicate finds it in flight."""
    claim = IdempotencyKey(
        client=client,
        key=key,
        request_hash=fingerprint,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL),
    )
    try:
        with transaction.atomic():
            claim.save(force_insert=True)
    except IntegrityError:
        return None
    return claim


def _stored_answer(
    client: ApiClient, key: str, fingerprint: str, now: datetime
) -> StoredAnswer | None:
    """The answer stored under a key that is taken: a replay, or IdempotencyMismatch /
    IdempotencyConflict; None if the row was expired or stale and is now gone (claim again)."""
    stored = IdempotencyKey.objects.filter(client=client, key=key).first()
    if stored is None:
        return None  # deleted meanwhile: claim again
    stale = stored.response_status is None and stored.created_at < now - timedelta(
        seconds=settings.IDEMPOTENCY_IN_FLIGHT_TIMEOUT
    )
    if stored.expires_at <= now or stale:
        IdempotencyKey.objects.filter(pk=stored.pk).delete()
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyMismatch
    if stored.response_status is None:
        raise IdempotencyConflict
    return StoredAnswer(stored.response_status, stored.response_body or {}, True)


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or clock.now()).delete()
    return deleted
