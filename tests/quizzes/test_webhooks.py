"""Webhooks: Standard Webhooks signatures, the outbox, retries, 410, SSRF, a real worker."""

import base64
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.audit import AuditAction
from core.models import AuditLog
from quizzes import services
from quizzes.models import TransferCheck, WebhookEvent
from quizzes.webhook_verify import WebhookVerificationError, verify
from quizzes.webhooks import signed_headers, webhook_post, webhook_secret_generate

from .conftest import check_body, finish_check
from .factories import api_client


def signed(body=b'{"type":"transfer_check.completed"}', secrets=None, at=None):
    secrets = secrets or [webhook_secret_generate()]
    headers = signed_headers(secrets, "msg_1", int(at or time.time()), body)
    return body, headers, secrets


def test_a_valid_signature_verifies_and_returns_the_event():
    body, headers, secrets = signed()

    assert verify(body, headers, secrets[0]) == {"type": "transfer_check.completed"}


def test_the_secret_is_whsec_base64_and_the_signature_v1_base64():
    _body, headers, secrets = signed()

    assert len(base64.b64decode(secrets[0].removeprefix("whsec_"))) == 32
    version, _, value = headers["webhook-signature"].partition(",")
    assert version == "v1"
    assert len(base64.b64decode(value)) == 32


def test_a_tampered_body_is_rejected():
    body, headers, secrets = signed()

    with pytest.raises(WebhookVerificationError):
        verify(body.replace(b"completed", b"cancelled"), headers, secrets[0])


def test_a_tampered_id_or_another_secret_is_rejected():
    body, headers, secrets = signed()

    with pytest.raises(WebhookVerificationError):
        verify(body, {**headers, "webhook-id": "msg_2"}, secrets[0])
    with pytest.raises(WebhookVerificationError):
        verify(body, headers, webhook_secret_generate())


def test_a_stale_or_future_timestamp_is_rejected():
    body, headers, secrets = signed(at=time.time() - 600)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(body, headers, secrets[0])

    body, headers, secrets = signed(at=time.time() + 600)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(body, headers, secrets[0])


def test_during_rotation_both_secrets_sign_and_either_verifies():
    new, old = webhook_secret_generate(), webhook_secret_generate()
    body, headers, _ = signed(secrets=[new, old])

    assert len(headers["webhook-signature"].split()) == 2
    assert verify(body, headers, old)
    assert verify(body, headers, new)
    assert verify(body, headers, [webhook_secret_generate(), new])


def test_headers_are_found_whatever_their_case():
    body, headers, secrets = signed()

    assert verify(body, {k.title(): v for k, v in headers.items()}, secrets[0])


def test_the_backoff_grows_exponentially_with_jitter_and_spans_more_than_a_day():
    import random

    rng = random.Random(4)  # noqa: S311 - jitter, not cryptography
    delays = [services.webhook_backoff(n, rng).total_seconds() for n in range(1, 16)]

    assert 24 <= delays[0] <= 36
    assert 48 <= delays[1] <= 72
    assert all(d <= 6 * 3600 * 1.2 for d in delays)
    assert len({round(services.webhook_backoff(3).total_seconds(), 3) for _ in range(5)}) > 1
    total = 0.0
    attempts = 0
    while total < 25 * 3600:  # attempts made before giving up
        attempts += 1
        total += services.webhook_backoff(attempts, rng).total_seconds()
    assert 10 <= attempts <= 20


def completed_check(webhook_url, *, name="risk-system", stop=True):
    new = api_client(name=name, webhook_url=webhook_url)
    answer = services.transfer_check_create(
        client=new.client,
        idempotency_key=str(uuid.uuid4()),
        fingerprint="x",
        data={
            "subject": check_body()["subject"],
            "transfer": check_body()["transfer"],
            "risk": {"scam_types": ["impersonating_police"]},
        },
    )
    return new, finish_check(answer.body["id"], stop=stop)


