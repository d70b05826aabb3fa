"""Reach migration 0010 keys the check breakdown by cell and group instead of ``id``, on
SQLite (the table made anew) and PostgreSQL (altered in place): the stored figures stay,
one row per group of a cell is still enforced, and it goes back again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from reach.models import CheckBreakdownDaily

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
        "dimension": "age_band",
        "code": "60_plus",
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
        ("", DAY, "age_band", "", 1, Decimal("0.00")),
        ("522634", DAY, "age_band", "60_plus", 3, Decimal("12.34")),
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
