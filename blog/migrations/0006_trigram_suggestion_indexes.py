"""GIN trigram indexes on what the search box's suggestions match of a post: its title and its
summary (spoiler-free by the publishing checks, and where an explainer names its term: "NTR
(netorare)"). Not the body: long, and it may hold spoilers. PostgreSQL only (pg_trgm, created by
catalogue's migration 0047)."""

from django.db import migrations

INDEXES = {
    "blog_post_title_trgm": "title",
    "blog_post_summary_trgm": "summary",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON blog_post USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_glossary_editors"),
        ("catalogue", "0049_trigram_suggestion_indexes"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
