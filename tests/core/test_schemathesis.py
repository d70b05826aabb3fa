"""A bounded property-based run of every API operation against the schema it publishes.

Schemathesis reads ``/api/schema/`` from the app in-process (WSGI, no server), generates
valid requests for each operation and checks that none answers a server error and every
answer matches the schema (status and body). Derandomized, so a run is repeatable; a few
examples per operation, so it stays a matter of seconds. Each operation is called as the
role it is for: an API client with every scope for the transfer checks, a volunteer for
the session sync, a learner for ``/me/``, staff for the reach figures; the rest anonymous.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from edu.packages import course_package_import, read_folder
from tests.campaigns.factories import CampaignFactory, region_tree, volunteer_in
from tests.edu.conftest import FIXTURE_COURSE
from tests.factories import UserFactory
from tests.quizzes.conftest import contract_codes
from tests.quizzes.factories import api_client

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
OPERATIONS = sorted(
    result.ok().label for result in SCHEMA.get_all_operations()
)  # "POST /api/v1/campaign-sessions", …
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES = 25

pytestmark = pytest.mark.django_db


def session_of(user: Any) -> dict[str, Any]:
    """A signed-in browser's cookies, with a CSRF token as the sync's script sends it."""
    browser = Client()
    browser.force_login(user)
    token = secrets.token_hex(16)
    return {
        "headers": {"X-CSRFToken": token},
        "cookies": {"sessionid": browser.cookies["sessionid"].value, "csrftoken": token},
    }


@pytest.fixture
def same_connection() -> Any:
    """As Django's test client does: a request must not close the test's database
    connection (the test's transaction holds every row the run makes)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(settings: Any, tmp_path: Any) -> dict[str, dict[str, Any]]:
    settings.MEDIA_ROOT = tmp_path / "media"
    contract_codes()
    course_package_import(files=read_folder(FIXTURE_COURSE), by=None, publish=True)
    regions = region_tree()
    campaign = CampaignFactory()
    campaign.target_counties.set([regions["leishan"]])
    key = api_client(rate_limit_per_minute=1_000_000).api_key
    return {
        "/api/v1/transfer-checks": {"headers": {"Authorization": f"Bearer {key}"}},
        "/api/v1/campaign-sessions": session_of(volunteer_in(campaign, regions["leishan"])),
        "/api/v1/me/": session_of(UserFactory(roles=[Role.LEARNER])),
        "/api/v1/reach": session_of(UserFactory(roles=[Role.STAFF])),
    }


def credentials_for(case: Any, callers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    caller = next((c for prefix, c in callers.items() if case.path.startswith(prefix)), {})
    # The WSGI transport does not inflate a gzipped answer as an HTTP client would.
    headers = {"Accept-Encoding": "identity", **caller.get("headers", {})}
    if case.operation.method.upper() == "POST" and case.path == "/api/v1/transfer-checks":
        # One key per request: the generated one would repeat and replay or conflict.
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return {"headers": headers, "cookies": caller.get("cookies", {})}


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_answers_as_its_schema_says(
    label: str, callers: Any, same_connection: None
) -> None:
    operation = SCHEMA.find_operation_by_label(label)
    assert operation is not None

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        cache.clear()  # the per-address and per-user rate limits count every example
        case.call_and_validate(**credentials_for(case, callers), checks=CHECKS)

    call()


def test_the_run_covers_every_operation_of_the_api() -> None:
    assert {label.split()[1] for label in OPERATIONS} >= {
        "/api/v1/transfer-checks",
        "/api/v1/transfer-checks/{check_id}/resolution",
        "/api/v1/campaign-sessions",
        "/api/v1/campaign-sessions/{client_uuid}/photos",
        "/api/v1/campaign-sessions/{client_uuid}/resubmit",
        "/api/v1/me/courses/",
        "/api/v1/reach",
        "/api/v1/regions/",
        "/api/v1/courses/",
    }
