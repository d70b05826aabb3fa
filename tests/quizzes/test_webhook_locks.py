"""The sender holds no database lock while a receiver answers. Its own module: a test
module whose Celery worker is running (tests/quizzes/test_webhooks.py starts one) would
race this test for the event's lease."""

from __future__ import annotations

import json

import pytest

from quizzes import services
from quizzes.demo import questions_load
from quizzes.models import WebhookEvent

from .conftest import FIXTURE
from .test_webhooks import completed_check


@pytest.mark.django_db(transaction=True)
def test_no_lock_is_held_while_the_receiver_answers(receiver):
    # Given a completed check whose receiver, while it answers, tries to send the same event
    # again and writes to the database from another connection
    from core.models import WorkerPing

    from .conftest import contract_codes

    contract_codes()
    questions_load(entries=json.loads(FIXTURE.read_text("utf-8")))
    _, check = completed_check(receiver.url)
    event = WebhookEvent.objects.get(check_ref=check)
    seen: list[object] = []

    def meanwhile() -> None:
        from django.db import connection

        try:
            seen.append(services.webhook_deliver(event_id=str(event.pk)))
            seen.append(WorkerPing.objects.create())
        except Exception as error:
            seen.append(error)
        finally:
            connection.close()

    receiver.on_post = meanwhile
    # When the event is delivered
    outcome = services.webhook_deliver(event_id=str(event.pk))
    # Then the second sender was told it is taken, the write went through at once, and the
    # receiver got the event once
    assert outcome == "delivered"
    assert seen[0] == "skipped"
    assert isinstance(seen[1], WorkerPing), seen
    assert WorkerPing.objects.filter(pk=seen[1].pk).exists()
    assert len(receiver.received) == 1
    event.refresh_from_db()
    assert event.sending_until is None
    assert event.attempts == 1
