import json
from pathlib import Path

import pytest
from django.core.cache import cache

from quizzes.demo import questions_load

from .factories import api_client

FIXTURE = Path(__file__).with_name("questions_fixture.json")


@pytest.fixture
def question_bank(db):
    """The small fixture bank (same format as the real demo file), loaded and published."""
    questions_load(entries=json.loads(FIXTURE.read_text("utf-8")))


@pytest.fixture
def client_key(db):
    cache.clear()
    return api_client()


@pytest.fixture
def api(client_key):
    from rest_framework.test import APIClient

    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}")
    return http


def check_body(**changes):
    body = {
        "subject": {
            "ref": "u-8f3a21",
            "age_band": "60_plus",
            "locale": "zh-hans",
            "region_code": "330106",
        },
        "transfer": {
            "amount": "5000.00",
            "currency": "CNY",
            "channel": "app",
            "payee_type": "personal",
        },
        "risk": {"score": 0.92, "scam_types": ["impersonating_police"], "reasons": ["new_payee"]},
    }
    body.update(changes)
    return body
