"""The sign-in libraries' admins are audited like ours: lockouts cleared, TOTP devices."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import AuditAction
from core.models import AuditLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_clearing_a_lockout_in_the_admin_is_audited(client, superuser):
    # Given an address locked out after guesses at one account
    attempt = AccessAttempt.objects.create(
        username="wangxiuying",
        ip_address="198.51.100.7",
        user_agent="test",
        path_info="/accounts/login/",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )

    # When a superuser deletes the record in the admin
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    response = client.post(url, {"post": "yes"})

    # Then the lockout is gone and the audit says who cleared which one
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = AuditLog.objects.get(action=AuditAction.LOCKOUT_CLEARED)
    assert entry.actor == superuser
    # (the address is personal data: the audit says it changed, not what it was)
    assert entry.before == {"failures_since_start": 5, "username": "wangxiuying"}
    assert entry.data["personal_changed"] == ["ip_address"]


def test_deleting_a_staff_member_s_second_factor_is_audited_without_its_key(client, superuser):
    staff = UserFactory(is_staff=True)
    device = TOTPDevice.objects.create(user=staff, name="手机", confirmed=True)

    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    entry = AuditLog.objects.get(action=AuditAction.SECOND_FACTOR_DELETED)
    assert entry.actor == superuser and entry.target_id == str(device.pk)
    assert entry.before["user"] == staff.pk and entry.before["name"] == "手机"
    assert "key" not in entry.before and device.key not in str(entry.before)
