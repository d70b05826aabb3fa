"""A rebuild on PostgreSQL that would rewrite a large part of a table of figures builds its
new contents as a table of their own and puts it in the old one's place, in the rebuild's
transaction: rows written into a table without indexes, and the indexes built once over
all of them, cost a fraction of the same rows inserted through its indexes one by one.

Readers see the old table or the new one, never a mix or an empty table: the swap takes an
ACCESS EXCLUSIVE lock on the old table (a reader arriving meanwhile waits, then reads the
new table once the rebuild commits) and waits at most ``LOCK_TIMEOUT`` for readers still
at work, else it leaves the table alone and writes the difference instead. (A transaction
at REPEATABLE READ that began before the commit would find the new table empty; the site's
connections run at READ COMMITTED.) Only a table
that nothing else depends on is swapped (no foreign key from or to it, no trigger, view,
grant, row security, inheritance or publication); the new table gets the old one's
columns, defaults, identity, checks, indexes and constraints, under their names."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import OperationalError, connection, models, transaction

from .sql import _execute

logger = logging.getLogger(__name__)

# Swap when the rows to write (deleted plus inserted) are more than this share of the
# rows computed: below it, writing the difference into the old table is cheaper.
SWAP_SHARE = 0.25
LOCK_TIMEOUT = "5s"


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def swappable(model: type[models.Model]) -> bool:
    """Whether the table of ``model`` can be replaced by a new one without losing anything
    the catalogue attaches to it (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return False
    (ok,) = _rows(
        "SELECT c.relkind = 'r' AND NOT c.relrowsecurity AND c.relacl IS NULL "
        "AND pg_has_role(c.relowner, 'USAGE') "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' "
        "AND (k.conrelid = c.oid OR k.confrelid = c.oid)) "
        "AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid "
        "AND NOT t.tgisinternal) "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid "
        "WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = c.oid "
        "AND w.ev_class <> c.oid) "
        "AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE c.oid IN (i.inhrelid, i.inhparent)) "
        "AND NOT EXISTS (SELECT 1 FROM pg_publication_rel p WHERE p.prrelid = c.oid) "
        "AND NOT EXISTS (SELECT 1 FROM pg_publication p WHERE p.puballtables) "
        "FROM pg_class c WHERE c.oid = %s::regclass",
        [model._meta.db_table],
    )[0]
    return bool(ok)


DIFF_TEMP = "reach_tmp_diff"  # the stored rows to delete and the computed rows to insert


def _full_join(table: str, staged: str, keys: list[str], columns: list[str]) -> str:
    """FROM and WHERE of the rows that differ between the stored rows (``t``) and the
    computed ones (``w``): a key on one side only, or the same key with other figures."""
    same_key = " AND ".join(f"w.{c} = t.{c}" for c in keys)
    same_row = " AND ".join(f"w.{c} = t.{c}" for c in columns)
    return (
        f"FROM {staged} w FULL JOIN {table} t ON {same_key} "
        f"WHERE t.{keys[0]} IS NULL OR w.{keys[0]} IS NULL OR NOT ({same_row})"
    )


def _differences(table: str, staged: str, keys: list[str], columns: list[str]) -> tuple[int, int]:
    """(stored rows not computed exactly so, computed rows not stored exactly so): one hash
    join of the two tables, nothing written."""
    ((gone, added),) = _rows(
        f"SELECT COUNT(t.{keys[0]}), COUNT(w.{keys[0]}) " + _full_join(table, staged, keys, columns)
    )
    return int(gone), int(added)


def _write_difference(
    model: type[models.Model], staged: str, keys: list[str], columns: list[str]
) -> int:
    """Delete the stored rows not computed exactly so and insert the computed rows not
    stored exactly so, both read from one join set aside (a stored row by its key: a
    table's key may be its cell, with no id); returns deleted plus inserted."""
    table = model._meta.db_table
    picked = ", ".join(f"w.{c}" for c in columns)
    stored = ", ".join(f"t.{c} AS stored_{c}" for c in keys)
    _execute(
        f"CREATE TEMP TABLE {DIFF_TEMP} AS SELECT {stored}, "
        f"w.{keys[0]} IS NOT NULL AS computed, {picked} " + _full_join(table, staged, keys, columns)
    )
    _execute(f"ANALYZE {DIFF_TEMP}")
    same_key = " AND ".join(f"t.{c} = d.stored_{c}" for c in keys)
    gone = _execute(
        # A computed row not stored has NULL keys there, which equal nothing.
        f"DELETE FROM {table} t USING {DIFF_TEMP} d WHERE {same_key}"  # noqa: S608 - constant text
    )
    names = ", ".join(columns)
    added = _execute(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {DIFF_TEMP} WHERE computed"  # noqa: S608
    )
    _execute(f"DROP TABLE {DIFF_TEMP}")
    return gone + added


def _indexes(table: str) -> list[tuple[str, str, str | None, str | None]]:
    """(name, definition, constraint name, constraint definition) of each index."""
    return [
        (str(name), str(definition), conname, condef)
        for name, definition, conname, condef in _rows(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), k.conname, "
            "pg_get_constraintdef(k.oid) FROM pg_index i "
            "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid "
            "AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x') "
            "WHERE i.indrelid = %s::regclass ORDER BY i.indisprimary DESC, 1",
            [table],
        )
    ]


