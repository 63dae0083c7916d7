"""Name things as readers see them: the model Category is a Section, Article.categories its extra_sections."""

from django.db import migrations

from articles.roles import ensure_roles

ACTIONS = ("add", "change", "delete", "view")


def rename_permissions(apps, schema_editor, old="category", new="section"):
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        Permission.objects.filter(content_type__app_label="articles", codename=f"{action}_{old}").update(
            codename=f"{action}_{new}"
        )


def rename_permissions_back(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="section", new="category")


def refresh_roles(apps, schema_editor):
    ensure_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_search_prefix_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RenameModel("Category", "Section"),
        migrations.RenameField("article", "categories", "extra_sections"),
        migrations.RunPython(rename_permissions, rename_permissions_back),
        migrations.RunPython(refresh_roles, migrations.RunPython.noop),
    ]
