"""On the production path (PostgreSQL + Redis): the outbox survives a broker outage, and a
duplicate create racing the first one is answered 409."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes import services
from quizzes.models import TransferCheck, WebhookEvent
from quizzes.webhook_verify import verify

from .conftest import check_body, finish_check
from .factories import api_client

pytestmark = pytest.mark.services


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


_restarted: list[subprocess.Popen] = []


@pytest.fixture(scope="session", autouse=True)
def _stop_restarted_redis():
    yield
    for proc in _restarted:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


@contextlib.contextmanager
def redis_stopped():
    """Stop the run's Redis server (SIGTERM, wait) and start it again on the same port."""
    port = int(os.environ["TEST_REDIS_PORT"])
    pid = int(os.environ["TEST_REDIS_PID"])
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while redis_answers(port):
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.1)
    try:
        yield
    finally:
        proc = subprocess.Popen(
            os.environ["TEST_REDIS_ARGS"].split("\x1f"),
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        _restarted.append(proc)
        os.environ["TEST_REDIS_PID"] = str(proc.pid)
        deadline = time.monotonic() + 15
        while not redis_answers(port):
            assert time.monotonic() < deadline, "Redis did not start again"
            time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_checks_completed_while_redis_is_down_are_each_delivered_once(
    question_bank, receiver, celery_worker, caplog
):
    from rest_framework.test import APIClient

    new = api_client(webhook_url=receiver.url)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {new.api_key}")

    # Given Redis (cache, rate limits and broker) is down
    with redis_stopped():
        # When checks are created through the API and completed by their users
        ids = []
        for n in range(3):
            response = http.post(
                "/api/v1/transfer-checks",
                data=json.dumps(check_body()),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"outage-{n}",
            )
            assert response.status_code == 201
            ids.append(response.json()["id"])
            finish_check(ids[-1], stop=n != 1)
        # Then every outcome waits in the outbox, nothing was sent
        assert WebhookEvent.objects.filter(delivered_at__isnull=True).count() == 3
        assert "not enqueued" in caplog.text
        assert "rate limit not applied" in caplog.text
        assert receiver.received == []

    # When Redis is back and the periodic dispatcher runs (after the lease)
    deadline = time.monotonic() + 90
    moment = timezone.now()
    while WebhookEvent.objects.filter(delivered_at__isnull=True).exists():
        assert time.monotonic() < deadline, "outbox not drained"
        moment += timedelta(minutes=3)
        services.webhooks_dispatch_due(now=moment)
        time.sleep(3)

    # Then each webhook arrived exactly once, signed, with its outcome
    received = receiver.wait_for(3)
    # every event is delivered after one lease (one POST each): no second send is in flight,
    # and a delivered event is never leased again
    assert list(WebhookEvent.objects.values_list("attempts", flat=True)) == [1, 1, 1]
    assert len(receiver.received) == 3
    by_id = {}
    for headers, body in received:
        by_id[headers["webhook-id"]] = verify(body, headers, new.webhook_secret)["data"]
    assert len(by_id) == 3
    assert sorted(d["id"] for d in by_id.values()) == sorted(ids)
    statuses = {d["id"]: d["status"] for d in by_id.values()}
    assert [statuses[i] for i in ids] == ["heeded", "proceeded", "heeded"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_check_and_the_loser_gets_409_or_the_answer(db):
    new = api_client()
    data = {"subject": check_body()["subject"], "transfer": check_body()["transfer"]}
    outcomes: list[object] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        from django.db import connection

        barrier.wait()
        try:
            outcomes.append(
                services.transfer_check_create(
                    client=new.client, idempotency_key="race", fingerprint="same", data=data
                ).body["id"]
            )
        except services.IdempotencyConflict:
            outcomes.append(409)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert TransferCheck.objects.count() == 1
    ids = {o for o in outcomes if o != 409}
    assert ids == {str(TransferCheck.objects.get().id)}
    assert len(outcomes) == 8
    assert uuid.UUID(ids.pop())


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_replay_and_reuse_behave_the_same(db):
    # The create call's PostgreSQL fast path (autocommit, one statement per phase).
    new = api_client()
    data = {"subject": check_body()["subject"], "transfer": check_body()["transfer"]}

    first = services.transfer_check_create(
        client=new.client, idempotency_key="k", fingerprint="a", data=data
    )
    again = services.transfer_check_create(
        client=new.client, idempotency_key="k", fingerprint="a", data=data
    )
    with pytest.raises(services.IdempotencyMismatch):
        services.transfer_check_create(
            client=new.client, idempotency_key="k", fingerprint="b", data=data
        )

    assert (first.replayed, again.replayed) == (False, True)
    assert again.body == first.body
    check = TransferCheck.objects.get()
    assert str(check.id) == first.body["id"]
    assert check.subject_ref == "u-8f3a21"
    assert str(check.amount) == "5000.00"
    assert check.age_band == "60_plus"


@pytest.mark.django_db(transaction=True)
def test_the_one_statement_stores_what_the_orm_would(db):
    # Given the same body created on the one-statement path and through the ORM
    from django.db import transaction

    new = api_client()
    body = check_body()
    data = {
        "subject": body["subject"],
        "transfer": {**body["transfer"], "amount": "1234.5"},
        "risk": {"score": 0.92345, "scam_types": ["impersonating_police"], "reasons": ["r_1"]},
    }
    fast = services.transfer_check_create(
        client=new.client, idempotency_key="fast", fingerprint="a", data=data
    )
    with transaction.atomic():  # inside a transaction the ORM path is taken
        orm = services.transfer_check_create(
            client=new.client, idempotency_key="orm", fingerprint="a", data=data
        )
    # Then both rows hold the same values, field by field
    one = TransferCheck.objects.get(pk=fast.body["id"])
    two = TransferCheck.objects.get(pk=orm.body["id"])
    skip = {"id", "created_at", "expires_at"}
    for field in TransferCheck._meta.concrete_fields:
        if field.attname not in skip:
            assert getattr(one, field.attname) == getattr(two, field.attname), field.attname
    assert str(one.amount) == "1234.50"
    assert str(one.risk_score) == "0.9235"
    assert one.expires_at - one.created_at == two.expires_at - two.created_at


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_arriving_while_the_first_is_being_written_is_answered_409(db):
    # Given a first request with key "slow" that is still inside its statement (another
    # connection holds the key's lock, as the first request's transaction does)
    import psycopg
    from django.db import connection

    new = api_client()
    data = {"subject": check_body()["subject"], "transfer": check_body()["transfer"]}
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other, other.transaction():
        other.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [services._advisory_lock_id(new.client.pk, "slow")],
        )
        # When the duplicate arrives meanwhile
        with pytest.raises(services.IdempotencyConflict):
            services.transfer_check_create(
                client=new.client, idempotency_key="slow", fingerprint="a", data=data
            )
        # Then nothing was written for it, and another key is not held up
        other_key = services.transfer_check_create(
            client=new.client, idempotency_key="other", fingerprint="a", data=data
        )
    assert TransferCheck.objects.count() == 1
    assert other_key.status == 201
    # And once the first is done, the same key works (here: it creates, as the holder wrote
    # nothing)
    after = services.transfer_check_create(
        client=new.client, idempotency_key="slow", fingerprint="a", data=data
    )
    assert (after.status, after.replayed) == (201, False)
    assert TransferCheck.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_create_call_is_one_statement(db, django_assert_num_queries):
    new = api_client()
    data = {"subject": check_body()["subject"], "transfer": check_body()["transfer"]}
    services.transfer_check_create(
        client=new.client, idempotency_key="w", fingerprint="a", data=data
    )
    with django_assert_num_queries(1):
        created = services.transfer_check_create(
            client=new.client, idempotency_key="one", fingerprint="a", data=data
        )
    assert created.status == 201
    assert TransferCheck.objects.filter(pk=created.body["id"]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_one_statement_flags_an_amount_above_the_ceiling(db, settings):
    # Given the platform's ceiling of 50,000 yuan
    settings.PROTECTED_FUNDS_CEILING_CNY = 50_000
    new = api_client()
    body = check_body()

    # When checks above and at the ceiling are created on the PostgreSQL hot path
    answers = [
        services.transfer_check_create(
            client=new.client,
            idempotency_key=amount,
            fingerprint=amount,
            data={**body, "transfer": {**body["transfer"], "amount": amount}},
        )
        for amount in ("50000.01", "50000.00")
    ]

    # Then only the one above it waits for staff
    flags = [TransferCheck.objects.get(pk=a.body["id"]).amount_flagged for a in answers]
    assert flags == [True, False]
