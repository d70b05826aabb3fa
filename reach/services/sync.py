"""Writing computed cells: a diff, in the database, between the computed rows (the
temporary tables of ``compute``) and the stored ones, so an unchanged cell costs no write
and a rebuild equals any sequence of refreshes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, models

from ..models import CampaignReachDaily, CheckBreakdownDaily, ReachDaily
from .cells import BAND_FIELDS, CHECK_FIELDS, DAILY_FIELDS, OFFLINE_FIELDS, Scope
from .compute import BREAKDOWN_TEMP, CAMPAIGN_TEMP, DAILY_TEMP, _compute, _temp_drop
from .sql import _execute
from .swap import swap_or_write, swappable

logger = logging.getLogger(__name__)

PLACE = ["prefecture_code", "province_code"]
FRESH_TEMP = "reach_tmp_fresh"  # the computed rows of one table not stored yet
TABLES: list[tuple[type[models.Model], str, list[str], list[str]]] = [
    # model, temporary table of its computed rows, key, figures
    (ReachDaily, DAILY_TEMP, ["county_code", "day"], [*DAILY_FIELDS, *BAND_FIELDS]),
    (CampaignReachDaily, CAMPAIGN_TEMP, ["campaign_id", "county_code", "day"], OFFLINE_FIELDS),
    (
        CheckBreakdownDaily,
        BREAKDOWN_TEMP,
        ["dimension", "county_code", "day", "code"],
        CHECK_FIELDS,
    ),
]


def _in_scope(table: str, scope: Scope) -> tuple[str, list[Any]]:
    """A WHERE clause for the stored rows of ``scope``."""
    ops = connection.ops
    if scope.whole_range:
        where = f"{table}.day BETWEEN %s AND %s"
        params: list[Any] = [ops.adapt_datefield_value(d) for d in (scope.days[0], scope.days[-1])]
    else:
        where = f"{table}.day IN ({', '.join(['%s'] * len(scope.days))})"
        params = [ops.adapt_datefield_value(d) for d in scope.days]
    if scope.counties is not None:
        where += f" AND {table}.county_code IN ({', '.join(['%s'] * len(scope.counties))})"
        params += sorted(scope.counties)
    return where, params


def _equal(left: str, right: str, columns: list[str]) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in columns)


def _sync(
    model: type[models.Model], temp: str, keys: list[str], fields: list[str], scope: Scope | None
) -> int:
    """Make the stored rows of ``scope`` (None: every row) equal the rows of ``temp``,
    touching only rows that differ. Returns the rows written: deleted plus inserted (a
    cell whose figures changed is both)."""
    table = model._meta.db_table
    where, params = _in_scope(table, scope) if scope else ("1 = 1", [])
    same_key = _equal("w", table, keys)
    same_row = _equal("w", table, [*keys, *PLACE, *fields])
    # The planner needs to know the temporary table's size to pick hash joins (PostgreSQL),
    # or an index to look rows up in it (SQLite).
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {temp}")
        if scope is None:
            # A rebuild may follow a bulk load the statistics have not seen yet: a table
            # taken for empty gets scanned once per computed row.
            _execute(f"ANALYZE {table}")
    else:
        _execute(f"CREATE INDEX {temp}_key ON {temp} ({', '.join(keys)})")
    # Every stored row not computed exactly so goes; then the computed rows whose cell is
    # not stored (any more) are set aside and go in. Each statement works set against set,
    # and none reads the table it writes: a plan that scans the stored rows once per
    # computed row would scan a table growing under it.
    gone = _execute(
        f"DELETE FROM {table} WHERE {where} "  # noqa: S608 - constant text and parameters
        f"AND NOT EXISTS (SELECT 1 FROM {temp} w WHERE {same_row})",
        params,
    )
    columns = ", ".join([*keys, *PLACE, *fields])
    _execute(
        f"CREATE TEMP TABLE {FRESH_TEMP} AS SELECT {columns} FROM {temp} w "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same_key})"
    )
    added = _execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {FRESH_TEMP}")  # noqa: S608
    _execute(f"DROP TABLE {FRESH_TEMP}")
    return gone + added


def _apply(
    scope: Scope, *, everything: bool = False, step: Callable[[], None] | None = None
) -> int:
    """Recompute and store every cell in ``scope``; with ``everything``, the scope is every
    day a source has, and stored rows outside it go too. Must run inside the refresh's lock.
    ``step()`` is called after the computation and after each table is written.

    With ``everything`` on PostgreSQL, a table that can be swapped (``swap.swappable``) has
    its rows computed into a table shaped like it, which takes its place when more than a
    quarter of its rows would be written (``swap.swap_or_write``)."""
    staged = (
        {temp: model._meta.db_table for model, temp, _, _ in TABLES if swappable(model)}
        if everything
        else {}
    )
    _compute(scope, staged)  # a failure rolls the temporary tables back with the rest
    if step:
        step()
    changed = 0
    for model, temp, keys, fields in TABLES:
        if temp in staged:
            changed += swap_or_write(model, temp, keys, [*PLACE, *fields], [*keys, *PLACE])
        else:
            changed += _sync(model, temp, keys, fields, None if everything else scope)
        if step:
            step()
    _temp_drop()
    return changed
