"""Search's facet rows (SearchRow: a narrow copy of each listed product's lexemes and listing
columns, GIN-indexed) and the purchase count on the product row (Product.num_purchases, with a
partial index for the best-selling sort and search's order within a tier), both kept by triggers
in the statement that changes their source, whatever writes it (the ORM, bulk inserts, Oscar's
analytics counter, raw SQL)."""

import django.contrib.postgres.search
from django.db import migrations, models

# The columns SearchRow copies from the product row (the vector stripped to its lexemes).
COPIED = "product_class_id, franchise_id, listing_price, is_available, warning_level, character_ids"
NEW_COPIED = ", ".join(f"NEW.{column.strip()}" for column in COPIED.split(","))
OLD_COPIED = ", ".join(f"OLD.{column.strip()}" for column in COPIED.split(","))

POSTGRESQL_FORWARD = f"""
INSERT INTO catalogue_searchrow (product_id, lexemes, {COPIED})
    SELECT id, strip(COALESCE(search_document, ''::tsvector)), {COPIED}
    FROM catalogue_product WHERE is_public AND parent_id IS NULL;
CREATE INDEX catalogue_searchrow_lexemes_gin ON catalogue_searchrow USING gin (lexemes);

CREATE FUNCTION catalogue_searchrow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.is_public, NEW.parent_id, NEW.search_document, {NEW_COPIED})
           IS NOT DISTINCT FROM (OLD.id, OLD.is_public, OLD.parent_id, OLD.search_document, {OLD_COPIED}) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM catalogue_searchrow WHERE product_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.is_public AND NEW.parent_id IS NULL THEN
        INSERT INTO catalogue_searchrow (product_id, lexemes, {COPIED})
        VALUES (NEW.id, strip(COALESCE(NEW.search_document, ''::tsvector)), {NEW_COPIED});
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER catalogue_product_searchrow
    AFTER INSERT OR UPDATE OR DELETE ON catalogue_product
    FOR EACH ROW EXECUTE FUNCTION catalogue_searchrow();

CREATE FUNCTION catalogue_product_num_purchases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.num_purchases := COALESCE(
        (SELECT num_purchases FROM analytics_productrecord WHERE product_id = NEW.id), 0);
    RETURN NEW;
END
$$;
CREATE TRIGGER catalogue_product_num_purchases
    BEFORE INSERT OR UPDATE ON catalogue_product
    FOR EACH ROW EXECUTE FUNCTION catalogue_product_num_purchases();

CREATE FUNCTION analytics_productrecord_to_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The product's own trigger reads the count: touching the row is enough.
    IF TG_OP <> 'INSERT' THEN
        UPDATE catalogue_product SET num_purchases = 0 WHERE id = OLD.product_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE catalogue_product SET num_purchases = NEW.num_purchases WHERE id = NEW.product_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER analytics_productrecord_to_product
    AFTER INSERT OR DELETE OR UPDATE OF num_purchases, product_id ON analytics_productrecord
    FOR EACH ROW EXECUTE FUNCTION analytics_productrecord_to_product();

UPDATE catalogue_product SET num_purchases = 0
    WHERE id IN (SELECT product_id FROM analytics_productrecord WHERE num_purchases > 0);

-- How many products have a word in their title (or names): the planner's estimate for a tier of
-- search results (shop.search.selectors), which decides between reading the best-selling index
-- in order and sorting the matches.
CREATE STATISTICS IF NOT EXISTS catalogue_product_search_tiers
    ON (ts_filter(search_document, '{{a}}'::"char"[])), (ts_filter(search_document, '{{a,b}}'::"char"[]))
    FROM catalogue_product;
"""

POSTGRESQL_BACKWARD = """
DROP STATISTICS IF EXISTS catalogue_product_search_tiers;
DROP TRIGGER IF EXISTS analytics_productrecord_to_product ON analytics_productrecord;
DROP FUNCTION IF EXISTS analytics_productrecord_to_product();
DROP TRIGGER IF EXISTS catalogue_product_num_purchases ON catalogue_product;
DROP FUNCTION IF EXISTS catalogue_product_num_purchases();
DROP TRIGGER IF EXISTS catalogue_product_searchrow ON catalogue_product;
DROP FUNCTION IF EXISTS catalogue_searchrow();
"""

# SQLite cannot change NEW in a trigger: the product's count is set again after any update that
# writes it (recursive triggers are off, so that update fires nothing more). No search rows.
SQLITE_FORWARD = [
    """CREATE TRIGGER analytics_productrecord_inserted AFTER INSERT ON analytics_productrecord
    BEGIN UPDATE catalogue_product SET num_purchases = NEW.num_purchases WHERE id = NEW.product_id; END""",
    """CREATE TRIGGER analytics_productrecord_updated
    AFTER UPDATE OF num_purchases, product_id ON analytics_productrecord
    BEGIN
        UPDATE catalogue_product SET num_purchases = 0 WHERE id = OLD.product_id;
        UPDATE catalogue_product SET num_purchases = NEW.num_purchases WHERE id = NEW.product_id;
    END""",
    """CREATE TRIGGER analytics_productrecord_deleted AFTER DELETE ON analytics_productrecord
    BEGIN UPDATE catalogue_product SET num_purchases = 0 WHERE id = OLD.product_id; END""",
    """CREATE TRIGGER catalogue_product_num_purchases
    AFTER UPDATE OF num_purchases ON catalogue_product
    BEGIN
        UPDATE catalogue_product SET num_purchases = COALESCE(
            (SELECT num_purchases FROM analytics_productrecord WHERE product_id = NEW.id), 0)
        WHERE id = NEW.id;
    END""",
    """UPDATE catalogue_product SET num_purchases = COALESCE(
        (SELECT num_purchases FROM analytics_productrecord WHERE product_id = catalogue_product.id), 0)""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "analytics_productrecord_inserted",
        "analytics_productrecord_updated",
        "analytics_productrecord_deleted",
        "catalogue_product_num_purchases",
    )
]


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD, params=None)
    else:
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)
    else:
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0042_product_listing_sort_indexes'),
        ('analytics', '0003_auto_20200801_0817'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchRow',
            fields=[
                ('product_id', models.IntegerField(primary_key=True, serialize=False)),
                ('lexemes', django.contrib.postgres.search.SearchVectorField()),
                ('product_class_id', models.IntegerField(null=True)),
                ('franchise_id', models.IntegerField(null=True)),
                ('listing_price', models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ('is_available', models.BooleanField()),
                ('warning_level', models.PositiveSmallIntegerField()),
                ('character_ids', models.TextField(blank=True)),
            ],
        ),
        migrations.AddField(
            model_name='product',
            name='num_purchases',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.OrderBy(models.F('num_purchases'), descending=True), models.OrderBy(models.F('date_created'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_best_selling'),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
