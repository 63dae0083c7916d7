"""What starting, ending and posting to a live story does: the one home of those operations.

The admin's live panel (``admin/live.py``) calls these; each checks ``permissions`` first, saves through
``save_revision`` (a new revision with a note in the article's history) or records the poster in the
update's own history.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from . import permissions
from .models import Article, LiveUpdate


def live_now(user, limit=20):
    """The stories whose live coverage is running and on which ``user`` may post, newest coverage first."""
    running = Article.objects.filter(live_started_at__isnull=False, live_ended_at__isnull=True)
    running = running.select_related("section").only(
        "pk", "headline", "slug", "section__slug", "status", "published_at", "live_started_at", "live_ended_at",
        "live_writers_may_post",
    )  # fmt: skip
    return [story for story in running.order_by("-live_started_at")[:limit] if permissions.can_post_update(user, story)]


def start_live(article, *, by):
    """Switch the story to live coverage (again, if it had ended); updates posted before are kept."""
    if not permissions.can_manage_live(by):
        raise PermissionDenied("Only editors can start live coverage.")
    if article.live_started_at is None:
        article.live_started_at = timezone.now()
    article.live_ended_at = None
    article.save_revision(by=by, note="Live coverage started")


def end_live(article, *, by):
    """End live coverage: the "Live" label goes, the updates stay, the end time is recorded."""
    if not permissions.can_manage_live(by):
        raise PermissionDenied("Only editors can end live coverage.")
    if article.is_live:
        article.live_ended_at = timezone.now()
        article.save_revision(by=by, note="Live coverage ended")


def post_update(article, *, by, **fields):
    """Publish a new update on ``article`` now, bylined to ``by``'s author unless ``author`` is given."""
    if not permissions.can_post_update(by, article):
        raise PermissionDenied("You may not post updates on this story.")
    update = LiveUpdate(article=article, posted_by=by, **fields)
    if update.author is None:
        update.author = getattr(by, "author", None)
    update._history_user = by
    update.save()
    return update
