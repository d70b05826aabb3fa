"""Sending reminders holds no transaction while a mail server is waited on, and two
senders never send the same reminder."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from smtplib import SMTPServerDisconnected
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections

from notifications import services
from notifications.models import Delivery, Kind, Notification, Reminder
from tests.factories import UserFactory

from .mail_backends import WatchingBackend

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def slow_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.WatchingBackend"
    yield WatchingBackend
    WatchingBackend.during_send = None


def in_another_connection(work):
    """Run ``work`` in another thread, so on another database connection, as another
    process of the site would; return what it returns (or raise what it raised)."""
    result = {}

    def run():
        try:
            result["value"] = work()
        except BaseException as error:  # handed to the caller
            result["error"] = error
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.mark.django_db(transaction=True)
def test_while_an_email_is_sent_no_transaction_is_open_and_others_can_write(slow_mail):
    # Given a due reminder, and a mail server that keeps the sender waiting
    user = UserFactory(email="learner@example.cn")
    reminder = Reminder.objects.create(key="slow:1", user=user, kind=Kind.COURSE_NUDGE, due_at=NOON)
    seen = {}

    def while_sending():
        seen["in_transaction"] = connection.in_atomic_block
        # another process writes meanwhile, and a second sender runs
        seen["other_write"] = in_another_connection(lambda: UserFactory().pk)
        seen["second_sender"] = in_another_connection(lambda: services.reminders_send_due(now=NOON))

    slow_mail.during_send = while_sending

    # When the batch runs
    outcomes = services.reminders_send_due(now=NOON)

    # Then the send ran outside any transaction, the other write went through, the second
    # sender left the reminder alone, and it went out once
    assert seen["in_transaction"] is False
    assert seen["other_write"]
    assert seen["second_sender"] == {"more": False}
    assert outcomes == {"sent": 1, "more": False}
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sending_until) == (Reminder.Status.SENT, None)
    assert Notification.objects.filter(reminder=reminder).count() == 1
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "in_app"]


@pytest.mark.django_db
def test_a_reminder_leased_by_another_sender_waits_until_the_lease_runs_out():
    # Given a due reminder another sender holds for five more minutes
    user = UserFactory(email="learner@example.cn")
    reminder = Reminder.objects.create(
        key="leased:1",
        user=user,
        kind=Kind.COURSE_NUDGE,
        due_at=NOON,
        sending_until=NOON + timedelta(minutes=5),
    )

    # When a batch runs now, and again once the lease has run out (a killed worker)
    now = services.reminders_send_due(now=NOON)
    later = services.reminders_send_due(now=NOON + timedelta(minutes=5))

    # Then the first leaves it alone and the second sends it, once
    assert now == {"more": False}
    assert later == {"sent": 1, "more": False}
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sending_until) == (Reminder.Status.SENT, None)


@pytest.mark.django_db
def test_a_failed_email_is_retried_at_once_and_nothing_is_written_twice(slow_mail):
    # Given a due reminder, and a mail server that drops the first connection
    user = UserFactory(email="learner@example.cn")
    reminder = Reminder.objects.create(
        key="flaky:1", user=user, kind=Kind.COURSE_NUDGE, due_at=NOON
    )

    def drop():
        slow_mail.during_send = None
        raise SMTPServerDisconnected("gone")

    slow_mail.during_send = drop

    # When the batch runs (the task then retries) and runs again
    with pytest.raises(SMTPServerDisconnected):
        services.reminders_send_due(now=NOON)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sending_until) == (Reminder.Status.PENDING, None)
    again = services.reminders_send_due(now=NOON)

    # Then it went out once on each channel
    assert again == {"sent": 1, "more": False}
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(reminder=reminder).count() == 1
    assert Delivery.objects.filter(reminder=reminder).count() == 2
