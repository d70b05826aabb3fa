"""Real database failures for tests: a trigger that refuses to update one row, on SQLite and
PostgreSQL alike, so a test can break a migration or a service half-way without a mock."""

from __future__ import annotations

from django.core.files.storage import storages
from django.db import connection


class RowUpdateRefused:
    """While active, an UPDATE of row ``row_id`` of ``table`` fails in the database."""

    def __init__(self, table: str, row_id: int) -> None:
        self.table = table
        self.id = row_id

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION 'row refused'; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER refuse_row BEFORE UPDATE ON {self.table} FOR EACH ROW"
                    f" WHEN (OLD.id = {self.id}) EXECUTE FUNCTION refuse_row()"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER refuse_row BEFORE UPDATE ON {self.table}"
                    f" WHEN OLD.id = {self.id} BEGIN SELECT RAISE(ABORT, 'row refused'); END"
                )

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER refuse_row ON {self.table}"
                if connection.vendor == "postgresql"
                else "DROP TRIGGER refuse_row"
            )
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION refuse_row()")


def where_it_is(name: str) -> set[str]:
    """The storages (public "default", "private") that hold a file of this name."""
    return {alias for alias in ("default", "private") if storages[alias].exists(name)}
