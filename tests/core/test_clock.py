"""core.clock: the time services read by default, which tests set instead of sleeping."""

from datetime import UTC, datetime, timedelta

import pytest

from core import clock as core_clock
from core.models import WorkerPing
from core.services import housekeeping_run


def test_a_set_clock_stands_still_and_moves_only_when_advanced(clock):
    # Given the clock set to a moment
    moment = clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    # Then every reading is that moment, until it is advanced
    assert core_clock.now() == moment
    assert core_clock.time() == moment.timestamp()
    before = core_clock.monotonic()
    assert clock.advance(minutes=5) == moment + timedelta(minutes=5)
    assert core_clock.time() == moment.timestamp() + 300
    assert core_clock.monotonic() - before >= 300


def test_an_unset_clock_is_the_real_one():
    assert abs(core_clock.time() - datetime.now(UTC).timestamp()) < 5


@pytest.mark.django_db
def test_a_service_without_an_explicit_now_reads_the_clock(clock):
    # Given a ping from today
    WorkerPing.objects.create()
    # When housekeeping runs with the clock eight days on
    clock.set(datetime.now(UTC) + timedelta(days=8))
    counts = housekeeping_run()
    # Then the week-old ping is gone
    assert counts["worker_pings"] == 1
    assert not WorkerPing.objects.exists()
