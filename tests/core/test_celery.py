import time

import pytest
from django.conf import settings

from core.models import WorkerPing
from core.services import worker_ping_request


def wait_until_answered(ping: WorkerPing, timeout: float = 30) -> WorkerPing:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ping.refresh_from_db()
        if ping.answered_at:
            return ping
        time.sleep(0.1)
    raise AssertionError(f"ping {ping.pk} not answered within {timeout}s")


def test_celery_is_configured_for_safe_redelivery_and_bounded_tasks():
    from config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT > 0
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert "core.worker_ping_answer" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_after_commit_is_executed_by_a_real_worker(celery_worker):
    ping = worker_ping_request()

    ping = wait_until_answered(ping)

    assert ping.worker == celery_worker


@pytest.mark.django_db(transaction=True)
def test_check_worker_command_reports_the_answering_worker(celery_worker, capsys):
    from django.core.management import call_command

    call_command("check_worker", "--timeout", "30")

    assert celery_worker in capsys.readouterr().out


@pytest.mark.django_db
def test_housekeeping_is_scheduled_in_the_database_for_the_admin_to_edit():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="core.housekeeping")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")
