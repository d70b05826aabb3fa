import json
import logging

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from core.logging import JsonFormatter, RequestIdFilter


def test_log_lines_are_json_with_the_request_id_and_extra_fields():
    record = logging.LogRecord(
        "anquan.test", logging.WARNING, __file__, 1, "sent %s", ("短信",), None
    )
    record.check_id = "chk_1"
    RequestIdFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["level"] == "WARNING"
    assert line["msg"] == "sent 短信"
    assert line["check_id"] == "chk_1"
    assert line["request_id"] == "-"


def test_every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-42")["X-Request-ID"] == "lb-42"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_seed_demo_creates_a_login_for_every_role_and_can_run_twice(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "anquan-demo-2026" in out
    for username in ("learner", "elder", "volunteer", "coordinator", "editor", "staff"):
        assert username in out
    assert User.objects.filter(username__in=["learner", "volunteer"]).count() == 2
    assert User.objects.get(username="volunteer").has_perm("accounts.log_field_sessions")
    assert User.objects.get(username="coordinator").has_perm("accounts.review_field_sessions")
    assert User.objects.get(username="editor").is_staff
    assert User.objects.get(username="elder").display_name == "张𠮷英"


@pytest.mark.django_db
def test_seed_demo_refuses_the_production_profile(settings):
    settings.SETTINGS_PROFILE = "production"

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_the_openapi_schema_documents_the_regions_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    schema = response.json()
    assert schema["openapi"].startswith("3.")
    params = {p["name"] for p in schema["paths"]["/api/v1/regions/"]["get"]["parameters"]}
    assert {"level", "parent", "page"} <= params


def test_the_interactive_docs_load_only_local_assets(client):
    html = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
