"""The incremental refresh gives the figures of a full rebuild, whatever arrives late."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from campaigns.models import SessionLog, Status
from core.models import JobRun
from edu.models import Certificate
from quizzes.models import TransferCheck
from reach import services
from reach.models import (
    AGE_BANDS,
    CampaignReachDaily,
    CheckBreakdownDaily,
    ReachDaily,
    Watermark,
    band_column,
)
from reach.services import sql
from tests.reach.factories import START, World, at, snapshot

pytestmark = pytest.mark.django_db


def rebuilt() -> tuple[list[tuple], list[tuple]]:
    services.reach_rebuild()
    return snapshot()


def test_definitions_of_one_cell(world: World):
    # Given two approved sessions and a pending one in Leishan on one day, and checks there
    leishan, day = world.regions["leishan"], START
    world.session(
        county=leishan,
        held_on=day,
        attendees_elderly=30,
        attendees_students=5,
        attendees_farmers=0,
        attendees_women=0,
        attendees_other=0,
        attendees_total=35,
    )
    world.session(
        county=leishan,
        held_on=day,
        attendees_elderly=10,
        attendees_students=0,
        attendees_farmers=2,
        attendees_women=0,
        attendees_other=0,
        attendees_total=12,
    )
    world.session(county=leishan, held_on=day, status=Status.PENDING)
    world.check(
        region_code="522634",
        created_at=at(day),
        status="heeded",
        amount=Decimal("5000"),
        resolution="cancelled",
    )
    world.check(
        region_code="522634",
        created_at=at(day),
        status="proceeded",
        amount=Decimal("800"),
        resolution="completed",
    )
    world.check(
        region_code="522634",
        created_at=at(day),
        status="pending",
        opened_at=None,
        completed_at=None,
        resolution="",
    )

    # When the statistics are refreshed
    services.reach_refresh()

    # Then the county's cell holds approved sessions only, and the check figures
    row = ReachDaily.objects.get(county_code="522634", day=day)
    assert (row.sessions, row.attendees_total, row.attendees_elderly) == (2, 47, 40)
    assert (row.checks_shown, row.checks_heeded, row.checks_proceeded) == (2, 1, 1)
    assert row.protected_funds == Decimal("5000.00")
    assert row.person_times == 47 + 2
    assert (row.prefecture_code, row.province_code) == ("522600", "520000")


def test_incremental_equals_full_rebuild_with_late_and_edited_records(world, no_overlap):
    # Given a month of generated activity, counted by a first refresh
    world.generate(60)
    services.reach_refresh()
    world.live = True

    # When records arrive late and others are edited
    leishan, kaiyang = world.regions["leishan"], world.regions["kaiyang"]
    late_day = START + timedelta(days=2)
    world.session(county=leishan, held_on=late_day)  # a log synced days after the session
    world.lesson_done(completed=at(late_day, 8))  # guest progress merged later
    pending = SessionLog.objects.filter(status=Status.PENDING).first()
    pending.status, pending.reviewed_at = Status.APPROVED, timezone.now()  # approved today
    pending.save(update_fields=["status", "reviewed_at"])
    moved = SessionLog.objects.filter(status=Status.APPROVED).exclude(county=kaiyang).first()
    moved.county, moved.held_on = kaiyang, START + timedelta(days=25)  # corrected in the admin
    moved.save()
    rejected = SessionLog.objects.filter(status=Status.APPROVED).exclude(pk=moved.pk).last()
    rejected.status, rejected.reviewed_at = Status.REJECTED, timezone.now()
    rejected.save(update_fields=["status", "reviewed_at"])
    certificate = Certificate.objects.first()
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    open_check = world.check(status="in_progress", completed_at=None, resolution="")
    open_check.status, open_check.completed_at = "heeded", timezone.now()
    open_check.resolved_at, open_check.resolution = timezone.now(), "cancelled"
    open_check.save()
    old_check = TransferCheck.objects.filter(status="proceeded").earliest("created_at")
    old_check.resolution, old_check.resolved_at = "cancelled", timezone.now()  # resolved late
    old_check.save(update_fields=["resolution", "resolved_at"])
    world.generate(20)
    result = services.reach_refresh()

    # Then the refreshed tables equal a full rebuild, row for row
    incremental = snapshot()
    assert result.rows_changed > 0
    assert incremental == rebuilt()
    assert incremental[0], "the generated data fills some cells"
    assert {row[4] for row in incremental[2]} == {"scam_type"}
    # and in every cell the age bands add up to its check figures
    for cell in ReachDaily.objects.all():
        for figure in services.CHECK_FIELDS:
            bands = sum(getattr(cell, band_column(band, figure)) for band in AGE_BANDS)
            assert bands == getattr(cell, figure), (cell, figure)
    assert ReachDaily.objects.filter(band_60_plus_shown__gt=0).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback only")
def test_an_sqlite_without_full_join_gives_the_same_figures(world, monkeypatch):
    # Given generated activity counted on this SQLite, which has FULL JOIN (3.39 and later)
    world.generate(40)
    with_full_join = rebuilt()
    assert with_full_join[0] and any(row[1] == "" for row in with_full_join[0])

    # When the figures are rebuilt from nothing as an SQLite before 3.39 must
    for model in (ReachDaily, CampaignReachDaily, CheckBreakdownDaily):
        model.objects.all().delete()
    monkeypatch.setattr(sql.sqlite3, "sqlite_version_info", (3, 38, 5))

    # Then they are the same, row for row
    assert rebuilt() == with_full_join


def test_checks_split_by_age_band_and_by_scam_type(world: World):
    # Given on one day in Leishan: a heeded check of an elderly person suspecting two scam
    # types (cancelled, 5,000 yuan), a proceeded check of a young adult suspecting one,
    # and a heeded check with neither an age band nor a scam type
    day = START
    world.check(
        region_code="522634",
        created_at=at(day),
        status="heeded",
        age_band="60_plus",
        scam_types=["impersonating_police", "fake_credit_record"],
        amount=Decimal("5000"),
        resolution="cancelled",
    )
    world.check(
        region_code="522634",
        created_at=at(day),
        status="proceeded",
        age_band="18_34",
        scam_types=["impersonating_police"],
        resolution="completed",
    )
    world.check(
        region_code="522634",
        created_at=at(day),
        status="heeded",
        age_band="",
        scam_types=[],
        amount=Decimal("300"),
        resolution="",
    )

    # When the statistics are refreshed
    services.reach_refresh()

    # Then each check counts once in its age band, and the bands add up to the totals
    def split(dimension):
        return {
            r.code: (r.checks_shown, r.checks_heeded, r.checks_proceeded, r.protected_funds)
            for r in CheckBreakdownDaily.objects.filter(
                dimension=dimension, county_code="522634", day=day
            )
        }

    five_k = Decimal("5000.00")
    total = ReachDaily.objects.get(county_code="522634", day=day)
    bands = {
        band: tuple(getattr(total, band_column(band, figure)) for figure in services.CHECK_FIELDS)
        for band in AGE_BANDS
    }
    zero = (0, 0, 0, Decimal("0.00"))
    assert bands == {
        "60_plus": (1, 1, 0, five_k),
        "18_34": (1, 0, 1, Decimal("0.00")),
        "35_59": zero,
        "under_18": zero,
        "": (1, 1, 0, Decimal("0.00")),
    }
    assert (total.checks_shown, total.checks_heeded, total.protected_funds) == (3, 2, five_k)
    # and once under each scam type it names: the two-type check is in both rows
    assert split("scam_type") == {
        "impersonating_police": (2, 1, 1, five_k),
        "fake_credit_record": (1, 1, 0, five_k),
        "": (1, 1, 0, Decimal("0.00")),
    }
    row = CheckBreakdownDaily.objects.filter(county_code="522634").first()
    assert (row.prefecture_code, row.province_code) == ("522600", "520000")


def test_refresh_reads_only_cells_touched_since_its_watermark(world, no_overlap):
    # Given counted figures, and one untouched cell altered behind the refresh's back
    world.generate(30)
    services.reach_refresh()
    untouched = ReachDaily.objects.exclude(county_code="").order_by("day").first()
    ReachDaily.objects.filter(pk=untouched.pk).update(sessions=999)

    # When a new session arrives in another cell and the refresh runs
    world.session(county=world.regions["wanzhou"], held_on=START + timedelta(days=40))
    result = services.reach_refresh()

    # Then only the new cell was computed; the altered cell was not read again
    assert result.cells == 1
    assert ReachDaily.objects.get(pk=untouched.pk).sessions == 999
    # and the full rebuild puts it right
    services.reach_rebuild()
    assert (
        ReachDaily.objects.get(county_code=untouched.county_code, day=untouched.day).sessions != 999
    )


def test_running_twice_changes_nothing(world):
    world.generate(30)
    first = services.reach_refresh()
    figures = snapshot()

    second = services.reach_refresh()

    assert first.rows_changed > 0
    assert second.rows_changed == 0
    assert snapshot() == figures


def test_a_failed_refresh_leaves_figures_and_watermark_as_they_were(world, monkeypatch):
    # Given counted figures and a new session
    world.generate(10)
    services.reach_refresh()
    before, mark = snapshot(), Watermark.objects.get(name="reach").value
    world.session(county=world.regions["wanzhou"], held_on=START + timedelta(days=50))

    # When the refresh crashes half-way through writing
    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services.jobs, "_ledger_update", crash)
    with pytest.raises(RuntimeError):
        services.reach_job("reach.refresh")

    # Then nothing of the half-done run stays, the failure is on record, and the next run
    # does the whole work
    assert snapshot() == before
    assert Watermark.objects.get(name="reach").value == mark
    run = JobRun.objects.get(job="reach.refresh", outcome=JobRun.Outcome.FAILED)
    assert "worker killed" in run.error
    monkeypatch.undo()
    services.reach_refresh()
    assert ReachDaily.objects.filter(county_code="500101", day=START + timedelta(days=50)).exists()


def test_rebuild_command_shows_progress_and_records_the_run(world, capsys):
    world.generate(20)

    call_command("rebuild_reach_stats")

    out = capsys.readouterr()
    assert "覆盖统计已重建" in out.out  # commands speak the site language, Chinese
    assert "step" in out.err  # the progress bar
    run = JobRun.objects.get(job="reach.rebuild")
    assert run.outcome == JobRun.Outcome.OK
    assert run.rows_changed >= ReachDaily.objects.count() > 0
    assert run.duration_ms is not None and run.finished_at is not None


def test_deleting_a_campaign_deletes_its_figures(world: World):
    # Given two campaigns with figures, and one of them losing its sessions (erased)
    world.generate(30)
    services.reach_rebuild()
    gone, kept = world.campaigns
    assert CampaignReachDaily.objects.filter(campaign=gone).exists()
    kept_rows = CampaignReachDaily.objects.filter(campaign=kept).count()
    assert kept_rows
    SessionLog.objects.filter(campaign=gone).delete()

    # When the campaign is deleted before any refresh (its figures are still stored; the
    # table has no foreign key in the database, so Django's cascade must remove them)
    gone.delete()

    # Then its figures are gone, and the other campaign's are untouched
    assert not CampaignReachDaily.objects.filter(campaign_id=gone.pk).exists()
    assert CampaignReachDaily.objects.filter(campaign=kept).count() == kept_rows
