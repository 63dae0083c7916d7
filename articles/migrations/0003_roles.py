"""The newsroom's roles as groups: Writers and Editors. Site admins are superusers."""

from django.db import migrations

from articles.roles import EDITOR_PERMISSIONS, EDITORS, WRITER_PERMISSIONS, WRITERS, ensure_roles


def as_then(codes):
    """The permission codes as they were at this migration, before sections were renamed (0005)."""
    return [code.replace("_section", "_category") for code in codes]


def create_roles(apps, schema_editor):
    ensure_roles(apps, {WRITERS: as_then(WRITER_PERMISSIONS), EDITORS: as_then(EDITOR_PERMISSIONS)})


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writers", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
