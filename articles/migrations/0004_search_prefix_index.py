"""SQLite search: rebuild the FTS5 table with prefix indexes, so a search for "counc" stays fast."""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE article_search USING fts5("
    "headline, standfirst, body, tags, authors, tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4')"
)

FILL = (
    "INSERT INTO article_search (rowid, headline, standfirst, body, tags, authors) "
    "SELECT a.id, a.headline, a.standfirst, a.body, "
    "(SELECT group_concat(t.name, ' ') FROM taggit_tag t JOIN articles_taggedarticle ta ON ta.tag_id = t.id "
    " WHERE ta.content_object_id = a.id), "
    "(SELECT group_concat(au.name, ' ') FROM articles_author au JOIN articles_byline b ON b.author_id = au.id "
    " WHERE b.article_id = a.id) "
    "FROM articles_article a"
)


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS article_search")
    schema_editor.execute(CREATE)
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_roles")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
