"""The webhook outbox: events recorded in the same transaction as the change they
report, then delivered at least once, signed, with backoff, outside any transaction."""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from core import clock
from core.audit import AuditAction
from core.services import audit_log_record

from ..models import (
    ApiClient,
    TransferCheck,
    WebhookEvent,
)
from ..webhooks import (
    UnsafeWebhookUrl,
    signed_headers,
    webhook_post,
    webhook_url_check,
)
from .check_body import transfer_check_body

logger = logging.getLogger(__name__)


def webhook_event_record(
    *, client: ApiClient, check: TransferCheck, event_type: str, now: datetime
) -> WebhookEvent:
    """Write the event in the caller's transaction and try to enqueue its delivery after
    commit. The row is the truth: if the broker is down, the periodic dispatcher sends it
    once the lease below has passed."""
    event = WebhookEvent.objects.create(
        client=client,
        check_ref=check,
        event_type=event_type,
        payload={
            "type": event_type,
            "timestamp": now.isoformat(),
            "data": transfer_check_body(check),
        },
        created_at=now,
        next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE),
    )
    transaction.on_commit(lambda: webhook_enqueue(event_id=str(event.pk)))
    return event


def webhook_enqueue(*, event_id: str) -> bool:
    """Hand an event to Celery without waiting on a broker that is down (no retries)."""
    from ..tasks import webhook_deliver

    try:
        webhook_deliver.apply_async((event_id,), retry=False)
    except Exception:  # any broker error: the outbox row stays due for the dispatcher
        logger.warning(
            "webhook %s not enqueued (broker unavailable); the outbox keeps it",
            event_id,
            exc_info=True,
        )
        return False
    return True


def webhook_backoff(attempt: int, rng: random.Random | None = None) -> timedelta:
    """Delay before retry number ``attempt`` (1-based): exponential from 30 s, capped at 6 h,
    with ±20 % jitter so failed receivers are not hit in lockstep."""
    base = min(30 * 2 ** (attempt - 1), 6 * 3600)
    jitter = (rng or random.SystemRandom()).uniform(0.8, 1.2)
    return timedelta(seconds=base * jitter)


def webhooks_dispatch_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Periodic: enqueue every due, undelivered event. Leases each one for
    WEBHOOK_DISPATCH_LEASE seconds so the next run does not enqueue it again meanwhile."""
    now = now or clock.now()
    with transaction.atomic():
        ids = list(
            WebhookEvent.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        WebhookEvent.objects.filter(id__in=ids).update(
            next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE)
        )
    sent = 0
    for event_id in ids:
        sent += webhook_enqueue(event_id=str(event_id))
    return sent


def webhook_deliver(*, event_id: str, now: datetime | None = None) -> str:
    """Try to deliver one event. Safe to run twice: a delivered or abandoned event, or one
    another worker is sending, is skipped. 2xx: delivered. 410: the client's endpoint is
    disabled (audited) and the event dropped. Otherwise the next attempt is scheduled with
    backoff, and after WEBHOOK_RETRY_WINDOW seconds the event is given up.

    No transaction is open during the POST: the event is leased first (``sending_until``,
    one short UPDATE), so a slow receiver holds no lock (on SQLite, no write lock on the
    whole database); a worker killed mid-POST leaves a lease that simply runs out."""
    now = now or clock.now()
    lease_end = now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE)
    leased = (
        WebhookEvent.objects.filter(pk=event_id, delivered_at__isnull=True, gave_up_at__isnull=True)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lte=now))
        .update(sending_until=lease_end, attempts=F("attempts") + 1)
    )
    if not leased:
        return "skipped"
    event = WebhookEvent.objects.select_related("client").get(pk=event_id)
    client = event.client
    status: int | None = None
    if not client.webhook_url or client.webhook_disabled_at:
        error = "no enabled webhook endpoint"
    else:
        body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed_headers(
            client.webhook_secrets(), event.message_id, int(now.timestamp()), body
        )
        try:
            addresses = webhook_url_check(client.webhook_url)
            status = webhook_post(client.webhook_url, body, headers, addresses=addresses)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except UnsafeWebhookUrl as unsafe:
            error = f"unsafe URL: {unsafe}"
        except OSError as failure:
            error = f"{type(failure).__name__}: {failure}"[:300]
    return _webhook_attempt_record(event, status=status, error=error, now=now)


@transaction.atomic
def _webhook_attempt_record(
    event: WebhookEvent, *, status: int | None, error: str, now: datetime
) -> str:
    """Store the outcome of one attempt and release the lease."""
    client = event.client
    event.last_status = status
    event.last_error = error
    event.sending_until = None
    if status is not None and 200 <= status < 300:
        event.delivered_at = now
        outcome = "delivered"
    elif not client.webhook_url or client.webhook_disabled_at:
        event.gave_up_at = now
        outcome = "no-endpoint"
    elif status == 410:
        event.gave_up_at = now
        client.webhook_disabled_at = now
        client.save(update_fields=["webhook_disabled_at"])
        audit_log_record(
            actor=None,
            action=AuditAction.WEBHOOK_ENDPOINT_DISABLED,
            target=client,
            data={"url": client.webhook_url, "event": event.message_id},
        )
        outcome = "disabled"
    elif now - event.created_at >= timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW):
        event.gave_up_at = now
        outcome = "gave-up"
    else:
        event.next_attempt_at = now + webhook_backoff(event.attempts)
        outcome = "retry"
    event.save(
        update_fields=[
            "last_status",
            "last_error",
            "sending_until",
            "delivered_at",
            "gave_up_at",
            "next_attempt_at",
        ]
    )
    if outcome != "delivered":
        logger.info("webhook %s: %s (%s)", event.message_id, outcome, error)
    return outcome
