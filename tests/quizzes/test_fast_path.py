"""The create call's fast path accepts only what the DRF serializers accept, yields the same
data, and answers exactly as the DRF view does; everything else falls through to DRF."""

import copy
import json
import uuid

import pytest
from django.test import RequestFactory

from quizzes import api as quiz_api
from quizzes.models import TransferCheck

from .conftest import check_body

ODD_VALUES = [
    None,
    "",
    " ",
    " 60_plus ",
    "x" * 300,
    0,
    1,
    -1,
    0.5,
    1.5,
    True,
    False,
    [],
    {},
    ["a"],
    "5000",
    "0.00",
    "-1",
    "1e3",
    "５０００",
    "330106\n",
    "３３０１０６",
    "abc",
    "impersonating_police",
    "new_payee",
    "zh-hans",
    "zh-hant",
    "CNY",
    "app",
    "personal",
    "NaN",
]


def paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def mutated(body, path, value=..., delete=False):
    out = copy.deepcopy(body)
    target = out
    for part in path[:-1]:
        target = target[part]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


def variants():
    base = check_body()
    yield base
    minimal = {"subject": {"ref": "u1"}, "transfer": {"amount": "1", "currency": "CNY"}}
    yield minimal
    yield {**minimal, "risk": {}}
    yield {**minimal, "risk": {"scam_types": [], "reasons": []}}
    for path in list(paths(base)):
        yield mutated(base, path, delete=True)
        for value in ODD_VALUES:
            yield mutated(base, path, value)
    for level in [(), ("subject",), ("transfer",), ("risk",)]:
        yield mutated(base, (*level, "surprise"), "x")
    yield []
    yield "body"
    yield None


@pytest.mark.django_db
def test_the_fast_validator_never_accepts_what_the_serializers_refuse(client_key):
    for body in variants():
        serializer = quiz_api.TransferCheckCreateApi.Input(data=copy.deepcopy(body))
        valid = serializer.is_valid()
        fast = quiz_api.transfer_check_input_fast(copy.deepcopy(body))
        if fast is not None:
            assert valid, body
            assert json.loads(json.dumps(serializer.validated_data)) == fast, body


@pytest.mark.django_db
def test_the_fast_validator_takes_every_plainly_valid_body(client_key):
    # Plainly valid: the full body, the minimal one, and the full one without any optional
    # field (only DRF's lenient coercions, such as " x " or 1 for a string, are left to it)
    base = check_body()
    plain = [base, {"subject": {"ref": "u1"}, "transfer": {"amount": "0.01", "currency": "HKD"}}]
    plain += [mutated(base, path, delete=True) for path in paths(base)]
    taken = 0
    for body in plain:
        if quiz_api.TransferCheckCreateApi.Input(data=copy.deepcopy(body)).is_valid():
            assert quiz_api.transfer_check_input_fast(body) is not None, body
            taken += 1
    assert taken >= 10


@pytest.mark.django_db
def test_plainly_valid_requests_take_the_fast_path_and_others_fall_through(client_key):
    factory = RequestFactory()

    def request(body, **headers):
        return factory.post(
            "/api/v1/transfer-checks",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}",
            **headers,
        )

    created = quiz_api.transfer_check_create_fast(
        request(check_body(), HTTP_IDEMPOTENCY_KEY="fast-1")
    )
    assert created is not None and created.status_code == 201
    assert TransferCheck.objects.count() == 1
    # Anything needing an explanation is left to DRF, and nothing is written for it
    assert quiz_api.transfer_check_create_fast(request(check_body())) is None  # no key
    bad = check_body(transfer={"amount": "-5", "currency": "CNY"})
    assert quiz_api.transfer_check_create_fast(request(bad, HTTP_IDEMPOTENCY_KEY="f2")) is None
    assert TransferCheck.objects.count() == 1


@pytest.mark.django_db
def test_fast_and_drf_paths_answer_alike(client_key):
    # Given the same valid request sent once through each path (different keys)
    factory = RequestFactory()
    drf_view = super(
        quiz_api.TransferCheckCreateApi, quiz_api.TransferCheckCreateApi
    ).as_view.__func__(quiz_api.TransferCheckCreateApi)

    def request(key, body=None):
        return factory.post(
            "/api/v1/transfer-checks",
            data=json.dumps(body or check_body()),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    fast = quiz_api.transfer_check_create_fast(request("a"))
    slow = drf_view(request("b")).render()
    fast_replay = quiz_api.transfer_check_create_fast(request("b"))
    slow_replay = drf_view(request("a")).render()
    other_body = check_body(transfer={"amount": "1.00", "currency": "CNY"})
    fast_reused = quiz_api.transfer_check_create_fast(request("a", other_body))
    slow_reused = drf_view(request("a", other_body)).render()

    # Then status, headers and the shape of the body are the same
    for one, two in [(fast, slow), (fast_replay, slow_replay), (fast_reused, slow_reused)]:
        assert one.status_code == two.status_code
        for header in ["Content-Type", "Vary", "Allow", "Idempotent-Replayed"]:
            assert one.get(header) == two.get(header), header
        first, second = json.loads(one.content), json.loads(two.content)
        assert first.keys() == second.keys()
    assert json.loads(fast_replay.content) == json.loads(slow.content)
    assert json.loads(fast_reused.content) == json.loads(slow_reused.content)
    assert fast_reused.status_code == 422
    assert uuid.UUID(json.loads(fast.content)["id"])


@pytest.mark.django_db
def test_the_operation_behind_the_fast_path_is_still_documented(client):
    schema = client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/transfer-checks"]["post"]
    assert operation["operationId"] == "transfer_checks_create"
    assert operation["parameters"][0]["name"] == "Idempotency-Key"
    request_schema = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request_schema.endswith("/TransferCheckCreateRequest")
