"""The refresh runs in a real Celery worker and leaves its record."""

from __future__ import annotations

import time

import pytest
from django_celery_beat.models import PeriodicTask

from core.models import JobRun
from reach import tasks
from reach.models import ReachDaily
from tests.reach.factories import World


@pytest.mark.django_db
def test_beat_schedules_are_in_the_database_and_editable():
    names = set(
        PeriodicTask.objects.filter(task__startswith="reach.").values_list("task", flat=True)
    )
    assert names == {"reach.refresh", "reach.rebuild"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_refreshes_the_figures_and_records_the_run(celery_worker):
    # Given sessions not yet counted
    World(seed=5).generate(10)

    # When beat's task is sent to the worker
    tasks.refresh.delay()

    # Then the figures appear and the run is on record
    deadline = time.monotonic() + 60
    while not JobRun.objects.filter(job="reach.refresh").exclude(outcome="running").exists():
        assert time.monotonic() < deadline, "the worker did not run reach.refresh"
        time.sleep(0.3)
    run = JobRun.objects.get(job="reach.refresh")
    assert run.outcome == JobRun.Outcome.OK
    assert run.rows_changed > 0
    assert ReachDaily.objects.exists()
