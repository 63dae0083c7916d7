from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.urls import path


class NewsroomAdminSite(admin.AdminSite):
    """The admin with an overview on its home page; the content app supplies what the overview shows.

    An app registers ``provider(request) -> dict`` with ``set_overview_provider()`` (the articles app does in
    its ``AppConfig.ready()``); the dict is the context of ``admin/newsroom_index.html``.
    """

    site_header = "Newsroom"
    site_title = "Newsroom admin"
    index_title = "Newsroom overview"
    index_template = "admin/newsroom_index.html"
    overview_provider = None
    # The menu in the newsroom's words: each heading gathers the models of the apps listed (by app label),
    # under the first app's address. Apps in ``site_admins_only`` are shown to superusers alone.
    menu = [
        ("Newsroom content", ["articles", "taggit"]),
        ("Readers", ["newsletters"]),
        ("Site administration", ["auth", "axes", "django_tasks_database"]),
    ]
    site_admins_only = {"axes", "newsletters", "django_tasks_database"}

    def get_urls(self):
        # Django's "view on site" redirect (admin/r/<content type>/<id>/), for objects the user may see only.
        guarded = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [guarded if getattr(url, "name", None) == "view_on_site" else url for url in super().get_urls()]

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to an object's public address, or answer 404 as for an id that does not exist.

        Django's own view redirects any staff member to any object's address, which for an unpublished article
        is a secret. Here the object's model admin decides: its ``has_view_on_site_permission(request, obj)``
        if it has one, otherwise the object must be among those the admin shows the user (``get_queryset``)
        and viewable by them.
        """
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            model_admin = self._registry[model]
            obj = model._default_manager.get(pk=unquote(object_id))
        except (ObjectDoesNotExist, KeyError, ValueError, ValidationError):
            raise Http404 from None
        check = getattr(model_admin, "has_view_on_site_permission", None)
        if check is not None:
            allowed = check(request, obj)
        else:
            allowed = model_admin.has_view_or_change_permission(request, obj) and (
                model_admin.get_queryset(request).filter(pk=obj.pk).exists()
            )
        if not allowed:
            raise Http404
        return shortcut(request, content_type_id, object_id)

    def get_app_list(self, request, app_label=None):
        """Django's app list gathered under ``menu``'s headings; with ``app_label``, the heading holding that app."""
        apps = self._build_app_dict(request)
        if not request.user.is_superuser:
            for label in self.site_admins_only:
                apps.pop(label, None)
        sections = []
        for heading, labels in self.menu:
            present = [apps.pop(label) for label in labels if label in apps]
            if present:
                models = sorted((model for app in present for model in app["models"]), key=lambda m: m["name"])
                members = {app["app_label"] for app in present}
                sections.append({**present[0], "name": heading, "models": models, "members": members})
        others = [{**app, "members": {app["app_label"]}} for app in apps.values()]
        app_list = sections + sorted(others, key=lambda app: app["name"].lower())
        if app_label is not None:
            return [app for app in app_list if app_label in app["members"]]
        return app_list

    def set_overview_provider(self, provider):
        self.overview_provider = provider

    def index(self, request, extra_context=None):
        overview = self.overview_provider(request) if self.overview_provider is not None else {}
        return super().index(request, {**overview, **(extra_context or {})})
