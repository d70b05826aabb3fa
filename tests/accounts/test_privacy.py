"""The privacy notice, consent to it and to each optional use (PIPL; docs/privacy.md)."""

from __future__ import annotations

import pytest

from accounts import consents
from accounts.models import Consent, Purpose, User
from core.audit import AuditAction
from core.models import AuditLog
from notifications.models import Kind, Preference
from tests.campaigns.factories import CampaignFactory, region_tree, volunteer_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice_required(settings):
    settings.PRIVACY_NOTICE_REQUIRED = True


@pytest.mark.parametrize(
    ("language", "short", "full"),
    [("zh-hans", "简要版", "完整规则"), ("en", "The short version", "The full rules")],
)
def test_the_notice_reads_in_each_language_with_a_short_version_and_the_full_rules(
    client, language, short, full
):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert short in page and full in page
    assert consents.NOTICE_VERSION in page
    # what, why, where, who and how long, for the sheets' photos too
    zh = ["保存什么", "存放在哪里", "谁能看到", "保存多久", "90 天"]
    en = ["What we keep", "Where", "Who sees it", "How long", "90 days"]
    for words in zh if language == "zh-hans" else en:
        assert words in page, words


def test_the_notice_is_linked_from_the_footer_sign_up_and_the_volunteer_log_form(client):
    assert 'href="/privacy/"' in client.get("/").content.decode()
    assert 'href="/privacy/"' in client.get("/accounts/signup/").content.decode()
    campaign = CampaignFactory()
    campaign.target_counties.add(region_tree()["leishan"])
    client.force_login(volunteer_in(campaign))
    form = client.get("/campaigns/log/").content.decode()
    assert 'href="/privacy/"' in form and 'href="/privacy/choices/"' in form


