"""Every process type is stateless: a check created through one web process is answered
through another, and its webhook is delivered once, by one of two workers, all sharing
nothing but PostgreSQL and Redis (bench/topology.py starts them as the Procfile does)."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from bench.topology import QuizWalker, Topology, receiver
from quizzes.models import TransferCheck, WebhookEvent
from quizzes.webhook_verify import verify
from tests.conftest import process_env

from .conftest import check_body
from .factories import api_client

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _create(base: str, key: str) -> dict[str, object]:
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    connection.request(
        "POST",
        "/api/v1/transfer-checks",
        body=json.dumps(check_body()),
        headers={
            "Authorization": f"Bearer {key}",
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json",
        },
    )
    answer = connection.getresponse()
    body = json.loads(answer.read())
    assert answer.status == 201, body
    return body


def _delivery_tasks(log: str) -> int:
    return len(re.findall(r"Task quizzes\.webhook_deliver\[[^\]]+\] received", log))


def test_a_check_made_on_one_web_process_is_answered_on_another_and_delivered_once(
    question_bank, tmp_path
):
    # Given two web processes and two workers, on one database and one Redis, and the risk
    # system's webhook endpoint on loopback
    with receiver() as endpoint, Topology(process_env(), tmp_path / "logs") as topology:
        client = api_client(webhook_url=endpoint.url)
        first, second = topology.web("web-a", wait=False), topology.web("web-b", wait=False)
        workers = [topology.worker(f"worker-{n}", wait=False) for n in (1, 2)]
        topology.wait()

        # When the check is created through the first, and the user answers the quiz with
        # every request going to the other process than the one before (the Start form's
        # POST, each answer, each redirect, the final choice)
        created = _create(first, client.api_key)
        walker = QuizWalker([second, first], decision="stop")
        last = walker.walk(str(created["quiz_url"]))

        # Then the check is heeded, as the other process recorded it
        check = TransferCheck.objects.get(pk=created["id"])
        assert check.status == "heeded", last.html[:2000]
        assert walker.requests >= 6
        # ... its webhook arrives, signed, once; and no second copy follows
        deliveries = endpoint.wait_for(1, timeout=30)
        time.sleep(3)
        deliveries = endpoint.received()
        assert len(deliveries) == 1
        event = verify(deliveries[0].body, deliveries[0].headers, client.webhook_secret)
        assert event["data"]["id"] == str(check.pk)
        assert event["data"]["status"] == "heeded"
        assert WebhookEvent.objects.get(check_ref=check).delivered_at is not None
        # ... handed to exactly one of the two workers
        tasks = [_delivery_tasks(worker.text()) for worker in workers]
        assert sorted(tasks) == [0, 1], tasks
