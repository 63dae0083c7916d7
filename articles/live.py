"""What starting, ending and posting to a live story does: the one home of those operations.

The admin's live panel (``admin/live.py``) calls these; each checks ``permissions`` first, saves through
``save_revision`` (a new revision with a note in the article's history) or records the poster in the
update's own history.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from . import permissions
from .models import Article, LiveUpdate
from .pagination import CursorPage, paginate

UPDATES_PER_PAGE = 30  # on a live story's page; older ones page with before/after cursors
KEY_POINTS = 12  # the newest key points listed in the summary box


@dataclass
class Stream:
    """What a live story's page shows: pinned updates (first page only), a page of the others, key points."""

    pinned: list = field(default_factory=list)
    page: CursorPage = field(default_factory=CursorPage)
    key_points: list = field(default_factory=list)

    @property
    def updates(self):
        return self.pinned + self.page.items

    @property
    def latest(self):
        """The newest update id shown: where an open page's polling starts (``?since=``)."""
        return max((update.pk for update in self.updates), default=0)


def reader_stream(article, params):
    """Three queries whatever the number of updates; ``params`` holds the ``before``/``after`` cursor."""
    updates = LiveUpdate.objects.filter(article=article).select_related("author")
    page = paginate(updates.filter(pinned=False), params, UPDATES_PER_PAGE)
    if not page.is_first:
        return Stream(page=page)
    newest = updates.order_by("-published_at", "-pk")
    return Stream(
        pinned=list(newest.filter(pinned=True)),
        page=page,
        key_points=list(newest.filter(key_point=True)[:KEY_POINTS]),
    )


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
