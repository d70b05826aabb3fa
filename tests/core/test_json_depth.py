"""JSON nested past the limit is refused before it is parsed: a 400 problem, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework.test import APIClient

from core.json_input import json_depth
from quizzes.models import TransferCheck
from tests.campaigns.factories import CampaignFactory, region_tree, volunteer_in
from tests.quizzes.conftest import check_body, contract_codes
from tests.quizzes.factories import api_client

DEEP = "[" * 1000 + "]" * 1000  # 2 KB that exhausts a recursive decoder


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[{{{{"}', 1),  # brackets inside a string are text
        ('{"a": "say \\"[[[\\" \\\\", "b": [[]]}', 3),  # escaped quotes and backslashes
        ("  42 ", 0),
        (DEEP, 1000),
        ('["\\u005b[[', 1),  # unterminated: counted as far as it goes, no error
    ],
)
def test_the_depth_is_measured_without_parsing(text, depth):
    assert json_depth(text.encode()) == depth


def _problem(answer) -> dict:
    assert answer.status_code == 400, answer.content[:300]
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "/problems/malformed-request"
    return body


@pytest.fixture
def risk_api(db):
    contract_codes()
    client = api_client()
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {client.api_key}")
    return http


@pytest.mark.django_db
def test_a_deeply_nested_create_call_is_a_clear_400(risk_api):
    for i, payload in enumerate(
        [DEEP, json.dumps({**check_body(), "risk": json.loads("[" * 40 + "]" * 40)})]
    ):
        answer = risk_api.generic(
            "POST",
            "/api/v1/transfer-checks",
            payload,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"deep-{i}",
        )
        _problem(answer)
    assert not TransferCheck.objects.exists()


@pytest.mark.django_db
def test_a_body_within_the_limit_still_creates_the_check(risk_api):
    answer = risk_api.post(
        "/api/v1/transfer-checks", check_body(), format="json", HTTP_IDEMPOTENCY_KEY="shallow"
    )
    assert answer.status_code == 201


@pytest.mark.django_db
def test_a_deeply_nested_resolution_is_a_clear_400(risk_api):
    created = risk_api.post(
        "/api/v1/transfer-checks", check_body(), format="json", HTTP_IDEMPOTENCY_KEY="r"
    ).json()

    answer = risk_api.generic(
        "POST",
        f"/api/v1/transfer-checks/{created['id']}/resolution",
        DEEP,
        content_type="application/json",
    )

    _problem(answer)
    assert TransferCheck.objects.get(pk=created["id"]).resolution == ""


@pytest.mark.django_db
def test_a_deeply_nested_session_sync_is_a_clear_400_and_saves_nothing(client):
    regions = region_tree()
    campaign = CampaignFactory()
    campaign.target_counties.set([regions["leishan"]])
    volunteer = volunteer_in(campaign, regions["leishan"])
    client.force_login(volunteer)
    payload = f'{{"client_uuid": "{uuid.uuid4()}", "attendees": {DEEP}}}'

    answer = client.generic(
        "POST", "/api/v1/campaign-sessions", payload, content_type="application/json"
    )

    _problem(answer)