@pytest.mark.django_db
def test_a_delivered_webhook_is_signed_and_carries_the_outcome(question_bank, receiver):
    new, check = completed_check(receiver.url)
    event = WebhookEvent.objects.get(check_ref=check)

    assert services.webhook_deliver(event_id=str(event.pk)) == "delivered"

    ((headers, body),) = receiver.received
    payload = verify(body, headers, new.webhook_secret)
    assert headers["webhook-id"] == event.message_id
    assert payload["type"] == "transfer_check.completed"
    assert payload["data"]["id"] == str(check.id)
    assert payload["data"]["status"] == "heeded"
    assert payload["data"]["score"] == check.total
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert services.webhook_deliver(event_id=str(event.pk)) == "skipped"
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_later_then_given_up_after_a_day(question_bank, receiver):
    receiver.status = 503
    _, check = completed_check(receiver.url)
    event = WebhookEvent.objects.get(check_ref=check)
    start = event.created_at

    assert services.webhook_deliver(event_id=str(event.pk), now=start) == "retry"
    event.refresh_from_db()
    assert event.attempts == 1
    assert event.last_status == 503
    assert timedelta(seconds=24) <= event.next_attempt_at - start <= timedelta(seconds=36)
    assert services.webhooks_dispatch_due(now=start + timedelta(seconds=10)) == 0

    later = start + timedelta(hours=25)
    assert services.webhook_deliver(event_id=str(event.pk), now=later) == "gave-up"
    event.refresh_from_db()
    assert event.gave_up_at == later
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_a_410_disables_the_endpoint(question_bank, receiver):
    receiver.status = 410
    new, check = completed_check(receiver.url)
    event = WebhookEvent.objects.get(check_ref=check)

    assert services.webhook_deliver(event_id=str(event.pk)) == "disabled"

    new.client.refresh_from_db()
    assert new.client.webhook_disabled_at is not None
    assert AuditLog.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_DISABLED).exists()
    # A later event for this client is not sent anywhere.
    other = finish_check(
        services.transfer_check_create(
            client=new.client,
            idempotency_key="later",
            fingerprint="y",
            data={"subject": {"ref": "u-2"}, "transfer": {"amount": "1.00", "currency": "CNY"}},
        ).body["id"]
    )
    later_event = WebhookEvent.objects.get(check_ref=other)
    assert services.webhook_deliver(event_id=str(later_event.pk)) == "no-endpoint"
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_in_production_a_webhook_to_a_private_address_is_not_sent(
    question_bank, receiver, settings
):
    _, check = completed_check(receiver.url)
    event = WebhookEvent.objects.get(check_ref=check)
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False

    assert services.webhook_deliver(event_id=str(event.pk)) == "retry"

    event.refresh_from_db()
    assert "unsafe URL" in event.last_error
    assert receiver.received == []


@pytest.mark.django_db
def test_rotating_the_secret_signs_with_both(question_bank, receiver):
    new, check = completed_check(receiver.url)
    fresh = services.api_client_rotate_webhook_secret(client=new.client)
    event = WebhookEvent.objects.get(check_ref=check)

    services.webhook_deliver(event_id=str(event.pk))

    ((headers, body),) = receiver.received
    assert len(headers["webhook-signature"].split()) == 2
    assert verify(body, headers, new.webhook_secret)
    assert verify(body, headers, fresh)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_outcome_once(question_bank, receiver, celery_worker):
    new, check = completed_check(receiver.url, stop=False)

    ((headers, body),) = receiver.wait_for(1)

    assert verify(body, headers, new.webhook_secret)["data"]["status"] == "proceeded"
    # the worker records the delivery after the POST returns
    event = WebhookEvent.objects.get(check_ref=check)
    deadline = time.monotonic() + 30
    while event.delivered_at is None:
        assert time.monotonic() < deadline, "the worker did not record the delivery"
        time.sleep(0.1)
        event.refresh_from_db()
    # one lease was taken (one POST), and a delivered event is never leased again
    assert event.attempts == 1
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_the_create_call_enqueues_nothing(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            "/api/v1/transfer-checks",
            data=json.dumps(check_body()),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-none",
        )

    assert response.status_code == 201
    assert callbacks == []
    assert TransferCheck.objects.count() == 1
    assert timezone.now() < TransferCheck.objects.get().expires_at


def test_the_post_goes_to_the_checked_address_without_a_second_lookup(receiver):
    # Given a host name that can never resolve (.invalid) and the address a check approved
    port = receiver.server.server_address[1]
    url = f"http://hooks.example.invalid:{port}/hooks/anquan?v=1"
    # When the event is posted
    status = webhook_post(url, b"{}", {"content-type": "application/json"}, addresses=["127.0.0.1"])
    # Then it reached the approved address, with the URL's host name in the Host header
    assert status == 204
    ((headers, body),) = receiver.received
    assert headers["host"] == f"hooks.example.invalid:{port}"
    assert body == b"{}"


def test_an_unreachable_first_address_falls_back_to_the_next(receiver):
    port = receiver.server.server_address[1]
    status = webhook_post(
        f"http://hooks.example.invalid:{port}/x", b"{}", {}, addresses=["127.0.0.2", "127.0.0.1"]
    )
    assert status == 204
