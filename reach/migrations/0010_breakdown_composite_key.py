"""The breakdown's rows keyed by their cell and group (county, day, dimension, code), the
key its unique constraint held, instead of a surrogate ``id``: one column and one index
fewer to write per row, and a rebuild writes about as many rows as checks where cells
hold few (reach/models.py).

Django's migrations do not turn a table's key into a composite one, so this operation
changes the model's state as the three operations in ``STATE`` would, and the table
itself by hand: on PostgreSQL the ``id`` column goes and the unique constraint's columns
become its primary key, rows in place; SQLite cannot change a table's key, so the
table is made anew from the new state and the rows are copied over. Both ways: backwards
``id`` comes back, numbering the rows afresh."""

from django.db import migrations, models
from django.db.migrations.operations.base import Operation

MODEL = "checkbreakdowndaily"
UNIQUE = "reach_one_breakdown_row_per_cell"
KEY = ("county_code", "day", "dimension", "code")

STATE = [
    migrations.RemoveConstraint(model_name=MODEL, name=UNIQUE),
    migrations.RemoveField(model_name=MODEL, name="id"),
    migrations.AddField(
        model_name=MODEL,
        name="pk",
        field=models.CompositePrimaryKey(
            *KEY, blank=True, editable=False, primary_key=True, serialize=False
        ),
    ),
]


def _remake(schema_editor, old: type[models.Model], new: type[models.Model]) -> None:
    """SQLite: the table of ``old`` made anew as ``new`` wants it, its rows kept (``id``
    numbered afresh when ``new`` has it)."""
    table = old._meta.db_table
    for constraint in old._meta.constraints:
        schema_editor.remove_constraint(old, constraint)
    for index in old._meta.indexes:  # names are the database's, not the table's
        schema_editor.remove_index(old, index)
    schema_editor.alter_db_table(old, table, f"{table}_old")
    schema_editor.create_model(new)
    quote = schema_editor.quote_name
    columns = ", ".join(
        quote(f.column) for f in new._meta.local_concrete_fields if f.column != "id"
    )
    schema_editor.execute(
        f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {quote(table + '_old')}"
    )
    schema_editor.execute(f"DROP TABLE {quote(table + '_old')}")


def _key_in_place(schema_editor, numbered: type[models.Model], _keyed) -> None:
    """PostgreSQL: ``id`` (and its key) dropped, the unique constraint's columns the key."""
    table = numbered._meta.db_table
    schema_editor.remove_field(numbered, numbered._meta.get_field("id"))
    for constraint in numbered._meta.constraints:  # the unique one, now the key
        schema_editor.remove_constraint(numbered, constraint)
    schema_editor.execute(
        f"ALTER TABLE {schema_editor.quote_name(table)} ADD CONSTRAINT "
        f"{schema_editor.quote_name(table + '_pkey')} PRIMARY KEY ({', '.join(KEY)})"
    )


def _number_in_place(schema_editor, keyed: type[models.Model], numbered) -> None:
    """PostgreSQL, backwards: the composite key dropped, ``id`` and the unique constraint
    added."""
    table = keyed._meta.db_table
    schema_editor.execute(
        f"ALTER TABLE {schema_editor.quote_name(table)} "
        f"DROP CONSTRAINT {schema_editor.quote_name(table + '_pkey')}"
    )
    schema_editor.add_field(numbered, numbered._meta.get_field("id"))
    for constraint in numbered._meta.constraints:
        schema_editor.add_constraint(numbered, constraint)


class UseCellAsKey(Operation):
    reversible = True
    reduces_to_sql = False

    def state_forwards(self, app_label, state):
        for operation in STATE:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._change(app_label, schema_editor, from_state, to_state, _key_in_place)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._change(app_label, schema_editor, from_state, to_state, _number_in_place)

    def _change(self, app_label, schema_editor, from_state, to_state, in_place) -> None:
        """The table of the model as ``from_state`` has it made as ``to_state`` wants it:
        ``in_place`` on PostgreSQL, anew on SQLite."""
        old = from_state.apps.get_model(app_label, MODEL)
        new = to_state.apps.get_model(app_label, MODEL)
        if schema_editor.connection.vendor == "postgresql":
            in_place(schema_editor, old, new)
        else:
            _remake(schema_editor, old, new)

    def describe(self):
        return "Key the check breakdown by cell and group instead of id"


class Migration(migrations.Migration):
    dependencies = [("reach", "0009_campaign_rows_without_key")]

    operations = [UseCellAsKey()]
