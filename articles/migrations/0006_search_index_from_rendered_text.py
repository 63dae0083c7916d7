"""Search: index the text readers read (plain text of the rendered body), as the app does on every save.

Migration 0004 filled the SQLite index from the Markdown source, so link addresses and image syntax could
be found and the two databases disagreed. Both are rebuilt here with the app's own document function.
"""

from django.db import migrations


def reindex(apps, schema_editor):
    from articles import search

    Article = apps.get_model("articles", "Article")
    search.clear_index()
    search.rebuild_index(Article.objects.all())


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_rename_category_section")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
