from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom content"

    def ready(self):
        from django.contrib import admin

        from newsroom import pagecache

        from . import cachekeys, signals, staff, versions  # noqa: F401 - signals, staff, versions connect receivers
        from .admin.overview import admin_overview
        from .workflow import next_scheduled_publish

        # The project package knows nothing of articles; it asks through these hooks.
        admin.site.set_overview_provider(admin_overview)
        pagecache.set_next_change_source(next_scheduled_publish)
        pagecache.set_surrogate_key_source(cachekeys.page_keys)
        pagecache.set_missing_source(cachekeys.certainly_missing)
        # search, lists, sitemap pages; ``since`` for a live story's new updates
        pagecache.set_query_parameters("q", "page", "before", "after", "p", "since")
