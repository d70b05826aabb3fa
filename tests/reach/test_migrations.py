"""Reach migrations that move stored figures, on SQLite and PostgreSQL, both ways: 0010
keys the check breakdown by cell and group instead of ``id`` (SQLite makes the table
anew, PostgreSQL alters it in place), 0012 moves the split by age band from rows of the
breakdown to columns of the cell's row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from reach.models import CheckBreakdownDaily, ReachDaily

BEFORE = ("reach", "0009_campaign_rows_without_key")
DAY = date(2026, 3, 1)


def migrate(target: list[tuple[str, str]] | None = None):
    """Migrate to ``target`` (the latest when None); returns the models as they are there."""
    executor = MigrationExecutor(connection)
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def row(**figures) -> dict:
    return {
        "county_code": "522634",
        "prefecture_code": "522600",
        "province_code": "520000",
        "day": DAY,
        "dimension": "scam_type",
        "code": "romance",
        **figures,
    }


def stored() -> list[tuple]:
    return sorted(
        CheckBreakdownDaily.objects.values_list(
            "county_code", "day", "dimension", "code", "checks_shown", "protected_funds"
        )
    )


def columns() -> list[str]:
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(
            cursor, CheckBreakdownDaily._meta.db_table
        )
    return [column.name for column in table]


def collations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcollation::regcollation::text FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [CheckBreakdownDaily._meta.db_table],
        )
        return dict(cursor.fetchall())


def the_key_goes_both_ways() -> None:
    # Given breakdown rows stored before 0010, with ids
    old = migrate([BEFORE]).get_model("reach", "CheckBreakdownDaily")
    old.objects.create(**row(checks_shown=3, protected_funds=Decimal("12.34")))
    old.objects.create(**row(code="", county_code="", checks_shown=1))

    # When 0010 runs
    migrate()

    # Then the figures are all there, keyed by cell and group: a second row for the same
    # group of a cell is refused, one for another day goes in
    figures = [
        ("", DAY, "scam_type", "", 1, Decimal("0.00")),
        ("522634", DAY, "scam_type", "romance", 3, Decimal("12.34")),
    ]
    assert stored() == figures
    assert "id" not in columns()
    if connection.vendor == "postgresql":  # and its codes compare as bytes (0011)
        assert collations()["county_code"] == '"C"'
        assert collations()["code"] == '"C"'
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckBreakdownDaily.objects.create(**row(checks_shown=9))
    CheckBreakdownDaily.objects.create(**row(day=date(2026, 3, 2), checks_shown=1))

    # and back before 0010, every row has an id again, and new rows get theirs
    old = migrate([BEFORE]).get_model("reach", "CheckBreakdownDaily")
    assert "id" in columns()
    assert sorted(old.objects.values_list("id", flat=True)) == [1, 2, 3]
    assert old.objects.create(**row(day=date(2026, 3, 3))).id == 4
    with pytest.raises(IntegrityError), transaction.atomic():
        old.objects.create(**row(day=date(2026, 3, 3)))
    migrate()
    assert len(stored()) == 4


# Part 1 of the test run runs it on SQLite, part 2 on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_the_breakdown_key_migration_keeps_the_figures_both_ways():
    the_key_goes_both_ways()


BANDS_AS_ROWS = ("reach", "0011_breakdown_area_day_first")


@pytest.mark.django_db(transaction=True)
def test_the_split_by_age_band_moves_into_the_cells_rows_and_back():
    # Given, before 0012, a cell's row and its breakdown rows: two age bands, one band the
    # API no longer accepts, and a scam type
    apps = migrate([BANDS_AS_ROWS])
    daily = apps.get_model("reach", "ReachDaily")
    breakdown = apps.get_model("reach", "CheckBreakdownDaily")
    cell = {k: v for k, v in row().items() if k not in ("dimension", "code")}
    daily.objects.create(**cell, checks_shown=6, checks_heeded=4, protected_funds=Decimal("12.34"))
    for dimension, code, shown, heeded, funds in (
        ("age_band", "60_plus", 3, 3, "12.34"),
        ("age_band", "", 1, 0, "0"),
        ("age_band", "adult", 2, 1, "0"),
        ("scam_type", "romance", 6, 4, "12.34"),
    ):
        breakdown.objects.create(
            **row(dimension=dimension, code=code),
            checks_shown=shown,
            checks_heeded=heeded,
            protected_funds=Decimal(funds),
        )

    # When 0012 runs
    migrate()

    # Then each band's figures are in the cell's row (the unknown band's with "" 's), and
    # the breakdown keeps the scam type only
    stored_cell = ReachDaily.objects.get(county_code="522634", day=DAY)
    assert (stored_cell.band_60_plus_shown, stored_cell.band_60_plus_heeded) == (3, 3)
    assert stored_cell.band_60_plus_protected_funds == Decimal("12.34")
    assert (stored_cell.band_none_shown, stored_cell.band_none_heeded) == (3, 1)
    assert stored_cell.band_18_34_shown == stored_cell.band_under_18_shown == 0
    assert stored() == [("522634", DAY, "scam_type", "romance", 6, Decimal("12.34"))]

    # and back before 0012, the bands are rows again
    breakdown = migrate([BANDS_AS_ROWS]).get_model("reach", "CheckBreakdownDaily")
    assert sorted(
        breakdown.objects.values_list("dimension", "code", "checks_shown", "checks_heeded")
    ) == [("age_band", "", 3, 1), ("age_band", "60_plus", 3, 3), ("scam_type", "romance", 6, 4)]
    migrate()
