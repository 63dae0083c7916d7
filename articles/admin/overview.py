from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .. import permissions
from ..live import live_now
from ..models import Article


def admin_overview(request):
    """The admin home: in review (first, for editors), scheduled with times, published in the last 24 hours, own drafts.

    Writers see their own articles only (``editable_by``) and their drafts first.
    """
    visible = Article.objects.editable_by(request.user).for_listing()
    now = timezone.now()
    return {
        "in_review": visible.in_review().order_by("updated_at")[:25],
        "scheduled": visible.scheduled().order_by("published_at")[:25],
        "published_today": visible.published()
        .filter(published_at__gte=now - timedelta(hours=24))
        .order_by("-published_at")[:25],
        "drafts": visible.filter(status=Article.Status.DRAFT)
        .filter(Q(created_by=request.user) | Q(bylines__author__user=request.user))
        .distinct()
        .order_by("-updated_at")[:10],
        "live_now": live_now(request.user),
        "reviews_first": permissions.can_publish(request.user),
        "can_manage_staff": permissions.can_manage_staff(request.user),
        "now": now,
    }
