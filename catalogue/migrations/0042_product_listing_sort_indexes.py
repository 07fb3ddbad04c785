"""Indexes that serve each listing sort over listed products (see Product.Meta)."""

from django.db import migrations, models

PRICE_DESC = "product_listed_price_desc"


def add_price_desc_index(apps, schema_editor):
    # ORDER BY listing_price DESC NULLS LAST: SQLite cannot index NULLS LAST, and sorts small
    # catalogues well enough without.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {PRICE_DESC} ON catalogue_product (listing_price DESC NULLS LAST, id)"
            " WHERE is_public AND parent_id IS NULL"
        )


def drop_price_desc_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PRICE_DESC}")


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0041_product_character_ids'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.OrderBy(models.F('date_created'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_newest'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.F('listing_price'), models.F('id'), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_price_asc'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(models.F('title'), models.F('id'), condition=models.Q(('is_public', True), ('parent__isnull', True)), name='product_listed_title'),
        ),
        migrations.RunPython(add_price_desc_index, drop_price_desc_index),
    ]
