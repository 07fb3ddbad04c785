"""Typo-tolerant matching for the search box's suggestions (shop.search.suggestions): PostgreSQL's
pg_trgm extension and GIN trigram indexes on the names a shopper types — product titles and
franchise names. Titles and names only: they are short, spoiler-free and what a shopper
remembers; descriptions are long (every trigram in them) and may hide spoilers. SQLite has no
trigrams: it skips all of this and suggestions fall back to plain matching (see the module)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "catalogue_product_title_trgm": ("catalogue_product", "title"),
    "catalogue_franchise_name_trgm": ("catalogue_franchise", "name"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0048_search_description_without_spoilers")]

    operations = [
        TrigramExtension(),  # does nothing on SQLite
        migrations.RunPython(create_indexes, drop_indexes),
    ]
