"""The admin asks staff for a code from an authenticator app (TOTP) as well as the password."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from core.models import AuditLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/second-factor/"


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.ADMIN_REQUIRE_SECOND_FACTOR = True


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in_staff(client: Client, **extra):
    staff = UserFactory(roles=[Role.STAFF], is_staff=True, **extra)
    client.force_login(staff)
    return staff


def test_the_admin_refuses_a_staff_session_without_a_second_factor(client):
    signed_in_staff(client)

    answer = client.get("/admin/accounts/user/")

    assert answer.status_code == 302
    assert answer["Location"] == f"{PAGE}?next=/admin/accounts/user/"


def test_a_staff_member_enrols_an_authenticator_and_then_enters_the_admin(client):
    staff = signed_in_staff(client)

    page = client.get(PAGE + "?next=/admin/accounts/user/").content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.get(PAGE).status_code == 200
    assert TOTPDevice.objects.filter(user=staff).count() == 1  # same secret on a new visit

    answer = client.post(PAGE, {"token": code_of(device), "next": "/admin/accounts/user/"})

    assert answer.status_code == 302 and answer["Location"] == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditLog.objects.filter(action="second_factor.enrolled", target_id=str(staff.pk))


def test_a_wrong_code_leaves_the_admin_closed(client):
    staff = signed_in_staff(client)
    device = TOTPDevice.objects.create(user=staff, name="TOTP", confirmed=True)
    right = code_of(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    answer = client.post(PAGE, {"token": wrong})

    assert answer.status_code == 200
    assert "验证码不对" in answer.content.decode()
    assert client.get("/admin/").status_code == 302


def test_an_enrolled_staff_member_signing_in_again_gives_a_code_and_sees_no_qr(client):
    staff = signed_in_staff(client)
    device = TOTPDevice.objects.create(user=staff, name="TOTP", confirmed=True)

    page = client.get(PAGE).content.decode()
    answer = client.post(PAGE, {"token": code_of(device)})

    assert "data:image/svg+xml" not in page
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_second_wrong_code_at_once_is_not_even_checked(client):
    staff = signed_in_staff(client)
    device = TOTPDevice.objects.create(user=staff, name="TOTP", confirmed=True)
    client.post(PAGE, {"token": "000000" if code_of(device) != "000000" else "111111"})

    answer = client.post(PAGE, {"token": code_of(device)})  # right, but too soon

    assert "输错的次数太多了" in answer.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_code_is_accepted_once_only(client):
    staff = signed_in_staff(client)
    device = TOTPDevice.objects.create(user=staff, name="TOTP", confirmed=True)
    code = code_of(device)
    client.post(PAGE, {"token": code})

    other = Client()
    other.force_login(staff)
    answer = other.post(PAGE, {"token": code})

    assert answer.status_code == 200
    assert other.get("/admin/").status_code == 302


def test_the_page_sends_nobody_to_a_foreign_site(client):
    staff = signed_in_staff(client)
    device = TOTPDevice.objects.create(user=staff, name="TOTP", confirmed=True)

    answer = client.post(PAGE, {"token": code_of(device), "next": "https://evil.example.net/"})

    assert answer["Location"] == "/admin/"


def test_a_learner_has_no_second_factor_page(client):
    client.force_login(UserFactory(roles=[Role.LEARNER]))

    assert client.get(PAGE).status_code == 404


def test_signing_in_through_the_admin_login_page_leads_to_the_second_factor(client):
    staff = UserFactory(roles=[Role.STAFF], is_staff=True)

    answer = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.username, "password": "correct-horse-42", "next": "/admin/"},
        follow=True,
    )

    assert answer.redirect_chain[-1][0] == f"{PAGE}?next=/admin/"
