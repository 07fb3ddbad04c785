"""A GIN trigram index on the glossary's names and aliases, which the search box's suggestions
match ("netorae" finds NTR through "netorare"). PostgreSQL only (pg_trgm, created by catalogue's
migration 0049)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX blog_termalias_name_trgm ON blog_termalias USING gin (name gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS blog_termalias_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("blog", "0007_article_figures_and_links")]

    operations = [migrations.RunPython(create_index, drop_index)]
