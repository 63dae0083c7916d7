"""The full-text search index: an FTS5 table on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
            "headline, standfirst, body, tags, authors, tokenize='porter unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_vector ON articles_article USING GIN (search_vector)"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS article_search")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_vector")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
