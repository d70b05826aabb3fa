"""The pieces of SQL the reach computations are written in: running a statement, filling
a table from a SELECT, the county join, sums and the protected funds' conversion, and a
FULL JOIN that works on every database the project supports. Only SQL compiled by Django
(with its own parameters) and constant text of this package go through them."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from regions.models import Level, Region

SQL = tuple[str, list[Any]]


def _execute(sql: str, params: list[Any] | None = None) -> int:
    """Run one statement; returns the rows it touched. Only SQL compiled by Django (with its
    own parameters) and constant text of this package go in here."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.rowcount)


def _compiled(qs: QuerySet[Any]) -> SQL:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _create(name: str, columns: list[str], select: SQL, like: str | None) -> None:
    """Fill table ``name`` with the rows of ``select`` (its columns named ``columns``): a
    temporary table, or, with ``like``, a table with the columns, defaults, identity and
    checks of table ``like`` (no index yet: they are built after the rows are in)."""
    if like is None:
        _execute(f"CREATE TEMP TABLE {name} AS {select[0]}", select[1])
        return
    _execute(
        f"CREATE TABLE {name} (LIKE {like} "
        "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
    )
    _execute(f"INSERT INTO {name} ({', '.join(columns)}) {select[0]}", select[1])


def _county_join(alias: str, column: str) -> SQL:
    """LEFT JOIN of the region ``column`` names when it is a county: ``alias.code`` is NULL
    for a code that is not a county (its figures go to the unplaced cell)."""
    return (
        f"LEFT JOIN {Region._meta.db_table} {alias} "
        f"ON {alias}.code = {column} AND {alias}.level = %s",
        [Level.COUNTY.value],
    )


def _placed(alias: str) -> str:
    """The county code of a check's cell: its region's when that is a county, else ""."""
    return f"COALESCE({alias}.code, '') AS county_code"


def _parents(alias: str) -> str:
    """Prefecture and province code of a county joined by ``_county_join`` ("" if none)."""
    return (
        f"COALESCE({alias}.parent_id, '') AS prefecture_code, "
        f"CASE WHEN {alias}.code IS NULL THEN '' "
        f"ELSE SUBSTR({alias}.code, 1, 2) || '0000' END AS province_code"
    )


def _nonzero(fields: list[str]) -> str:
    """A HAVING clause: a cell where nothing countable happened is not stored."""
    return " OR ".join(f"SUM({name}) <> 0" for name in fields)


def _money(cents: str, name: str) -> str:
    """Protected funds ``name``, in yuan, from a sum in cents (``_check_flags``, ``CENTS``)."""
    return f"ROUND(CAST(CAST({cents} AS BIGINT) AS NUMERIC) * 0.01, 2) AS {name}"


def _summed(name: str, source: str | None = None) -> str:
    """The figure ``name`` of a group, summed from ``source``."""
    total = f"SUM({source or name})"
    return _money(total, name) if name == "protected_funds" else f"{total} AS {name}"


def _count(column: str) -> str:
    # Integers, so that the sums over them stay integers (PostgreSQL sums bigints as numeric).
    return f"CAST({column} AS INTEGER)"


def _part(sql: SQL, columns: dict[str, str], fields: list[str]) -> SQL:
    """A SELECT giving ``fields`` from ``sql`` (0 where it has none)."""
    picked = ", ".join(f"{columns.get(name, '0')} AS {name}" for name in fields)
    return f"SELECT {picked} FROM ({sql[0]}) q", sql[1]  # noqa: S608 - see _execute


def _full_join(left: SQL, right: str, on: str) -> SQL:
    """The rows of ``left`` (``a``) and ``right`` (``c``) matched ``on``, with the rows of
    either side that match none (their other side's columns NULL), as one table ``j``: a
    FULL JOIN, or for SQLite before 3.39, which has none, a LEFT JOIN of each to the
    other, the second keeping only the rows of ``c`` that match none (``a.county_code``
    is never NULL in a row of ``left``)."""
    sql, params = left
    if connection.vendor != "sqlite" or sqlite3.sqlite_version_info >= (3, 39):
        return f"(SELECT a.*, c.* FROM ({sql}) a FULL JOIN ({right}) c ON {on}) j", params  # noqa: S608
    return (
        f"(SELECT a.*, c.* FROM ({sql}) a LEFT JOIN ({right}) c ON {on} "  # noqa: S608
        f"UNION ALL SELECT a.*, c.* FROM ({right}) c LEFT JOIN ({sql}) a ON {on} "
        "WHERE a.county_code IS NULL) j",
        [*params, *params],
    )
