"""A worker killed mid-batch and restarted sends no duplicate and misses no reminder
(real Celery worker, PostgreSQL and Redis)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.utils import timezone

from notifications import tasks
from notifications.models import Delivery, Kind, Notification, Preference, Reminder, SmsOutbox
from tests.conftest import start_celery_worker, stop_process_group
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]
TOTAL = 400


def start_worker(log: Path, name: str) -> subprocess.Popen:
    return start_celery_worker(log, name, REMINDERS_BATCH_SIZE="40", REMINDERS_DAILY_CAP="100")


def wait_until(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_killed_worker_restarted_sends_each_reminder_once(tmp_path):
    # Given 400 due reminders for people who take in-app and SMS reminders, outside quiet
    # hours wherever they live (the time zone is chosen so that it is midday there)
    hour = timezone.now().astimezone(timezone.get_fixed_timezone(0)).hour
    zone = f"Etc/GMT{'+' if 12 - hour < 0 else '-'}{abs(12 - hour)}" if hour != 12 else "UTC"
    for n in range(TOTAL):
        user = UserFactory(email="", time_zone=zone)
        Preference.objects.create(user=user, sms=True, phone=f"1380000{n:04d}")
        Reminder.objects.create(key=f"kill:{n}", user=user, kind=Kind.COURSE_NUDGE)

    # When a worker is killed (SIGKILL) in the middle of the batches
    first = start_worker(tmp_path / "w1.log", f"kill-1-{os.getpid()}@localhost")
    try:
        tasks.send_due.delay()
        wait_until(lambda: Notification.objects.count() >= TOTAL // 4)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop_process_group(first)
    sent_at_kill = Reminder.objects.filter(status=Reminder.Status.SENT).count()

    # and a new worker takes the next scheduled run
    second = start_worker(tmp_path / "w2.log", f"kill-2-{os.getpid()}@localhost")
    try:
        tasks.send_due.delay()
        wait_until(lambda: not Reminder.objects.filter(status=Reminder.Status.PENDING).exists())
    finally:
        stop_process_group(second)

    # Then the kill landed mid-way, and every reminder went out exactly once per channel
    assert 0 < sent_at_kill < TOTAL
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == TOTAL
    assert Notification.objects.count() == TOTAL
    assert SmsOutbox.objects.count() == TOTAL
    assert SmsOutbox.objects.values("phone").distinct().count() == TOTAL
    assert Delivery.objects.count() == 2 * TOTAL
