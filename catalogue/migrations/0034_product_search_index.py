"""PostgreSQL full-text index for product search; SQLite searches without one (shop.search)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "catalogue_product_search_gin"


def vector():
    # Frozen copy of catalogue.indexing.search_vector(): the query must use the same expression.
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("search_text", weight="B", config="english")
        + SearchVector("description", weight="C", config="english")
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Product = apps.get_model("catalogue", "Product")
        schema_editor.add_index(Product, GinIndex(vector(), name=INDEX_NAME))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Product = apps.get_model("catalogue", "Product")
        schema_editor.remove_index(Product, GinIndex(vector(), name=INDEX_NAME))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0033_franchises_characters_content_warnings")]

    operations = [migrations.RunPython(create_index, drop_index)]
