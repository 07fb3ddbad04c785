"""GIN indexes on the words a product has only among its names (not in its title), and only in its
description (not in its title or names): how search (shop.search.selectors) finds a small tier 2
or 3 of a frequent word without reading every match — the last page of "pin" reads its 3 tier-2
matches, not all 31k matches' rows.

A larger statistics target keeps the rare words' frequencies, so the planner sees that such a
tier is a few rows and reads this index alone."""

from django.db import migrations

NAMES_ONLY = (
    "ts_delete(ts_filter(search_document, '{b}'::\"char\"[]), "
    "tsvector_to_array(ts_filter(search_document, '{a}'::\"char\"[])))"
)
DESCRIPTION_ONLY = (
    "ts_delete(ts_filter(search_document, '{c}'::\"char\"[]), "
    "tsvector_to_array(ts_filter(search_document, '{a,b}'::\"char\"[])))"
)
INDEXES = {
    "catalogue_product_names_only_gin": NAMES_ONLY,
    "catalogue_product_description_only_gin": DESCRIPTION_ONLY,
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {name} ON catalogue_product USING gin (({expression}))"
        )
        schema_editor.execute(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS 1000")
    schema_editor.execute("ANALYZE catalogue_product")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0044_search_word_counts")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
