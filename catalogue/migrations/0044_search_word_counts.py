"""Search's counts kept ready for frequent words (SearchWord, SearchWordCount: catalogue.search_words):
per word, relevance tier and facet cell, written by a trigger on catalogue_product in the statement
that changes the product, as signed rows (concurrent orders never wait on a shared counter). The
words that at least 2,000 listed products hold are kept from here on; ANALYZE gives the planner
the search-tier statistics of migration 0043, which it leaves empty until autovacuum comes by."""

from django.db import migrations, models

# A word's tier in one product: 1 when the title holds it (weight A), 2 the names (B), else 3;
# the price bands of catalogue.facet_counts.PRICE_BANDS (tests compare both with a fresh count).
POSTGRESQL_FORWARD = """
CREATE FUNCTION catalogue_search_word_cells(
    doc tsvector, class_id integer, franchise_id integer, price numeric, available boolean,
    warning integer, character_ids text
) RETURNS TABLE (
    lexeme text, tier smallint, character_id integer, product_class_id integer,
    franchise_id integer, band varchar, is_available boolean, warning_level smallint
) LANGUAGE sql STABLE AS $$
    SELECT w.lexeme,
           (CASE WHEN 'A' = ANY(d.weights) THEN 1 WHEN 'B' = ANY(d.weights) THEN 2 ELSE 3 END)::smallint,
           c.character_id, class_id, franchise_id,
           CASE WHEN price < 10 THEN 'under-10' WHEN price < 20 THEN '10-20'
                WHEN price < 30 THEN '20-30' WHEN price >= 30 THEN '30-plus' ELSE '' END,
           available, warning::smallint
    FROM unnest(doc) AS d
    JOIN catalogue_searchword AS w ON w.lexeme = d.lexeme
    CROSS JOIN (
        SELECT NULL::integer
        UNION ALL
        SELECT unnest(string_to_array(NULLIF(character_ids, ''), ' '))::integer
    ) AS c (character_id)
$$;

CREATE FUNCTION catalogue_product_search_word_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.is_public, NEW.parent_id, NEW.search_document, NEW.product_class_id,
            NEW.franchise_id, NEW.listing_price, NEW.is_available, NEW.warning_level,
            NEW.character_ids)
           IS NOT DISTINCT FROM
           (OLD.is_public, OLD.parent_id, OLD.search_document, OLD.product_class_id,
            OLD.franchise_id, OLD.listing_price, OLD.is_available, OLD.warning_level,
            OLD.character_ids) THEN
        RETURN NULL;
    END IF;
    -- Out of the cells it was in, into the ones it is in now; what did not move writes nothing.
    INSERT INTO catalogue_searchwordcount
        (lexeme, tier, character_id, product_class_id, franchise_id, band, is_available,
         warning_level, n)
    SELECT c.lexeme, c.tier, c.character_id, c.product_class_id, c.franchise_id, c.band,
           c.is_available, c.warning_level, SUM(c.n)
    FROM (
        SELECT old_cells.*, -1 AS n
        FROM catalogue_search_word_cells(
            OLD.search_document, OLD.product_class_id, OLD.franchise_id, OLD.listing_price,
            OLD.is_available, OLD.warning_level, OLD.character_ids) AS old_cells
        WHERE TG_OP <> 'INSERT' AND OLD.is_public AND OLD.parent_id IS NULL
        UNION ALL
        SELECT new_cells.*, 1
        FROM catalogue_search_word_cells(
            NEW.search_document, NEW.product_class_id, NEW.franchise_id, NEW.listing_price,
            NEW.is_available, NEW.warning_level, NEW.character_ids) AS new_cells
        WHERE TG_OP <> 'DELETE' AND NEW.is_public AND NEW.parent_id IS NULL
    ) AS c
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    HAVING SUM(c.n) <> 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER catalogue_product_search_word_counts
    AFTER INSERT OR UPDATE OR DELETE ON catalogue_product
    FOR EACH ROW EXECUTE FUNCTION catalogue_product_search_word_counts();
"""

POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS catalogue_product_search_word_counts ON catalogue_product;
DROP FUNCTION IF EXISTS catalogue_product_search_word_counts();
DROP FUNCTION IF EXISTS catalogue_search_word_cells(
    tsvector, integer, integer, numeric, boolean, integer, text);
"""


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite groups the matching products
    from catalogue.search_words import keep_frequent_words

    schema_editor.execute(POSTGRESQL_FORWARD, params=None)
    keep_frequent_words()
    schema_editor.execute("ANALYZE catalogue_product", params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0043_search_rows_and_best_selling"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("lexeme", models.TextField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name="SearchWordCount",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lexeme", models.TextField()),
                ("tier", models.PositiveSmallIntegerField()),
                ("character_id", models.IntegerField(null=True)),
                ("product_class_id", models.IntegerField(null=True)),
                ("franchise_id", models.IntegerField(null=True)),
                ("band", models.CharField(max_length=16)),
                ("is_available", models.BooleanField()),
                ("warning_level", models.PositiveSmallIntegerField()),
                ("n", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["lexeme"], name="catalogue_searchwordcount_word")],
            },
        ),
        migrations.RunPython(install_trigger, remove_trigger),
    ]
