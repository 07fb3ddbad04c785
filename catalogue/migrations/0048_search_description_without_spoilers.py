"""Search reads a product's description without its spoilers: Product.search_description (the
description's text, spoilers left out: catalogue.indexing) takes the description's place, weight
C, in the vector 0039's trigger writes. Every stored product gets its column here and, on
PostgreSQL, its vector rebuilt (so are its search rows and word counts, by their triggers).

SQLite adds the column by copying the table, which its triggers from 0043 would not survive (they
name the table): they stand aside while it does."""

import importlib

from django.db import migrations, models

BEST_SELLING = importlib.import_module("catalogue.migrations.0043_search_rows_and_best_selling")

VECTOR = """
    setweight(to_tsvector('english'::regconfig, COALESCE({row}title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE({row}search_text, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE({row}{description}, '')), 'C')
"""


def trigger_function(description: str, *, keeps_unchanged: bool = True) -> str:
    keep = f"""
       AND NEW.title IS NOT DISTINCT FROM OLD.title
       AND NEW.search_text IS NOT DISTINCT FROM OLD.search_text
       AND NEW.{description} IS NOT DISTINCT FROM OLD.{description}
       AND OLD.search_document IS NOT NULL"""
    return f"""
CREATE OR REPLACE FUNCTION catalogue_product_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' {keep if keeps_unchanged else "AND false"} THEN
        NEW.search_document := OLD.search_document;
    ELSE
        NEW.search_document := {VECTOR.format(row="NEW.", description=description)};
    END IF;
    RETURN NEW;
END
$$;
"""


def rebuild(description: str) -> str:
    # The trigger keeps the vector of a row whose texts did not change: for the rebuild it
    # computes every one (the search rows' and word counts' triggers follow as for any update).
    vector = VECTOR.format(row="", description=description)
    return f"""
{trigger_function(description, keeps_unchanged=False)}
UPDATE catalogue_product SET search_document = NULL WHERE search_document IS DISTINCT FROM {vector};
{trigger_function(description)}
"""


def sqlite_triggers_off(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BEST_SELLING.SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


def sqlite_triggers_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in BEST_SELLING.SQLITE_FORWARD:  # the last one recounts: as they were
            schema_editor.execute(statement, params=None)


def fill_search_descriptions(apps, schema_editor):
    from catalogue.structured_data import plain_text

    Product = apps.get_model("catalogue", "Product")
    changed = []
    for product in Product._base_manager.only("pk", "description", "search_description").iterator(
        chunk_size=500
    ):
        text = plain_text(product.description or "")
        if text != product.search_description:
            product.search_description = text
            changed.append(product)
        if len(changed) >= 500:
            Product._base_manager.bulk_update(changed, ["search_description"])
            changed = []
    Product._base_manager.bulk_update(changed, ["search_description"])


def read_search_descriptions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rebuild("search_description"), params=None)


def read_descriptions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rebuild("description"), params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0047_spoiler_syntax_in_descriptions")]

    operations = [
        migrations.RunPython(sqlite_triggers_off, sqlite_triggers_on),
        migrations.AddField(
            model_name="product",
            name="search_description",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The description as search reads it: its text, without the spoilers.",
            ),
        ),
        migrations.RunPython(sqlite_triggers_on, sqlite_triggers_off),
        migrations.RunPython(fill_search_descriptions, migrations.RunPython.noop),
        migrations.RunPython(read_search_descriptions, read_descriptions),
    ]
