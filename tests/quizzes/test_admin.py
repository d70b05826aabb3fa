"""Staff edits of API clients in the admin are audited with before and after, secrets never."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from quizzes.models import ApiClient
from tests.admin_forms import change_form_data
from tests.factories import UserFactory

from .factories import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(roles=[Role.STAFF], is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def entry_text(entry: AuditLog) -> str:
    return json.dumps([entry.data, entry.before, entry.after], default=str)


def test_changing_an_api_clients_limit_and_activity_writes_one_audit_row(client, superuser):
    # Given a client with the default limit, active
    new = api_client(name="bank-a")
    url = reverse("admin:quizzes_apiclient_change", args=[new.client.pk])
    page = client.get(url)
    AuditLog.objects.all().delete()  # the creation's own entry is not what this test is about

    # When staff lower its limit and switch it off in the admin
    data = change_form_data(page, rate_limit_per_minute="60")
    data.pop("is_active")
    response = client.post(url, data)

    # Then one audit row records who changed what, from what to what
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get()
    assert entry.action == AuditAction.API_CLIENT_CHANGED
    assert entry.actor == superuser
    assert (entry.target_type, entry.target_id) == ("quizzes.apiclient", str(new.client.pk))
    assert entry.before == {"is_active": True, "rate_limit_per_minute": 600}
    assert entry.after == {"is_active": False, "rate_limit_per_minute": 60}
    assert entry.data == {"via": "admin"}


def test_saving_an_api_client_unchanged_writes_no_audit_row(client, superuser):
    new = api_client(name="bank-a")
    url = reverse("admin:quizzes_apiclient_change", args=[new.client.pk])
    data = change_form_data(client.get(url))
    AuditLog.objects.all().delete()

    client.post(url, data)

    assert not AuditLog.objects.exists()


def test_deleting_an_api_client_is_audited_without_its_secrets(client, superuser):
    # Given a client with a key and a webhook secret
    new = api_client(name="bank-a", webhook_url="http://127.0.0.1:9/hook")
    stored = ApiClient.objects.get(pk=new.client.pk)
    AuditLog.objects.all().delete()

    # When staff delete it in the admin
    response = client.post(
        reverse("admin:quizzes_apiclient_delete", args=[stored.pk]), {"post": "yes"}
    )

    # Then one row keeps what it was, and names the secrets without their values
    assert response.status_code == 302
    assert not ApiClient.objects.exists()
    entry = AuditLog.objects.get()
    assert entry.action == AuditAction.API_CLIENT_DELETED
    assert entry.actor == superuser
    assert entry.after is None
    assert entry.before["name"] == "bank-a"
    assert entry.before["webhook_url"] == "http://127.0.0.1:9/hook"
    assert set(entry.data["secrets_changed"]) >= {"key_hash", "webhook_secret"}
    text = entry_text(entry)
    for secret in (stored.key_hash, stored.webhook_secret, new.api_key, new.webhook_secret):
        assert secret not in text
