"""The transfer-check API as a risk system sees it: idempotency, scopes, isolation, limits."""

import json
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.audit import AuditAction
from core.models import AuditLog
from quizzes.models import IdempotencyKey, TransferCheck, WebhookEvent
from quizzes.services import request_fingerprint

from .conftest import check_body
from .factories import api_client

URL = "/api/v1/transfer-checks"


def create(api, body=None, key=None, **extra):
    return api.post(
        URL,
        data=json.dumps(body if body is not None else check_body()),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key if key is not None else str(uuid.uuid4()),
        **extra,
    )


@pytest.mark.django_db
def test_create_answers_201_with_a_pending_check_and_a_quiz_link(api, client_key):
    response = create(api)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["quiz_url"].startswith("http://127.0.0.1:8000/t/")
    check = TransferCheck.objects.get(pk=body["id"])
    assert check.client == client_key.client
    assert str(check.amount) == "5000.00"
    assert check.scam_types == ["impersonating_police"]
    assert body["expires_at"] == check.expires_at.isoformat()


@pytest.mark.django_db
def test_same_idempotency_key_and_body_returns_the_stored_answer(api):
    first = create(api, key="k-1")
    second = create(api, key="k-1")

    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert TransferCheck.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_the_same_json_in_another_key_order_is_the_same_body(api):
    body = check_body()
    first = create(api, body=body, key="k-order")
    reordered = {"risk": body["risk"], "transfer": body["transfer"], "subject": body["subject"]}

    second = create(api, body=reordered, key="k-order")

    assert second.json()["id"] == first.json()["id"]


@pytest.mark.django_db
def test_same_idempotency_key_with_other_body_is_rejected(api):
    create(api, key="k-2")

    response = create(
        api, body=check_body(transfer={"amount": "9.99", "currency": "CNY"}), key="k-2"
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/idempotency-key-reused"
    assert TransferCheck.objects.count() == 1


@pytest.mark.django_db
def test_a_concurrent_duplicate_in_flight_is_answered_409(api, client_key):
    # Given a first request that claimed the key and is still being processed

    IdempotencyKey.objects.create(
        client=client_key.client,
        key="k-3",
        request_hash=request_fingerprint(check_body()),
        expires_at=timezone.now() + timezone.timedelta(hours=24),
    )
    # When the duplicate arrives
    response = create(api, key="k-3")
    # Then it is told to retry, and nothing was created
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/idempotency-key-in-flight"
    assert TransferCheck.objects.count() == 0


@pytest.mark.django_db
def test_missing_idempotency_key_is_a_400(api):
    response = api.post(URL, data=json.dumps(check_body()), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/idempotency-key-missing"
    assert TransferCheck.objects.count() == 0


@pytest.mark.django_db
def test_keys_are_kept_24_hours_then_forgotten(api, client_key):
    from datetime import timedelta

    from quizzes.services import idempotency_keys_purge

    create(api, key="k-4")
    stored = IdempotencyKey.objects.get(key="k-4")
    assert stored.expires_at - stored.created_at >= timedelta(hours=24)

    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=23)) == 0
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=24, seconds=1)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"transfer": {"amount": 5000, "currency": "CNY"}}, "#/transfer/amount"),
        ({"transfer": {"amount": "-1.00", "currency": "CNY"}}, "#/transfer/amount"),
        ({"transfer": {"amount": "0", "currency": "CNY"}}, "#/transfer/amount"),
        ({"transfer": {"amount": "1.001", "currency": "CNY"}}, "#/transfer/amount"),
        ({"transfer": {"amount": "10.00", "currency": "XXX"}}, "#/transfer/currency"),
        ({"subject": {"ref": "张三 13800000000"}}, "#/subject/ref"),
        ({"subject": {"ref": "u-1", "phone": "13800000000"}}, "#/subject/phone"),
        ({"risk": {"scam_types": ["not_a_type"]}}, "#/risk/scam_types/0"),
        ({"risk": {"score": 1.5}}, "#/risk/score"),
        ({"extra": True}, "#/extra"),
        # wrong JSON types are refused, not coerced
        ({"risk": {"score": True}}, "#/risk/score"),
        ({"risk": {"score": "0.5"}}, "#/risk/score"),
        ({"subject": {"ref": 12345}}, "#/subject/ref"),
        ({"subject": {"ref": "u-1", "region_code": 330106}}, "#/subject/region_code"),
        ({"risk": {"reasons": [1]}}, "#/risk/reasons/0"),
    ],
)
def test_invalid_payloads_get_a_problem_pointing_at_the_field(api, change, pointer):
    response = create(api, body=check_body(**change))

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert pointer in [error["pointer"] for error in problem["errors"]]
    assert TransferCheck.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_malformed_request_problem(api):
    response = api.post(
        URL, data="{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-5"
    )

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-request"


