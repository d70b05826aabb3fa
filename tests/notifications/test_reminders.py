"""Reminders go out once per key, on the channels people chose, never in quiet hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from campaigns.models import Status
from edu.models import Enrollment
from notifications import services
from notifications.models import Delivery, Kind, Notification, Preference, Reminder, SmsOutbox
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    region_tree,
)
from tests.edu.factories import CourseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def stalled_learner(**fields):
    user = UserFactory(email="learner@example.cn", **fields)
    Enrollment.objects.create(
        user=user, course=CourseFactory(), last_seen_at=NOON - timedelta(days=10)
    )
    return user


def test_a_stalled_course_is_nudged_once_on_every_chosen_channel():
    # Given a learner idle for 10 days who wants email, in-app and SMS
    user = stalled_learner()
    Preference.objects.create(user=user, sms=True, phone="13800000000")

    # When planning and sending run twice
    for _ in range(2):
        services.reminders_plan(now=NOON)
        services.reminders_send_due(now=NOON)

    # Then one reminder went out once on each channel
    assert Reminder.objects.get().status == Reminder.Status.SENT
    assert Notification.objects.filter(user=user).count() == 1
    assert SmsOutbox.objects.filter(phone="13800000000").count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@example.cn"]
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_quiet_hours_hold_a_reminder_until_eight_in_the_users_time_zone():
    # Given two learners, in Shanghai and in New York, at 22:30 Shanghai time
    late = datetime(2026, 11, 20, 22, 30, tzinfo=SHANGHAI)
    shanghai = stalled_learner()
    new_york = UserFactory(email="ny@example.com", time_zone="America/New_York")
    Enrollment.objects.create(
        user=new_york, course=CourseFactory(), last_seen_at=NOON - timedelta(days=10)
    )
    services.reminders_plan(now=late)

    # When sending runs
    services.reminders_send_due(now=late)

    # Then only the New Yorker (09:30 there) hears from us; Shanghai waits for 08:00
    assert [m.to for m in mail.outbox] == [["ny@example.com"]]
    held = Reminder.objects.get(user=shanghai)
    assert held.status == Reminder.Status.PENDING
    assert held.due_at == datetime(2026, 11, 21, 8, 0, tzinfo=SHANGHAI)
    services.reminders_send_due(now=held.due_at)
    assert len(mail.outbox) == 2


def test_one_click_unsubscribe_stops_that_kind_of_reminder(client):
    # Given a sent nudge
    user = stalled_learner()
    services.reminders_plan(now=NOON)
    services.reminders_send_due(now=NOON)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]

    # When the mail client posts the one-click unsubscribe (no session, no CSRF token)
    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})

    # Then that kind is muted and the next nudge is not sent
    assert response.status_code == 200
    assert Kind.COURSE_NUDGE in Preference.objects.get(user=user).muted_kinds
    Enrollment.objects.filter(user=user).update(last_seen_at=NOON)
    services.reminders_plan(now=NOON + timedelta(days=10))
    services.reminders_send_due(now=NOON + timedelta(days=10))
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(status=Reminder.Status.SUPPRESSED).count() == 1


def test_a_tampered_unsubscribe_link_gets_a_clear_message(client):
    user = UserFactory()
    token = services.unsubscribe_token(user_id=user.pk, kind=Kind.COURSE_NUDGE)

    response = client.post(f"/notifications/unsubscribe/{token[:-2]}xx/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Preference.objects.filter(user=user).exclude(muted_kinds=[]).exists()


def test_the_daily_cap_defers_the_rest(settings):
    # Given four due reminders for one person and a cap of three a day
    settings.REMINDERS_DAILY_CAP = 3
    user = UserFactory(email="a@example.cn")
    for n in range(4):
        Reminder.objects.create(key=f"t:{n}", user=user, kind=Kind.COURSE_NUDGE, due_at=NOON)

    outcomes = services.reminders_send_due(now=NOON)

    assert outcomes["sent"] == 3 and outcomes["deferred"] == 1
    assert len(mail.outbox) == 3


def test_sending_goes_in_batches(settings):
    users = [UserFactory(email=f"u{n}@example.cn") for n in range(5)]
    for n, user in enumerate(users):
        Reminder.objects.create(key=f"b:{n}", user=user, kind=Kind.COURSE_NUDGE, due_at=NOON)

    first = services.reminders_send_due(now=NOON, batch=3)
    second = services.reminders_send_due(now=NOON, batch=3)

    assert (first["sent"], first["more"]) == (3, True)
    assert (second["sent"], second["more"]) == (2, False)
    assert Delivery.objects.filter(channel="email").count() == 5


def test_volunteers_and_coordinators_get_their_reminders():
    # Given a rejected log and a log waiting for review in a coordinator's campaign
    campaign = CampaignFactory()
    county = region_tree()["leishan"]
    coordinator = coordinator_of(campaign, email="c@example.cn")
    volunteer = UserFactory(email="v@example.cn", roles=[Role.VOLUNTEER])
    SessionLogFactory(
        campaign=campaign,
        volunteer=volunteer,
        county=county,
        status=Status.REJECTED,
        reviewed_at=timezone.now(),
        review_note="照片看不清",
    )
    SessionLogFactory(campaign=campaign, volunteer=volunteer, county=county)

    services.reminders_plan()

    kinds = dict(Reminder.objects.values_list("user_id", "kind"))
    assert kinds == {volunteer.pk: Kind.LOG_REJECTED, coordinator.pk: Kind.REVIEW_DIGEST}


def test_header_shows_the_unread_count(client):
    user = UserFactory()
    Notification.objects.create(user=user, title="证书已生成")
    client.force_login(user)

    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "data-notifications-link" in page and "证书已生成" in page
    assert client.get("/notifications/unread.json").json() == {"unread": 1}
    client.post("/notifications/read/")
    assert client.get("/notifications/unread.json").json() == {"unread": 0}


def test_the_notifications_page_takes_as_many_queries_for_many_as_for_one(
    client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Given a person with one notification, whose page takes some number of queries
    user = UserFactory()
    Notification.objects.create(user=user, title="通知0")
    client.force_login(user)
    with CaptureQueriesContext(connection) as one:
        assert "通知0" in client.get("/notifications/").content.decode()

    # When they have twenty
    for n in range(1, 20):
        Notification.objects.create(user=user, title=f"通知{n}", url="/courses/")

    # Then the page shows them all in the same number of queries
    with django_assert_num_queries(len(one)):
        page = client.get("/notifications/").content.decode()
    assert all(f"通知{n}" in page for n in range(20))


def due_reminders(count, key):
    """``count`` people with a due nudge, who want email, in-app and SMS."""
    for n in range(count):
        user = UserFactory(email=f"{key}{n}@example.cn")
        Preference.objects.create(user=user, sms=True, phone=f"1390000{n:04d}")
        Reminder.objects.create(key=f"{key}:{n}", user=user, kind=Kind.COURSE_NUDGE, due_at=NOON)


def test_a_batch_takes_as_many_queries_for_many_reminders_as_for_one(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Given a batch of one reminder, sent on three channels in some number of queries
    due_reminders(1, "one")
    with CaptureQueriesContext(connection) as one:
        assert services.reminders_send_due(now=NOON)["sent"] == 1

    # When eight are due
    due_reminders(8, "many")

    # Then the batch sends them all in the same number of queries
    with django_assert_num_queries(len(one)):
        assert services.reminders_send_due(now=NOON)["sent"] == 8
    assert Delivery.objects.count() == 3 * 9
    assert len(mail.outbox) == 9


def test_a_zh_hant_learner_is_reminded_in_traditional_characters():
    # Given an idle learner who reads Traditional Chinese
    user = stalled_learner(language="zh-hant")
    Preference.objects.create(user=user, sms=True, phone="13800000001")

    # When the reminder goes out
    services.reminders_plan(now=NOON)
    services.reminders_send_due(now=NOON)

    # Then the mail, the note on the site and the text are in Traditional characters
    assert mail.outbox[0].subject == "您的課程還在等您"
    assert "從上次停下的地方繼續吧" in mail.outbox[0].body
    assert Notification.objects.get(user=user).title == "您的課程還在等您"
    assert "您的課程還在等您" in SmsOutbox.objects.get(phone="13800000001").body
