"""Changes of a user's flags and permissions in the admin are audited, passwords never."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from tests.admin_forms import change_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_making_a_user_staff_with_a_permission_writes_one_audit_row(client, superuser):
    # Given a learner without staff access
    learner = UserFactory(roles=[Role.LEARNER])
    permission = Permission.objects.get(codename="view_auditlog")
    url = reverse("admin:accounts_user_change", args=[learner.pk])
    page = client.get(url)

    # When a superuser makes them staff and grants one permission
    data = change_form_data(page, is_staff="on", user_permissions=[str(permission.pk)])
    response = client.post(url, data)

    # Then one row has the flag and the permission before and after
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(learner.pk))
    assert entry.action == AuditAction.USER_CHANGED
    assert entry.actor == superuser
    assert entry.target_type == "accounts.user"
    assert entry.before == {"is_staff": False, "user_permissions": []}
    assert entry.after == {"is_staff": True, "user_permissions": ["core.view_auditlog"]}
    assert entry.data == {"via": "admin"}


def test_creating_a_user_in_the_admin_names_the_password_but_records_no_hash(client, superuser):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "newstaff", "password1": "a-long-Passw0rd!", "password2": "a-long-Passw0rd!"},
    )

    assert response.status_code == 302
    entry = AuditLog.objects.get(action=AuditAction.USER_CREATED)
    assert entry.actor == superuser
    assert entry.after["username"] == "newstaff"
    assert "password" not in entry.after
    assert entry.data == {"via": "admin", "secrets_changed": ["password"]}


def test_setting_a_password_on_the_admin_password_page_is_audited_by_name(client, superuser):
    # Given a user
    learner = UserFactory(roles=[Role.LEARNER])
    old_hash = learner.password

    # When a superuser sets a new password on the admin's password page
    response = client.post(
        f"/admin/accounts/user/{learner.pk}/password/",
        {
            "password1": "a-long-Passw0rd!",
            "password2": "a-long-Passw0rd!",
            "set_usable_password": "true",
        },
    )

    # Then one row says the password changed, without either hash
    assert response.status_code == 302
    learner.refresh_from_db()
    entry = AuditLog.objects.get(target_id=str(learner.pk))
    assert entry.action == AuditAction.USER_CHANGED
    assert entry.actor == superuser
    assert entry.data == {"via": "admin", "secrets_changed": ["password"]}
    assert (entry.before, entry.after) == ({}, {})
    text = str([entry.data, entry.before, entry.after])
    assert old_hash not in text and learner.password not in text