@pytest.mark.django_db
def test_an_oversized_body_is_refused(api):
    body = check_body(risk={"reasons": ["x" * 40] * 300})

    response = create(api, body=body)

    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"


@pytest.mark.django_db
def test_no_key_or_a_wrong_key_is_401(client_key):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    assert create(anonymous).status_code == 401
    anonymous.credentials(HTTP_AUTHORIZATION=client_key.api_key[:-2] + "xx")
    wrong = create(anonymous)
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer " + client_key.api_key[:-2] + "xx")
    wrong = create(anonymous)
    assert wrong.status_code == 401
    assert wrong.json()["type"] == "/problems/not-authenticated"
    assert wrong["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_the_key_is_stored_hashed_and_only_its_prefix_is_shown(client_key):
    client = client_key.client
    assert client_key.api_key.startswith(f"aq_{client.key_prefix}_")
    assert client_key.api_key not in client.key_hash
    assert client_key.api_key.split("_", 2)[2] not in json.dumps(
        next(iter(type(client).objects.values())), default=str
    )


@pytest.mark.django_db
def test_a_client_without_the_scope_is_refused(db):
    from rest_framework.test import APIClient

    reader = api_client(name="reader", scopes=["checks:read"])
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {reader.api_key}")

    response = create(http)

    assert response.status_code == 403
    assert response.json()["type"] == "/problems/insufficient-scope"
    assert response.json()["scope"] == "checks:create"


@pytest.mark.django_db
def test_each_client_sees_only_its_own_checks(api):
    from rest_framework.test import APIClient

    check_id = create(api).json()["id"]
    other = api_client(name="other-bank")
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {other.api_key}")

    assert http.get(f"{URL}/{check_id}").status_code == 404
    assert (
        http.post(
            f"{URL}/{check_id}/resolution", {"resolution": "cancelled"}, format="json"
        ).status_code
        == 404
    )
    assert api.get(f"{URL}/{check_id}").status_code == 200
    assert api.get(f"{URL}/not-a-uuid").status_code == 404


@pytest.mark.django_db
def test_get_serves_status_outcome_and_timestamps(api, django_assert_num_queries):
    check_id = create(api).json()["id"]

    with django_assert_num_queries(1):  # the check (the client is remembered briefly)
        response = api.get(f"{URL}/{check_id}")

    body = response.json()
    assert body["id"] == check_id
    assert body["status"] == "pending"
    assert body["score"] is None
    assert body["flags"] == {"opened": False, "all_correct": None}
    assert body["created_at"] and body["expires_at"]
    assert body["resolution"] is None


@pytest.mark.django_db
def test_a_check_read_after_its_time_is_up_is_expired_at_once(api, client_key):
    # Given a check nobody opened, whose time ran out before the sweeper came by
    check_id = create(api).json()["id"]
    TransferCheck.objects.filter(pk=check_id).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    # When the risk system polls it (twice)
    first = api.get(f"{URL}/{check_id}").json()
    again = api.get(f"{URL}/{check_id}").json()
    # Then it reads expired, with its completion time, and one webhook is on its way
    assert first["status"] == again["status"] == "expired"
    assert first["completed_at"] == again["completed_at"] is not None
    assert WebhookEvent.objects.filter(check_ref_id=check_id).count() == 1


@pytest.mark.django_db
def test_the_create_call_stays_within_its_query_budget(api, django_assert_num_queries):
    create(api)  # warm the scam-type codes
    with django_assert_num_queries(7):
        # Inside the test's transaction: claim (savepoint, insert, release); check and stored
        # answer (savepoint, insert, update, release). In production on PostgreSQL: one
        # statement (test_outbox_services.py).
        assert create(api).status_code == 201


@pytest.mark.django_db
def test_resolution_is_recorded_once_and_audited(api):
    check_id = create(api).json()["id"]

    first = api.post(f"{URL}/{check_id}/resolution", {"resolution": "cancelled"}, format="json")
    again = api.post(f"{URL}/{check_id}/resolution", {"resolution": "cancelled"}, format="json")
    change = api.post(f"{URL}/{check_id}/resolution", {"resolution": "completed"}, format="json")

    assert first.status_code == 200
    assert first.json()["resolution"] == "cancelled"
    assert again.status_code == 200
    assert change.status_code == 409
    assert change.json()["type"] == "/problems/resolution-already-recorded"
    assert change.json()["recorded"] == "cancelled"
    assert (
        AuditLog.objects.filter(
            action=AuditAction.TRANSFER_CHECK_RESOLVED, target_id=check_id
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_an_unknown_resolution_is_a_validation_problem(api):
    check_id = create(api).json()["id"]

    response = api.post(f"{URL}/{check_id}/resolution", {"resolution": "maybe"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/resolution"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"resolution": "cancelled", "note": "x"}, "#/note"),
        ({"resolution": 1}, "#/resolution"),
        ({"resolution": True}, "#/resolution"),
    ],
)
def test_a_resolution_with_an_unknown_field_or_a_wrong_type_is_refused(api, body, pointer):
    check_id = create(api).json()["id"]

    response = api.post(f"{URL}/{check_id}/resolution", body, format="json")

    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]
    assert TransferCheck.objects.get(pk=check_id).resolution == ""


@pytest.mark.django_db
def test_rate_limit_answers_429_with_retry_after(db, clock):
    from datetime import UTC, datetime

    from django.core.cache import cache
    from rest_framework.test import APIClient

    clock.set(datetime(2026, 3, 2, 9, 30, 0, 500000, tzinfo=UTC))
    cache.clear()
    slow = api_client(name="small-bank", rate_limit_per_minute=2)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {slow.api_key}")

    statuses = [create(http).status_code for _ in range(3)]

    assert statuses[:2] == [201, 201]
    assert statuses[2] == 429
    limited = create(http)
    assert limited.json()["type"] == "/problems/rate-limited"
    assert limited["Retry-After"] == "60"
    assert limited.json()["retry_after"] == int(limited["Retry-After"])


@pytest.mark.django_db
def test_create_api_client_prints_key_and_secret_once_as_json(capsys):
    call_command(
        "create_api_client",
        "Bank A",
        "--webhook-url",
        "http://127.0.0.1:9/hook",
        "--scopes",
        "checks:create",
        "checks:read",
        "--json",
    )

    printed = json.loads(capsys.readouterr().out)
    assert printed["api_key"].startswith("aq_")
    assert printed["webhook_secret"].startswith("whsec_")
    from quizzes.models import ApiClient

    client = ApiClient.objects.get(name="Bank A")
    assert client.scopes == ["checks:create", "checks:read"]
    assert printed["api_key"] not in json.dumps(list(ApiClient.objects.values()), default=str)
    assert AuditLog.objects.filter(
        action=AuditAction.API_CLIENT_CREATED, target_id=str(client.pk)
    ).exists()


@pytest.mark.django_db
def test_create_api_client_refuses_an_internal_webhook_url_in_production(settings):
    from django.core.management.base import CommandError

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False

    for url in (
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "http://example.com/hook",
        "https://169.254.169.254/latest",
    ):
        with pytest.raises(CommandError, match="refused"):
            call_command("create_api_client", f"Bank {url}", "--webhook-url", url)


@pytest.mark.django_db
def test_with_the_cache_down_checks_are_still_created_and_the_cache_is_not_retried_each_time(
    api, monkeypatch, caplog
):
    from quizzes import auth

    calls = []

    def broken(key, amount):
        calls.append(key)
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(auth, "_window_count", broken)
    monkeypatch.setattr(auth, "_cache_down_until", 0.0)

    statuses = [create(api).status_code for _ in range(3)]

    assert statuses == [201, 201, 201]
    assert len(calls) == 1
    assert "rate limit not applied" in caplog.text


@pytest.mark.django_db
def test_a_deactivated_client_is_refused_at_once(api, client_key):
    # Given a client whose key was just used (so this process remembers it)
    assert create(api).status_code == 201
    # When staff deactivate it
    client = client_key.client
    client.is_active = False
    client.save()
    # Then its very next call is refused, on the fast path's request shape too
    refused = create(api)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert TransferCheck.objects.count() == 1
