"""People choose their reminders on a plain page; the one-click unsubscribe shows there."""

from __future__ import annotations

import pytest

from notifications import services
from notifications.models import Kind, Preference, Reminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_of(**overrides):
    data = {
        "kinds": [Kind.COURSE_NUDGE, Kind.CERTIFICATE_READY],
        "email": "on",
        "in_app": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_settings_page_is_linked_from_the_account_and_notifications(client):
    client.force_login(UserFactory())

    for page in ("/accounts/me/", "/notifications/"):
        assert 'href="/notifications/preferences/"' in client.get(page).content.decode()


def test_a_person_turns_a_kind_off_and_the_weekly_summary_on_without_javascript(client):
    # Given a learner with the default choices
    user = UserFactory(email="l@example.cn")
    client.force_login(user)
    page = client.get("/notifications/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="course_nudge" checked' in page.replace(' id="id_kinds_0"', "")

    # When they keep only the certificate notice, add the weekly summary and SMS
    answer = client.post(
        "/notifications/preferences/",
        form_of(
            kinds=[Kind.CERTIFICATE_READY],
            weekly_summary="on",
            sms="on",
            phone="138 0013 8000",
            email=None,
        ),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Then the choices are stored and the page shows them
    preference = Preference.objects.get(user=user)
    assert Kind.COURSE_NUDGE in preference.muted_kinds
    assert Kind.CERTIFICATE_READY not in preference.muted_kinds
    assert Kind.WEEKLY_SUMMARY not in preference.muted_kinds
    assert (preference.weekly_summary, preference.email, preference.sms) == (True, False, True)
    assert preference.phone == "13800138000"
    page = answer.content.decode()
    assert "Your reminder choices are saved." in page
    assert 'name="weekly_summary" id="id_weekly_summary" checked' in page

    # and planning honours them: a weekly summary is planned for this learner
    services.reminders_plan()
    assert Reminder.objects.filter(user=user, kind=Kind.WEEKLY_SUMMARY).exists()


def test_text_messages_without_a_valid_number_get_a_clear_message(client):
    user = UserFactory()
    client.force_login(user)

    for phone, message in (("", "Give a mobile number"), ("12345", "Enter an 11-digit")):
        answer = client.post(
            "/notifications/preferences/",
            form_of(sms="on", phone=phone),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert answer.status_code == 200
        assert message in answer.content.decode()
    assert not Preference.objects.filter(user=user, sms=True).exists()


def test_the_one_click_unsubscribe_shows_on_the_settings_page(client):
    # Given a learner who turned off course reminders from an email's link
    user = UserFactory(email="l@example.cn")
    token = services.unsubscribe_token(user_id=user.pk, kind=Kind.COURSE_NUDGE)
    client.post(f"/notifications/unsubscribe/{token}/")

    # When they open their settings
    client.force_login(user)
    page = client.get("/notifications/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then course reminders are unchecked and the others still checked
    assert 'value="course_nudge" checked' not in page.replace(' id="id_kinds_0"', "")
    assert 'value="certificate_ready"' in page
    assert 'value="certificate_ready" checked' in page.replace(' id="id_kinds_1"', "")
    # and saving the page without touching anything keeps it off
    client.post("/notifications/preferences/", form_of(kinds=[Kind.CERTIFICATE_READY]))
    assert Kind.COURSE_NUDGE in Preference.objects.get(user=user).muted_kinds


def test_the_settings_page_needs_a_sign_in(client):
    answer = client.get("/notifications/preferences/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
