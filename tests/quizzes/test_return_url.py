"""The way back to the app: return URLs registered per client, the create call's
``return_url``, on both create paths, in the idempotency check and in the schema."""

import copy
import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from core.audit import AuditAction
from core.models import AuditLog
from quizzes import api as quiz_api
from quizzes.models import ApiClient, TransferCheck

from .conftest import check_body
from .factories import api_client
from .test_fast_path import ODD_VALUES

URL = "/api/v1/transfer-checks"
APP = "myapp://transfer/done"
WEB = "https://pay.example.cn/transfer/return"


@pytest.fixture
def registered(db):
    from .conftest import contract_codes

    contract_codes()
    return api_client(name="bank-with-return", return_urls=[APP, WEB])


def drf_view():
    return super(quiz_api.TransferCheckCreateApi, quiz_api.TransferCheckCreateApi).as_view.__func__(
        quiz_api.TransferCheckCreateApi
    )


def request(new, body, key=None):
    return RequestFactory().post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {new.api_key}",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["fast", "drf"])
def test_a_registered_return_url_is_kept_on_the_check(registered, path):
    body = check_body(return_url=APP)

    if path == "fast":
        response = quiz_api.transfer_check_create_fast(request(registered, body))
    else:
        response = drf_view()(request(registered, body)).render()

    assert response.status_code == 201
    check = TransferCheck.objects.get(pk=json.loads(response.content)["id"])
    assert check.return_url == APP


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["myapp://transfer/other", "https://evil.example/", APP + "/"])
def test_an_unregistered_return_url_is_refused_with_a_clear_problem_on_both_paths(registered, url):
    body = check_body(return_url=url)

    # The fast path leaves it to the DRF view, which explains
    assert quiz_api.transfer_check_create_fast(request(registered, body)) is None
    response = drf_view()(request(registered, body)).render()

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["type"].endswith("/problems/return-url-not-registered")
    assert problem["return_url"] == url
    assert "create_api_client --return-url" in problem["detail"] or problem["title"]
    assert not TransferCheck.objects.exists()


@pytest.mark.django_db
def test_a_client_without_return_urls_may_not_send_one(client_key):
    response = drf_view()(request(client_key, check_body(return_url=APP))).render()

    assert response.status_code == 422
    assert json.loads(response.content)["type"].endswith("/return-url-not-registered")


@pytest.mark.django_db
def test_the_return_url_is_part_of_the_idempotent_body(registered):
    first = quiz_api.transfer_check_create_fast(
        request(registered, check_body(return_url=APP), key="k-1")
    )
    again = quiz_api.transfer_check_create_fast(
        request(registered, check_body(return_url=APP), key="k-1")
    )
    other = quiz_api.transfer_check_create_fast(
        request(registered, check_body(return_url=WEB), key="k-1")
    )

    assert first.status_code == 201
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert other.status_code == 422
    assert json.loads(other.content)["type"].endswith("/idempotency-key-reused")
    assert TransferCheck.objects.count() == 1


@pytest.mark.django_db
def test_the_fast_validator_and_the_serializers_agree_on_return_url(registered):
    for value in [*ODD_VALUES, APP, WEB, "x" * 501]:
        body = check_body(return_url=value)
        serializer = quiz_api.TransferCheckCreateApi.Input(data=copy.deepcopy(body))
        valid = serializer.is_valid()
        fast = quiz_api.transfer_check_input_fast(copy.deepcopy(body))
        if fast is not None:
            assert valid, value
            assert json.loads(json.dumps(serializer.validated_data)) == fast, value
    assert quiz_api.transfer_check_input_fast(check_body(return_url=APP)) is not None


@pytest.mark.django_db
def test_create_api_client_registers_return_urls_and_audits_them(capsys):
    call_command("create_api_client", "Bank R", "--return-url", APP, "--return-url", WEB, "--json")

    printed = json.loads(capsys.readouterr().out)
    assert printed["return_urls"] == [APP, WEB]
    client = ApiClient.objects.get(name="Bank R")
    assert client.return_urls == [APP, WEB]
    audit = AuditLog.objects.get(action=AuditAction.API_CLIENT_CREATED, target_id=str(client.pk))
    assert audit.data["return_urls"] == [APP, WEB]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://pay.example.cn/return",
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "https://",
        "myapp:",
        "myapp://",
        "relative/path",
        "https://user:pw@pay.example.cn/",
        "myapp://transfer done",
        "https://pay.example.cn/" + "x" * 500,
    ],
)
def test_create_api_client_refuses_a_return_url_that_may_not_be_registered(url):
    with pytest.raises(CommandError, match="Return URL refused"):
        call_command("create_api_client", "Bank X", "--return-url", url)
    assert not ApiClient.objects.filter(name="Bank X").exists()


@pytest.mark.django_db
def test_the_schema_documents_return_url_and_its_problem(client):
    schema = client.get("/api/schema/?format=json").json()

    create = schema["components"]["schemas"]["TransferCheckCreateRequest"]
    assert "return_url" in create["properties"]
    assert "return_url" not in create.get("required", [])
    assert "registered return URLs" in create["properties"]["return_url"]["description"]
    assert client.get("/problems/return-url-not-registered").status_code == 200
