"""One transfer check's row, read and written by the hosted quiz with SQL built once per
process.

Each screen of the quiz reads its check (an answer locks it) and writes a few columns back.
Through the ORM each of those statements is compiled again per request, and for a table as
wide as the checks' that costs more CPU than the database spends running it (bench/check.py
--profile). Here the statement text, and the converters Django applies to each column
(JSON, dates, decimals, UUIDs on SQLite), are worked out once per database vendor; values go
through each field's own preparation, so the row read and written is exactly what the ORM's
would be. No signals are sent: nothing listens to a check's saves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field

from ..models import TransferCheck

Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _select(vendor: str, lock: bool) -> tuple[str, list[str], list[tuple[Any, list[Converter]]]]:
    """The SELECT of one check by key, its attribute names, and per column the expression and
    converters the ORM would apply to its value."""
    quote = connection.ops.quote_name
    meta = TransferCheck._meta
    fields = list(meta.concrete_fields)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608 - names from the model, the value bound
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    converting = []
    for f in fields:
        col = f.get_col(meta.db_table)
        converting.append(
            (col, [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)])
        )
    return sql, [f.attname for f in fields], converting


def _key(check_id: Any) -> Any:
    pk: Field[Any, Any] = TransferCheck._meta.pk
    return pk.get_db_prep_value(check_id, connection)


def check_row(check_id: Any, *, lock: bool = False) -> TransferCheck | None:
    """The check with this key (locked until the transaction ends when ``lock``), or None.
    A malformed key is no check."""
    try:
        key = _key(check_id)
    except ValidationError:  # not a UUID
        return None
    sql, names, converting = _select(connection.vendor, lock)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (col, converters) in zip(row, converting, strict=True):
        for convert in converters:
            value = convert(value, col, connection)
        values.append(value)
    return TransferCheck.from_db(connection.alias, names, values)


@functools.cache
def _update(vendor: str, attnames: tuple[str, ...]) -> tuple[str, list[Field[Any, Any]]]:
    quote = connection.ops.quote_name
    meta = TransferCheck._meta
    fields = [meta.get_field(name) for name in attnames]
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608 - names from the model, values bound
    return sql, fields  # type: ignore[return-value]


def check_row_update(check: TransferCheck, fields: Iterable[str]) -> None:
    """Write these attributes of ``check`` to its row (``save(update_fields=...)``, with the
    statement built once)."""
    sql, prepared = _update(connection.vendor, tuple(fields))
    params = [f.get_db_prep_save(getattr(check, f.attname), connection) for f in prepared]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, _key(check.pk)])
