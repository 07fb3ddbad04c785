"""Facet counts kept ready for listings without a text query (catalogue.facet_counts), counted
once here for the products that exist; recount() keeps them in step after."""

from django.db import migrations, models


def count_existing_products(apps, schema_editor):
    from catalogue.facet_counts import rebuild

    rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0039_product_search_document"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetMembership",
            fields=[
                ("product_id", models.IntegerField(primary_key=True, serialize=False)),
                ("cells", models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("listing", models.CharField(max_length=32)),
                ("character_id", models.IntegerField(null=True)),
                ("product_class_id", models.IntegerField(null=True)),
                ("franchise_id", models.IntegerField(null=True)),
                ("band", models.CharField(max_length=16)),
                ("is_available", models.BooleanField()),
                ("warning_level", models.PositiveSmallIntegerField()),
                ("n", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["listing"], name="catalogue_facetcount_listing")],
            },
        ),
        migrations.RunPython(count_existing_products, migrations.RunPython.noop),
    ]
