"""The demo shop for tests, seeded once per test run and copied into each test's database.

`seed_demo` draws its artwork and saves ~2,500 rows through the ORM and its signals (1.7 s on
SQLite, several on PostgreSQL). Tests that need the demo shop get the same rows by plain INSERTs of
what the seed left behind, captured once per run inside a transaction that is then rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

# Search rows are written by a trigger on PostgreSQL when the products are inserted.
IGNORED_TABLES = {"django_migrations", "catalogue_searchrow"}


@dataclass(frozen=True)
class TableChanges:
    table: str
    columns: tuple[str, ...]
    pk_column: str
    removed: tuple  # primary keys of rows the seed changed or deleted
    added: tuple  # rows the seed inserted or changed, as tuples in `columns` order


def capture(seed) -> list[TableChanges]:
    """Run `seed()` in a transaction, note every row it changed, and roll it all back."""
    with transaction.atomic():
        before = _all_rows()
        seed()
        after = _all_rows()
        transaction.set_rollback(True)
    changes = []
    for table, (columns, pk_column, rows) in after.items():
        old = before[table][2]
        added = tuple(row for pk, row in rows.items() if old.get(pk) != row)
        removed = tuple(pk for pk, row in old.items() if rows.get(pk) != row)
        if added or removed:
            changes.append(TableChanges(table, columns, pk_column, removed, added))
    return changes


def restore(changes: list[TableChanges]) -> None:
    """Apply the captured rows to the test's database (foreign keys are checked at commit)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for change in changes:
            table = quote(change.table)
            if change.removed:
                cursor.executemany(
                    f"DELETE FROM {table} WHERE {quote(change.pk_column)} = %s",
                    [(pk,) for pk in change.removed],
                )
            if change.added:
                columns = ", ".join(quote(column) for column in change.columns)
                placeholders = ", ".join(["%s"] * len(change.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                    [_adapted(row) for row in change.added],
                )
        tables = {change.table for change in changes}
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in tables
        ]
        # PostgreSQL's sequences would hand out the copied ids again; SQLite needs nothing.
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _all_rows() -> dict[str, tuple[tuple[str, ...], str, dict]]:
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in IGNORED_TABLES:
                continue
            pk_column = connection.introspection.get_primary_key_column(cursor, table)
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = tuple(column[0] for column in cursor.description)
            at = columns.index(pk_column)
            found[table] = (columns, pk_column, {row[at]: row for row in cursor.fetchall()})
    return found


def _adapted(row: tuple) -> tuple:
    if connection.vendor != "postgresql":
        return row
    from psycopg.types.json import Jsonb

    # psycopg reads json columns as Python objects; it writes them back only when told.
    return tuple(Jsonb(value) if isinstance(value, dict | list) else value for value in row)
