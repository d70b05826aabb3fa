"""On PostgreSQL: refreshes running at the same time as each other and as new writes give
the figures of a full rebuild; a refresh finding the lock held skips its turn."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from core.models import JobRun
from reach import services
from reach.models import Watermark
from tests.reach.factories import START, World, snapshot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def in_thread(target, errors: list[BaseException]):
    def run():
        try:
            target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_concurrent_refreshes_while_data_arrives_equal_a_full_rebuild():
    # Given counted figures
    world = World(seed=11)
    world.generate(30)
    services.reach_refresh()
    world.live = True
    errors: list[BaseException] = []
    outcomes: list[str] = []
    stop = threading.Event()

    def writer():
        for n in range(40):
            world.session(county=world.counties[n % 4], held_on=START + timedelta(days=n % 9))
            world.lesson_done()
            world.check()
        stop.set()

    def refresher():
        while not stop.is_set():
            outcomes.append(services.reach_job("reach.refresh").outcome)

    # When two refreshers run in parallel while a writer adds sessions, lessons and checks
    threads = [in_thread(writer, errors)] + [in_thread(refresher, errors) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    services.reach_refresh()  # the turn after the last write

    # Then no run failed, and the figures are those of a full rebuild
    assert not errors, errors
    assert "ok" in outcomes
    assert not JobRun.objects.filter(outcome=JobRun.Outcome.FAILED).exists()
    incremental = snapshot()
    services.reach_rebuild()
    assert snapshot() == incremental


def test_a_refresh_skips_its_turn_while_another_holds_the_lock():
    # Given a run in progress (it holds the watermark row)
    World(seed=3).generate(5)
    services.reach_refresh()
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold():
        with transaction.atomic():
            Watermark.objects.select_for_update().get(name="reach")
            holding.set()
            release.wait(30)

    holder = in_thread(hold, errors)
    holder.start()
    assert holding.wait(30)

    # When another refresh starts, it does not wait and does not write
    try:
        result = services.reach_job("reach.refresh")
    finally:
        release.set()
        holder.join(30)

    # Then it is recorded as skipped, and the next one runs
    assert not errors
    assert result.outcome == "skipped"
    assert JobRun.objects.filter(job="reach.refresh").first().outcome == JobRun.Outcome.SKIPPED
    assert services.reach_refresh().outcome == "ok"
