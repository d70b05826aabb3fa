"""Least data: the create call never takes a mobile number or a resident ID number as the
subject reference, on the fast path or the DRF path, and says so with its own problem type."""

import json

import pytest
from django.test import RequestFactory

from quizzes import api as quiz_api
from quizzes.models import TransferCheck
from quizzes.subjects import MOBILE, RESIDENT_ID, subject_ref_personal_kind

from .conftest import check_body


def id18(first17: str) -> str:
    """A resident ID number with its right check character (GB 11643)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


VALID_ID = id18("11010519491231002")  # the standard's own example: ends in X
OLD_ID = "110105491231002"  # the 15-digit form, born 1949-12-31


@pytest.mark.parametrize(
    "ref",
    ["13812345678", "8613812345678", "008613812345678", "138-1234-5678", "u-13912345678",
     "tel13800138000", "user:19912345678", "u.138.1234.5678"],
)  # fmt: skip
def test_mobile_numbers_are_recognised_in_their_usual_forms(ref):
    assert subject_ref_personal_kind(ref) == MOBILE


@pytest.mark.parametrize("ref", [VALID_ID, VALID_ID.lower(), f"id-{VALID_ID}", OLD_ID])
def test_resident_id_numbers_are_recognised_with_their_check_character(ref):
    assert VALID_ID.endswith("X")
    assert subject_ref_personal_kind(ref) == RESIDENT_ID


@pytest.mark.parametrize(
    "ref",
    [
        "u-8f3a21",
        "7d6f1c3a-5a47-4c33-9a3b-1f0d7c0b2f10",  # a UUID
        "a3f1c9e0b2d4f6a8c0e2b4d6f8a0c2e4",  # a hex digest
        "12812345678",  # 11 digits but no mobile prefix (12x)
        VALID_ID[:-1] + ("1" if VALID_ID[-1] != "1" else "2"),  # wrong check character
        "110105491331002",  # 15 digits whose "birth date" has month 13
        "1234567890",  # 10 digits
        "order-20261201-000123",
    ],
)
def test_pseudonyms_and_near_misses_are_accepted(ref):
    assert subject_ref_personal_kind(ref) is None


def _request(client_key, key, ref):
    return RequestFactory().post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body(subject={"ref": ref, "age_band": "60_plus"})),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.django_db
def test_both_create_paths_refuse_a_phone_or_id_number_with_the_problem_type(client_key):
    drf_view = super(
        quiz_api.TransferCheckCreateApi, quiz_api.TransferCheckCreateApi
    ).as_view.__func__(quiz_api.TransferCheckCreateApi)

    # When a careless client sends a mobile number through the fast path and an ID number
    # through the DRF view
    fast = quiz_api.transfer_check_create_fast(_request(client_key, "k1", "13812345678"))
    slow = drf_view(_request(client_key, "k2", VALID_ID)).render()

    # Then both are refused with the same problem type, naming the field, and nothing is kept
    for response, kind in [(fast, MOBILE), (slow, RESIDENT_ID)]:
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        body = json.loads(response.content)
        assert body["type"] == "/problems/subject-ref-personal-data"
        assert body["looks_like"] == kind
        assert body["pointer"] == "#/subject/ref"
        assert "13812345678" not in response.content.decode()
    assert TransferCheck.objects.count() == 0


@pytest.mark.django_db
def test_the_problem_type_has_its_page(client):
    page = client.get("/problems/subject-ref-personal-data")

    assert page.status_code == 200
    assert "pseudonymous" in page.content.decode() or "假名" in page.content.decode()


@pytest.mark.django_db
def test_a_pseudonymous_reference_is_still_created_through_the_whole_api(api):
    response = api.post(
        "/api/v1/transfer-checks",
        check_body(),
        format="json",
        HTTP_IDEMPOTENCY_KEY="ok-1",
    )

    assert response.status_code == 201
    assert TransferCheck.objects.get().subject_ref == "u-8f3a21"
