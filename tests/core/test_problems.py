import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.problems import REGISTRY


class TwoPerMinute(AnonRateThrottle):
    rate = "2/min"
    scope = "test-two-per-minute"


class ThrottledApi(APIView):
    permission_classes = []
    throttle_classes = [TwoPerMinute]

    def get(self, request):
        return Response({"ok": True})


class BrokenApi(APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("a bug")


urlpatterns = [
    path("api/v1/test/throttled", ThrottledApi.as_view()),
    path("api/v1/test/broken", BrokenApi.as_view()),
    path("", include("config.urls")),
]
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"


def test_unknown_api_url_is_a_problem_document(client):
    response = client.get("/api/v1/does-not-exist")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "未找到",
        "status": 404,
        "detail": "未找到",
        "instance": "/api/v1/does-not-exist",
    }


def test_unknown_page_is_a_friendly_page_in_chinese(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


@pytest.mark.urls("tests.core.test_problems")
def test_rate_limit_answers_429_with_retry_after():
    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert client.get("/api/v1/test/throttled").status_code == 200

    response = client.get("/api/v1/test/throttled")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["type"] == "/problems/rate-limited"
    assert response.json()["retry_after"] == int(response["Retry-After"])


@pytest.mark.urls("tests.core.test_problems")
def test_an_unexpected_error_in_the_api_is_a_500_problem_not_a_page():
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/test/broken")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/server-error"
    assert "a bug" not in response.content.decode()


def test_every_problem_type_has_a_page_explaining_it(client):
    for slug, kind in REGISTRY.items():
        response = client.get(f"/problems/{slug}")
        assert response.status_code == 200, slug
        assert str(kind.title) in response.content.decode()


@pytest.mark.django_db
def test_malformed_json_is_a_problem(client, django_user_model):
    # Any JSON endpoint: regions only allows GET, so POST gives 405 before parsing.
    response = client.post("/api/v1/regions/", "{not json", content_type="application/json")

    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


@pytest.mark.django_db
def test_a_nul_character_in_a_query_string_is_a_clear_400(client):
    page = client.get("/courses/?q=%00")
    api = client.get("/api/v1/regions/?search=a%00b")

    assert page.status_code == 400
    assert "text/html" in page["Content-Type"]
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["type"] == "/problems/malformed-request"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/me/courses/"), ("post", "/api/v1/campaign-sessions")],
)
def test_a_signed_out_call_to_a_session_api_is_a_401_with_a_sign_in_challenge(client, method, path):
    answer = getattr(client, method)(path, content_type="application/json")

    assert answer.status_code == 401
    assert answer.json()["type"] == "/problems/not-authenticated"
    assert answer.json()["status"] == 401
    assert answer["WWW-Authenticate"] == 'Session realm="/accounts/login/"'
