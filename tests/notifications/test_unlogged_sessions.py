"""A volunteer whose planned session's date has passed without a log is reminded once,
through the same channels, quiet hours and caps as every reminder."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from campaigns import services as campaigns_services
from campaigns.models import PlannedSession
from core.models import JobRun
from notifications import services, tasks
from notifications.models import Kind, Notification, Reminder
from tests.campaigns.factories import CampaignFactory, SessionLogFactory, region_tree, volunteer_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def planned(volunteer, campaign, county, day: date) -> PlannedSession:
    return campaigns_services.planned_session_create(
        by=volunteer,
        volunteer=volunteer,
        data=campaigns_services.PlanInput(campaign.pk, county.code, day, "market", "丙妹镇集市"),
    )


@pytest.fixture
def setting(db):
    campaign = CampaignFactory()
    county = region_tree()["congjiang"]
    campaign.target_counties.add(county)
    volunteer = volunteer_in(campaign, county, email="v@example.cn")
    return campaign, county, volunteer


@pytest.mark.django_db
def test_a_plan_passed_without_a_log_reminds_its_volunteer_once(setting, settings):
    # Given plans 6 days ago (not logged), 3 days ago (logged a day late), 1 day ago
    # (still within the grace days) and 4 days ago (marked as not held)
    settings.REMINDERS_UNLOGGED_AFTER_DAYS = 2
    campaign, county, volunteer = setting
    today = NOON.date()
    forgotten = planned(volunteer, campaign, county, today - timedelta(days=6))
    logged = planned(volunteer, campaign, county, today - timedelta(days=3))
    SessionLogFactory(
        campaign=campaign,
        volunteer=volunteer,
        county=county,
        held_on=logged.planned_on + timedelta(days=1),
    )
    planned(volunteer, campaign, county, today - timedelta(days=1))
    not_held = planned(volunteer, campaign, county, today - timedelta(days=4))
    campaigns_services.planned_session_cancel(plan_id=not_held.pk, volunteer=volunteer)

    # When the daily planning and the sending run, twice
    for _ in range(2):
        services.unlogged_sessions_plan(now=NOON)
        services.reminders_send_due(now=NOON)

    # Then one reminder, of the forgotten plan only, reached the volunteer once
    reminder = Reminder.objects.get()
    assert (reminder.key, reminder.kind) == (
        f"session_not_logged:{forgotten.pk}",
        Kind.SESSION_NOT_LOGGED,
    )
    assert reminder.status == Reminder.Status.SENT
    note = Notification.objects.get(user=volunteer)
    assert note.url.endswith("/campaigns/plans/")
    assert "丙妹镇集市" in note.title
    assert [m.to for m in mail.outbox] == [["v@example.cn"]]


@pytest.mark.django_db
def test_the_reminder_waits_for_the_end_of_quiet_hours_and_can_be_turned_off(setting, client):
    # Given a forgotten plan, at 22:30 in Shanghai
    campaign, county, volunteer = setting
    late = datetime(2026, 11, 20, 22, 30, tzinfo=SHANGHAI)
    planned(volunteer, campaign, county, late.date() - timedelta(days=5))
    services.unlogged_sessions_plan(now=late)

    # When sending runs in the night, then the next morning
    services.reminders_send_due(now=late)
    held = Reminder.objects.get()
    assert held.status == Reminder.Status.PENDING
    assert held.due_at == datetime(2026, 11, 21, 8, 0, tzinfo=SHANGHAI)
    services.reminders_send_due(now=held.due_at)
    assert len(mail.outbox) == 1

    # And after the one-click unsubscribe, the next forgotten plan brings nothing
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    client.post("/" + link.split("://", 1)[1].split("/", 1)[1])
    planned(volunteer, campaign, county, late.date() - timedelta(days=4))
    services.unlogged_sessions_plan(now=held.due_at)
    services.reminders_send_due(now=held.due_at)
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(status=Reminder.Status.SUPPRESSED).count() == 1


@pytest.mark.django_db
def test_the_daily_schedule_is_in_the_database_and_editable():
    task = PeriodicTask.objects.get(task="notifications.plan_unlogged")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "10",
        "0",
        "Asia/Shanghai",
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_plans_and_sends_the_reminder(celery_worker):
    # Given a plan of five days ago with no log
    campaign = CampaignFactory()
    county = region_tree()["congjiang"]
    # (the volunteer's time zone is one where it is midday now: outside quiet hours)
    hour = timezone.now().astimezone(timezone.get_fixed_timezone(0)).hour
    zone = f"Etc/GMT{'+' if 12 - hour < 0 else '-'}{abs(12 - hour)}" if hour != 12 else "UTC"
    volunteer = volunteer_in(campaign, county, email="", time_zone=zone)
    planned(volunteer, campaign, county, timezone.localdate() - timedelta(days=5))

    # When beat's daily task is sent to the real worker
    tasks.plan_unlogged.delay()

    # Then the volunteer finds the reminder in the site header's notifications, and the
    # run is on record
    deadline = time.monotonic() + 60
    while not JobRun.objects.filter(job="notifications.send_due", outcome="ok").exists():
        assert time.monotonic() < deadline, "the worker did not send the reminder"
        time.sleep(0.3)
    run = JobRun.objects.get(job="notifications.plan_unlogged")
    assert run.rows_changed == 1
    assert Reminder.objects.get(kind=Kind.SESSION_NOT_LOGGED).status == Reminder.Status.SENT
    assert Notification.objects.filter(user=volunteer).count() == 1
