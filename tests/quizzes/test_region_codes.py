"""The create call takes a county code only if the regions table has it, on both paths."""

import json
import uuid

import pytest
from django.test import RequestFactory

from quizzes import api as quiz_api
from quizzes.models import TransferCheck
from regions.services import region_rows_parse, regions_load

from .conftest import check_body

URL = "/api/v1/transfer-checks"
pytestmark = pytest.mark.django_db


def body_in(county: str) -> dict:
    body = check_body()
    body["subject"]["region_code"] = county
    return body


def create(api, body):
    return api.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def fast_request(client_key, body):
    return RequestFactory().post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


@pytest.mark.parametrize("county", ["999999", "330100", "000000"])
def test_a_county_code_not_in_the_regions_table_is_a_400_problem(api, client_key, county):
    # Given a code that is well formed but names no county of the table (or a prefecture)
    body = body_in(county)

    # When the risk system creates a check with it
    fast = quiz_api.transfer_check_create_fast(fast_request(client_key, body))
    response = create(api, body)

    # Then the fast path hands it over, and the DRF view answers a problem at the field
    assert fast is None
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert "#/subject/region_code" in [error["pointer"] for error in problem["errors"]]
    assert TransferCheck.objects.count() == 0


def test_a_known_county_code_is_taken_by_the_fast_path_and_by_drf(api, client_key):
    # Given the contract's example county, which the regions table has
    body = body_in("330106")

    # When a check is created on each path
    fast = quiz_api.transfer_check_create_fast(fast_request(client_key, body))
    serializer = quiz_api.TransferCheckCreateApi.Input(data=body)

    # Then both take it
    assert fast is not None and fast.status_code == 201
    assert serializer.is_valid(), serializer.errors
    assert TransferCheck.objects.get().region_code == "330106"


def test_a_county_loaded_into_the_table_is_known_at_once(api, client_key):
    # Given a county the table does not have yet: refused (and the codes are now cached)
    assert create(api, body_in("522634")).status_code == 400

    # When load_regions' service adds it
    regions_load(rows=region_rows_parse(["520000 贵州省", "522600 黔东南州", "522634 雷山县"]))

    # Then the same process takes it without waiting for the cache to expire
    assert create(api, body_in("522634")).status_code == 201


def test_a_prefecture_level_city_without_counties_counts_as_its_own_county(api, client_key):
    # Given Dongguan, a prefecture-level city with no county-level division under it
    regions_load(rows=region_rows_parse(["440000 广东省", "441900 东莞市"]))

    # Then its people can be placed by its own code
    assert create(api, body_in("441900")).status_code == 201
