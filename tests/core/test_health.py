import json
import socket
import subprocess
import sys

import pytest

from tests.conftest import ROOT, USING_SERVICES, database_url_of_test_db, process_env

READYZ = """
import json, django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/readyz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when we leave: nothing listens there


def readyz_in_a_process(**env: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", READYZ],
        cwd=ROOT,
        env=process_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_and_broker_ok(client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    if USING_SERVICES:
        assert body["checks"]["cache"]["status"] == "ok"


def test_readyz_fails_with_503_when_the_database_is_down():
    result = readyz_in_a_process(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/gone")

    assert result["status"] == 503
    assert result["body"]["status"] == "error"
    assert result["body"]["checks"]["database"] == {"status": "error"}
    # The probe names the failing part and nothing of the failure: no exception text, no
    # host, port or user of the database.
    assert "OperationalError" not in json.dumps(result["body"])
    assert "gone" not in json.dumps(result["body"]) and "postgres" not in json.dumps(result["body"])


@pytest.mark.django_db
def test_readyz_fails_with_503_when_redis_is_down(django_db_setup):
    result = readyz_in_a_process(
        DATABASE_URL=database_url_of_test_db(),
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    assert result["status"] == 503
    assert result["body"]["checks"]["database"]["status"] == "ok"
    assert result["body"]["checks"]["broker"]["status"] == "error"
    assert result["body"]["checks"]["cache"]["status"] == "error"


def test_metrics_are_exposed_for_prometheus(client):
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert "django_http_requests_total_by_method_total" in response.content.decode()


def test_metrics_can_require_a_bearer_token(client, settings):
    settings.METRICS_BEARER_TOKEN = "s3cret-token"

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_metrics_are_closed_in_production_without_a_token(client, settings):
    settings.SETTINGS_PROFILE = "production"
    settings.METRICS_BEARER_TOKEN = ""

    response = client.get("/metrics")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
