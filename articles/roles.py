"""The newsroom's roles as groups. Site admins are superusers and need no group.

Writers create articles and edit their own until they are published; Editors edit, publish, schedule,
unpublish and feature any article, and keep corrections, bylines and redirects.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

WRITERS = "Writers"
EDITORS = "Editors"

WRITER_PERMISSIONS = [
    "articles.add_article", "articles.change_article", "articles.delete_article", "articles.view_article",
    "articles.add_byline", "articles.change_byline", "articles.delete_byline", "articles.view_byline",
    "articles.add_articleimage", "articles.change_articleimage", "articles.delete_articleimage",
    "articles.view_articleimage", "articles.view_author", "articles.view_section", "taggit.view_tag",
]  # fmt: skip

EDITOR_PERMISSIONS = WRITER_PERMISSIONS + [
    "articles.publish_article", "articles.edit_any_article", "articles.feature_article",
    "articles.view_historicalarticle",
    "articles.add_correction", "articles.change_correction", "articles.delete_correction", "articles.view_correction",
    "articles.add_author", "articles.change_author",
    "articles.add_articleredirect", "articles.change_articleredirect", "articles.delete_articleredirect",
    "articles.view_articleredirect",
    "taggit.add_tag", "taggit.change_tag",
]  # fmt: skip


def ensure_roles(apps=global_apps, roles=None):
    """Create the Writers and Editors groups with their permissions (idempotent).

    ``roles`` maps a group name to its permission codes; migrations pass the codes as they were then.
    """
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    roles = roles or {WRITERS: WRITER_PERMISSIONS, EDITORS: EDITOR_PERMISSIONS}
    for name, codes in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)
