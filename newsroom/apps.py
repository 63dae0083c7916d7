from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from taggit.apps import TaggitAppConfig


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.admin.NewsroomAdminSite"


class TagsConfig(TaggitAppConfig):
    """django-taggit, named in the editors' words in admin headings and breadcrumbs."""

    verbose_name = "Tags"


class LoginLockoutsConfig(AxesConfig):
    """django-axes, named for what site admins use it for."""

    verbose_name = "Login lockouts"
