"""Celery tasks of the quizzes app: thin wrappers that load by id and call a service.

Retries are not Celery countdowns: the outbox row's ``next_attempt_at`` holds the schedule and
the periodic ``quizzes.webhooks_dispatch_due`` re-enqueues due rows, so no countdown ever
outlives the Redis visibility timeout.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="quizzes.webhook_deliver")
def webhook_deliver(event_id: str) -> str:
    return services.webhook_deliver(event_id=event_id)


@shared_task(name="quizzes.webhooks_dispatch_due")
def webhooks_dispatch_due() -> int:
    return services.webhooks_dispatch_due()


@shared_task(name="quizzes.transfer_checks_expire_due")
def transfer_checks_expire_due() -> int:
    return services.transfer_checks_expire_due()


@shared_task(name="quizzes.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    return services.idempotency_keys_purge()


@shared_task(name="quizzes.check_subjects_purge")
def check_subjects_purge() -> int:
    return services.transfer_check_subjects_purge()
