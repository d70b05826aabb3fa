"""Staff edits of field figures and campaign goals in the admin are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from tests.admin_forms import change_form_data
from tests.campaigns.factories import SessionLogFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = UserFactory(roles=[Role.STAFF], is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_changing_a_session_logs_attendees_writes_one_audit_row(
    client, superuser, campaign, regions
):
    # Given a logged session with 20 elderly attendees
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"], attendees_elderly=20)
    url = reverse("admin:campaigns_sessionlog_change", args=[log.pk])
    page = client.get(url)

    # When staff correct the count in the admin
    response = client.post(url, change_form_data(page, attendees_elderly="25"))

    # Then one row records the figure before and after, and who changed it
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(log.pk))
    assert entry.action == AuditAction.SESSION_LOG_CHANGED
    assert entry.actor == superuser
    assert entry.target_type == "campaigns.sessionlog"
    assert entry.before == {"attendees_elderly": 20}
    assert entry.after == {"attendees_elderly": 25}


def test_changing_a_campaigns_goal_in_the_admin_writes_one_audit_row(client, superuser, campaign):
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    page = client.get(url)

    response = client.post(url, change_form_data(page, goal_people="6000"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(campaign.pk))
    assert entry.action == AuditAction.CAMPAIGN_CHANGED
    assert entry.actor == superuser
    assert (entry.before, entry.after) == ({"goal_people": 5000}, {"goal_people": 6000})


def test_deleting_session_logs_with_the_bulk_action_audits_each(
    client, superuser, campaign, regions
):
    logs = [SessionLogFactory(campaign=campaign, county=regions["leishan"]) for _ in range(2)]

    client.post(
        reverse("admin:campaigns_sessionlog_changelist"),
        {"action": "delete_selected", "_selected_action": [log.pk for log in logs], "post": "yes"},
    )

    entries = AuditLog.objects.filter(action=AuditAction.SESSION_LOG_DELETED)
    assert sorted(e.target_id for e in entries) == sorted(str(log.pk) for log in logs)
    assert all(e.actor == superuser and e.after is None for e in entries)
    assert {e.before["attendees_elderly"] for e in entries} == {20}


def test_a_session_logs_notes_edited_in_the_admin_are_audited_by_name_only(
    client, superuser, campaign, regions
):
    # Given a log whose notes name an attendee
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"], notes="王秀英带孙子来")
    url = reverse("admin:campaigns_sessionlog_change", args=[log.pk])
    page = client.get(url)

    # When staff rewrite the notes in the admin
    response = client.post(url, change_form_data(page, notes="十位老人，两位带孙辈"))

    # Then the audit says the notes changed, and holds neither text: the audit log is kept
    # longer than the log's own personal data
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(log.pk))
    assert entry.data["personal_changed"] == ["notes"]
    recorded = str([entry.data, entry.before, entry.after])
    assert "王秀英" not in recorded and "十位老人" not in recorded


def test_the_coordinators_of_a_campaign_are_audited_by_key_not_user_name(
    client, superuser, campaign
):
    coordinator = UserFactory(roles=[Role.COORDINATOR], username="zhanglanmei")
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    page = client.get(url)
    coordinators = [str(pk) for pk in campaign.coordinators.values_list("pk", flat=True)]

    response = client.post(
        url, change_form_data(page, coordinators=[*coordinators, str(coordinator.pk)])
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(campaign.pk), action=AuditAction.CAMPAIGN_CHANGED)
    assert str(coordinator.pk) in entry.after["coordinators"]
    assert "zhanglanmei" not in str([entry.data, entry.before, entry.after])
