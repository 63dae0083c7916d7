from django.contrib import admin


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

    def set_overview_provider(self, provider):
        self.overview_provider = provider

    def index(self, request, extra_context=None):
        overview = self.overview_provider(request) if self.overview_provider is not None else {}
        return super().index(request, {**overview, **(extra_context or {})})
