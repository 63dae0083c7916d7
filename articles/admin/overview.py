from django.db.models import Q
from django.utils import timezone

from ..models import Article


def admin_overview(request):
    """The admin home: what is waiting for review, what is scheduled, what went out recently, own drafts."""
    visible = Article.objects.editable_by(request.user).for_listing()
    return {
        "in_review": visible.in_review().order_by("updated_at")[:25],
        "scheduled": visible.scheduled().order_by("published_at")[:25],
        "recent": visible.published().order_by("-published_at")[:10],
        "drafts": visible.filter(status=Article.Status.DRAFT)
        .filter(Q(created_by=request.user) | Q(bylines__author__user=request.user))
        .distinct()
        .order_by("-updated_at")[:10],
        "now": timezone.now(),
    }
