"""On PostgreSQL: a rebuild that would rewrite most of a table of figures builds a new table
and puts it in the old one's place (reach/services/swap.py), with the old one's names; one
that finds little changed writes the difference; readers see the old figures or the new,
never an empty table."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from quizzes.models import TransferCheck
from reach import services
from reach.models import CampaignReachDaily, CheckBreakdownDaily, ReachDaily
from reach.services import swap
from tests.reach.factories import World, snapshot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SWAPPED = tuple(m._meta.db_table for m in (ReachDaily, CampaignReachDaily, CheckBreakdownDaily))
BREAKDOWN = CheckBreakdownDaily._meta.db_table


def one(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def oid(table: str) -> int:
    return one("SELECT %s::regclass::oid", [table])


def layout(table: str) -> tuple[list, list, str]:
    """The table's index definitions, constraint definitions (with names), sequences and
    columns."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        constraints = cursor.fetchall()
    sequences = one(
        "SELECT string_agg(pg_get_serial_sequence(%s, attname), ',') FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table, table],
    )
    # and each column's type and collation (the breakdown's codes compare as "C")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attcollation::regcollation::text "
            "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
        columns = cursor.fetchall()
    return indexes, constraints, sequences, columns


def skew_every_breakdown_row() -> None:
    """Stored figures that all differ from the sources, so a rebuild rewrites every row."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {BREAKDOWN} SET checks_shown = checks_shown + 1")  # noqa: S608


def test_a_rebuild_into_empty_tables_puts_new_tables_in_place_under_the_same_names():
    # Given sources and empty tables of figures
    world = World(seed=5)
    world.generate(40)
    before = {table: (oid(table), layout(table)) for table in SWAPPED}

    # When the figures are rebuilt
    result = services.reach_rebuild()

    # Then the tables of figures are new tables with the old names, indexes,
    # constraints, sequences and columns, holding every computed row
    for table in SWAPPED:
        assert oid(table) != before[table][0]
        assert layout(table) == before[table][1]
    stored = snapshot()
    assert result.rows_changed == sum(len(rows) for rows in stored) > 0
    # and they work as before: new rows get ids, and a refresh equals a rebuild
    world.live = True
    world.generate(10)
    services.reach_refresh()
    refreshed = snapshot()
    assert refreshed != stored
    services.reach_rebuild()
    assert snapshot() == refreshed


def test_a_rebuild_that_finds_nothing_changed_keeps_the_tables_and_writes_nothing():
    # Given figures up to date
    World(seed=6).generate(30)
    services.reach_rebuild()
    before = {table: oid(table) for table in SWAPPED}
    stored = snapshot()

    # When the figures are rebuilt again
    result = services.reach_rebuild()

    # Then nothing was written, and the tables are the same ones
    assert result.rows_changed == 0
    assert {table: oid(table) for table in SWAPPED} == before
    assert snapshot() == stored


def test_a_rebuild_blocked_by_a_reader_writes_the_difference_instead(monkeypatch):
    # Given figures that all differ from the sources, and a reader in a transaction that
    # has read the breakdown table (it holds its lock until it ends)
    monkeypatch.setattr(swap, "LOCK_TIMEOUT", "200ms")
    World(seed=7).generate(30)
    services.reach_rebuild()
    expected = snapshot()
    skew_every_breakdown_row()
    table_before = oid(BREAKDOWN)
    reading, release = threading.Event(), threading.Event()

    def reader() -> None:
        try:
            with transaction.atomic():
                one(f"SELECT COUNT(*) FROM {BREAKDOWN}")  # noqa: S608
                reading.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(30)

    # When the figures are rebuilt while the reader is still at work
    try:
        result = services.reach_rebuild()
    finally:
        release.set()
        thread.join(30)

    # Then the rebuild did not wait for it: it wrote the difference into the same table
    assert result.outcome == "ok"
    assert oid(BREAKDOWN) == table_before
    assert snapshot() == expected


def test_readers_during_a_swap_see_the_old_figures_or_the_new_never_an_empty_table():
    # Given figures that all differ from the sources (so a rebuild swaps the table in)
    World(seed=8).generate(40)
    services.reach_rebuild()
    new = one(f"SELECT SUM(checks_shown) FROM {BREAKDOWN}")  # noqa: S608
    skew_every_breakdown_row()
    old = one(f"SELECT SUM(checks_shown) FROM {BREAKDOWN}")  # noqa: S608
    table_before = oid(BREAKDOWN)
    seen: list = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                seen.append(one(f"SELECT SUM(checks_shown) FROM {BREAKDOWN}"))  # noqa: S608
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()

    # When the figures are rebuilt while two readers read them in a loop
    try:
        services.reach_rebuild()
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)

    # Then the table was swapped, and every read gave the old total or the new one
    assert not errors, errors
    assert oid(BREAKDOWN) != table_before
    assert seen and set(seen) <= {old, new}
    assert one(f"SELECT SUM(checks_shown) FROM {BREAKDOWN}") == new  # noqa: S608


def test_a_rebuild_that_finds_a_few_rows_changed_writes_them_into_the_same_tables():
    # Given figures up to date, then one check deleted outright (a refresh does not see it)
    World(seed=9).generate(40)
    services.reach_rebuild()
    before = {table: oid(table) for table in SWAPPED}
    TransferCheck.objects.filter(opened_at__isnull=False).order_by("id").first().delete()

    # When the figures are rebuilt
    result = services.reach_rebuild()

    # Then only the rows of its cell were written, into the same tables, and they are the
    # figures of the remaining checks
    assert 0 < result.rows_changed <= 2 * 4  # its daily row and its breakdown rows, or so
    assert {table: oid(table) for table in SWAPPED} == before
    stored = snapshot()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(SWAPPED)}")
    services.reach_rebuild()
    assert snapshot() == stored