def _sequences(table: str) -> list[str]:
    """The sequences of the table's identity or serial columns."""
    return [
        str(seq)
        for (seq,) in _rows(
            "SELECT pg_get_serial_sequence(%s, a.attname) FROM pg_attribute a "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
            "AND pg_get_serial_sequence(%s, a.attname) IS NOT NULL ORDER BY a.attnum",
            [table, table, table],
        )
    ]


def _build_indexes(table: str, staged: str) -> list[tuple[str, str, bool]]:
    """Build on ``staged`` every index and index-backed constraint of ``table``, under
    temporary names; returns (temporary name, name, is a constraint) for the renames."""
    renames = []
    for n, (name, definition, conname, condef) in enumerate(_indexes(table)):
        temporary = f"{staged}_{n}"
        if conname and condef:
            _execute(f"ALTER TABLE {staged} ADD CONSTRAINT {temporary} {condef}")
            renames.append((temporary, conname, True))
        else:
            unique = "UNIQUE " if definition.startswith("CREATE UNIQUE ") else ""
            method = definition.split(" USING ", 1)[1]
            _execute(f"CREATE {unique}INDEX {temporary} ON {staged} USING {method}")
            renames.append((temporary, name.rsplit(".", 1)[-1], False))
    return renames


def _put_in_place(table: str, staged: str, renames: Iterable[tuple[str, str, bool]]) -> None:
    old_sequences = [s.rsplit(".", 1)[-1] for s in _sequences(table)]
    _execute(f"DROP TABLE {table}")
    _execute(f"ALTER TABLE {staged} RENAME TO {table}")
    for temporary, name, constraint in renames:
        if constraint:
            _execute(f"ALTER TABLE {table} RENAME CONSTRAINT {temporary} TO {name}")
        else:
            _execute(f"ALTER INDEX {temporary} RENAME TO {name}")
    for new, old in zip(_sequences(table), old_sequences, strict=True):
        _execute(f"ALTER SEQUENCE {new} RENAME TO {old}")


def swap_or_write(
    model: type[models.Model],
    staged: str,
    keys: list[str],
    columns: list[str],
    read_by: list[str],
) -> int:
    """Make the table of ``model`` hold exactly the rows of ``staged`` (a table shaped like
    it, filled by ``compute``; ``keys`` and the other ``columns`` compared), then drop
    ``staged`` or put it in the table's place: when more than ``SWAP_SHARE`` of the rows
    would be written and no reader holds the table too long. Returns the rows written as
    ``sync._sync`` counts them: deleted plus inserted (a changed row is both). ``read_by``:
    the columns readers find rows by, whose statistics the new table gets before it is
    put in place; autovacuum gathers the others after."""
    table = model._meta.db_table
    columns = [*keys, *columns]
    gone, added = _differences(table, staged, keys, columns)
    if gone + added == 0:
        _execute(f"DROP TABLE {staged}")
        return 0
    computed = _rows(f"SELECT COUNT(*) FROM {staged}")[0][0]  # noqa: S608 - constant text
    if gone + added > SWAP_SHARE * max(int(computed), 1):
        renames = _build_indexes(table, staged)
        # Readers' plans, from their first query on (the key's and the area's columns of
        # 1,000,000 rows: 0.13 s, against 0.17 s for every column; 0.05 s against 0.17 s
        # for the daily figures, whose many figure columns no reader filters on).
        _execute(f"ANALYZE {staged} ({', '.join(read_by)})")
        if _locked(table):
            _put_in_place(table, staged, renames)
            return gone + added
        logger.warning("reach: %s stayed in use; writing the difference instead", table)
    changed = _write_difference(model, staged, keys, columns)
    _execute(f"DROP TABLE {staged}")
    return changed


def _locked(table: str) -> bool:
    """Take the ACCESS EXCLUSIVE lock on ``table`` for the rest of the transaction, waiting
    at most ``LOCK_TIMEOUT`` for the readers at work (the readers queued behind the swap
    wait as long); False when it was not granted in time."""
    try:
        with transaction.atomic():  # a savepoint: a lock not granted undoes only this
            _execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            _execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        return False
    _execute("SET LOCAL lock_timeout = DEFAULT")
    return True
