"""A stored full-text vector per product, kept by a PostgreSQL trigger and indexed with GIN, in
place of 0034's index on an expression that ranking had to recompute for every match. SQLite
keeps an always-empty column and searches the text columns (shop.search.selectors)."""

import django.contrib.postgres.search
from django.db import migrations

OLD_INDEX = "catalogue_product_search_gin"
INDEX = "catalogue_product_search_document_gin"

# Weights as before: title A; UPC, franchise, characters, type and attributes (search_text) B;
# description C. An update that leaves the three texts alone keeps the stored vector, whatever
# value the ORM sends for it.
FORWARD = f"""
CREATE FUNCTION catalogue_product_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.title IS NOT DISTINCT FROM OLD.title
       AND NEW.search_text IS NOT DISTINCT FROM OLD.search_text
       AND NEW.description IS NOT DISTINCT FROM OLD.description
       AND OLD.search_document IS NOT NULL THEN
        NEW.search_document := OLD.search_document;
    ELSE
        NEW.search_document :=
            setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.search_text, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.description, '')), 'C');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER catalogue_product_search_document
    BEFORE INSERT OR UPDATE ON catalogue_product
    FOR EACH ROW EXECUTE FUNCTION catalogue_product_search_document();
UPDATE catalogue_product SET search_document = NULL;
DROP INDEX IF EXISTS {OLD_INDEX};
CREATE INDEX {INDEX} ON catalogue_product USING gin (search_document);
"""

BACKWARD = f"""
DROP INDEX IF EXISTS {INDEX};
DROP TRIGGER IF EXISTS catalogue_product_search_document ON catalogue_product;
DROP FUNCTION IF EXISTS catalogue_product_search_document();
CREATE INDEX {OLD_INDEX} ON catalogue_product USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(search_text, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'C')
));
"""


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # the UPDATE above backfills: the trigger fills NULLs


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0038_sanitise_staff_html")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(install_trigger, remove_trigger),
    ]
