from django.contrib import admin
from django.db.models import Q
from django.utils import timezone


class NewsroomAdminSite(admin.AdminSite):
    site_header = "Newsroom"
    site_title = "Newsroom admin"
    index_title = "Newsroom overview"
    index_template = "admin/newsroom_index.html"

    def index(self, request, extra_context=None):
        """The admin home: what is waiting for review, what is scheduled, what went out recently."""
        from articles.models import Article

        visible = Article.objects.editable_by(request.user).for_listing()
        overview = {
            "in_review": visible.in_review().order_by("updated_at")[:25],
            "scheduled": visible.scheduled().order_by("published_at")[:25],
            "recent": visible.published().order_by("-published_at")[:10],
            "drafts": visible.filter(status=Article.Status.DRAFT)
            .filter(Q(created_by=request.user) | Q(bylines__author__user=request.user))
            .distinct()
            .order_by("-updated_at")[:10],
            "now": timezone.now(),
        }
        return super().index(request, {**overview, **(extra_context or {})})