def test_signing_up_records_the_notice_version_and_refuses_without_it(client):
    data = {"username": "laoli", "password1": "lanmajia-2026", "password2": "lanmajia-2026"}

    refused = client.post("/accounts/signup/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Please read the privacy notice and tick the box." in refused.content.decode()
    assert not User.objects.filter(username="laoli").exists()

    client.post("/accounts/signup/", {**data, "accept_notice": "on"})
    consent = Consent.objects.get(user__username="laoli")
    assert (consent.purpose, consent.notice_version) == (Purpose.NOTICE, consents.NOTICE_VERSION)
    assert consent.given_at is not None and consent.withdrawn_at is None
    audit = AuditLog.objects.get(action=AuditAction.CONSENT_GRANTED)
    assert audit.data == {"purpose": "notice", "notice_version": consents.NOTICE_VERSION,
                          "source": "signup"}  # fmt: skip


def test_a_new_version_of_the_notice_is_asked_for_at_the_next_page(
    client, notice_required, monkeypatch
):
    # Given a learner who accepted the notice in force
    user = UserFactory()
    consents.consent_set(user=user, purpose=Purpose.NOTICE, given=True, source="test")
    client.force_login(user)
    assert client.get("/accounts/me/").status_code == 200

    # When the notice changes
    monkeypatch.setattr(consents, "NOTICE_VERSION", "2027-01-01")

    # Then the next page sends them to the consent page, and back after they agree
    answer = client.get("/accounts/me/")
    assert answer.status_code == 302
    assert answer["Location"] == "/privacy/consent/?next=/accounts/me/"
    page = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "I have read it and agree" in page and "What we keep:" in page
    agreed = client.post("/privacy/consent/", {"next": "/accounts/me/"})
    assert agreed["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    versions = list(user.consents.values_list("notice_version", "withdrawn_at"))
    assert [v for v, withdrawn in versions if withdrawn is None] == ["2027-01-01"]
    assert len(versions) == 2


def test_who_has_not_agreed_can_still_read_download_delete_and_sign_out(client, notice_required):
    client.force_login(UserFactory())

    for path in ("/privacy/", "/accounts/me/data/", "/accounts/me/data.json",
                 "/accounts/me/delete/"):  # fmt: skip
        assert client.get(path).status_code == 200, path
    assert client.get("/courses/").status_code == 302
    # the payment app's quiz screen is the app's own: never interrupted (an unknown token
    # answers its friendly page, not a redirect)
    assert client.get("/t/not-a-token/").status_code != 302


def test_api_clients_and_signed_out_visitors_are_never_sent_to_the_consent_page(
    client, notice_required
):
    assert client.get("/").status_code == 200
    client.force_login(UserFactory())
    # A session API call (the volunteers' sync) answers as the API does, not with a redirect
    assert client.get("/api/v1/campaign-sessions").status_code != 302


def test_each_optional_use_is_given_and_withdrawn_on_its_own_and_audited(client):
    # Given a volunteer with a number on the reminders page
    campaign = CampaignFactory()
    user = volunteer_in(campaign)
    Preference.objects.create(user=user, phone="13800138000")
    client.force_login(user)
    page = client.get("/privacy/choices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Add my location (GPS) to the sessions I log" in page

    # When they give all three, then withdraw the text reminders only
    client.post("/privacy/choices/", {"sms_reminders": "on", "weekly_summary": "on",
                                      "gps_on_logs": "on"})  # fmt: skip
    client.post("/privacy/choices/", {"weekly_summary": "on", "gps_on_logs": "on"})

    # Then each choice stands on its own, notifications acts on it, every change is audited
    standing = consents.consents_standing(user=user)
    assert set(standing) == {Purpose.WEEKLY_SUMMARY, Purpose.GPS_ON_LOGS}
    preference = Preference.objects.get(user=user)
    assert preference.sms is False and preference.weekly_summary is True
    assert Kind.WEEKLY_SUMMARY not in preference.muted_kinds
    changes = AuditLog.objects.filter(
        action__in=[AuditAction.CONSENT_GRANTED, AuditAction.CONSENT_REVOKED]
    ).order_by("id")
    assert [(a.action, a.data["purpose"]) for a in changes] == [
        ("consent.granted", "sms_reminders"),
        ("consent.granted", "weekly_summary"),
        ("consent.granted", "gps_on_logs"),
        ("consent.revoked", "sms_reminders"),
    ]
    # and the page lists what was agreed when, withdrawn ones too
    page = client.get("/privacy/choices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("withdrawn") >= 1


def test_a_learner_sees_no_gps_choice_and_saving_nothing_changes_nothing(client):
    client.force_login(UserFactory())
    page = client.get("/privacy/choices/").content.decode()
    assert "gps_on_logs" not in page

    client.post("/privacy/choices/", {})
    assert not AuditLog.objects.filter(action=AuditAction.CONSENT_REVOKED).exists()


def test_the_reminders_page_records_the_same_consents(client):
    user = UserFactory()
    client.force_login(user)

    client.post("/notifications/preferences/", {"kinds": [Kind.COURSE_NUDGE], "sms": "on",
                "phone": "138 0013 8000", "weekly_summary": "on", "in_app": "on"})  # fmt: skip
    assert set(consents.consents_standing(user=user)) == {
        Purpose.SMS_REMINDERS,
        Purpose.WEEKLY_SUMMARY,
    }

    client.post("/notifications/preferences/", {"kinds": [Kind.COURSE_NUDGE], "in_app": "on"})
    assert consents.consents_standing(user=user) == {}
    assert AuditLog.objects.filter(action=AuditAction.CONSENT_REVOKED).count() == 2


def test_the_log_form_starts_with_the_volunteers_standing_gps_choice(client):
    campaign = CampaignFactory()
    campaign.target_counties.add(region_tree()["leishan"])
    user = volunteer_in(campaign)
    client.force_login(user)

    def box():
        page = client.get("/campaigns/log/").content.decode()
        at = page.index('name="gps_consent"')
        tag = page[page.rindex("<input", 0, at) : page.index(">", at)]
        return " checked" in tag

    assert box() is False
    consents.consent_set(user=user, purpose=Purpose.GPS_ON_LOGS, given=True, source="test")
    assert box() is True
    consents.consent_set(user=user, purpose=Purpose.GPS_ON_LOGS, given=False, source="test")
    assert box() is False


def test_staff_read_consents_in_the_admin_and_nobody_edits_them(admin_client):
    user = UserFactory()
    consents.consent_set(user=user, purpose=Purpose.NOTICE, given=True, source="test")
    consent = Consent.objects.get(user=user)

    assert str(user) in admin_client.get("/admin/accounts/consent/").content.decode()
    assert admin_client.get("/admin/accounts/consent/add/").status_code == 403
    change = admin_client.post(
        f"/admin/accounts/consent/{consent.pk}/change/", {"notice_version": "forged"}
    )
    assert change.status_code in (302, 403)
    consent.refresh_from_db()
    assert consent.notice_version == consents.NOTICE_VERSION


def test_the_consent_page_sends_back_only_to_this_site(client, notice_required):
    client.force_login(UserFactory())

    answer = client.post("/privacy/consent/", {"next": "https://evil.example/"})

    assert answer["Location"] == "/accounts/me/"
