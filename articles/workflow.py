"""What a status change or a saved edit does: the one home of the publishing workflow.

``Article.transition()`` and ``Article.save_revision()`` delegate here. Every saved change bumps the
article's revision (which the admin's edit-conflict check compares) and records who made it, and why, in the
article's history; a status change is also checked against ``permissions`` and, when it publishes, against
what publishing requires.
"""

import enum

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from . import permissions
from .models import Article


class Visibility(enum.StrEnum):
    """What readers see of an article."""

    LIVE = "live"
    SCHEDULED = "scheduled"
    NOT_PUBLIC = "not public"


def visibility(article):
    if article.is_public:
        return Visibility.LIVE
    if article.is_scheduled:
        return Visibility.SCHEDULED
    return Visibility.NOT_PUBLIC


def transition(article, *, to, by, note=""):
    """Move the article to status ``to`` on behalf of user ``by``, save it, and say what readers now see.

    Raises PermissionDenied if the user may not make this change, and ValidationError (with the reasons)
    if the article is not ready to be published. Either way nothing is saved and the article is unchanged.
    Publishing an article with no publish time publishes it now; a future publish time schedules it.
    """
    to = Article.Status(to)
    if not permissions.can_transition(by, article, to):
        if to == Article.Status.PUBLISHED:
            raise PermissionDenied("Only editors can publish.")
        if article.status == Article.Status.PUBLISHED:
            raise PermissionDenied("Only editors can unpublish.")
        raise PermissionDenied("You may not change this article.")
    before = article.status, article.published_at
    article.status = to
    try:
        if to == Article.Status.PUBLISHED:
            article.full_clean()
            if article.published_at is None:
                article.published_at = timezone.now()
        save_revision(article, by=by, note=note)
    except BaseException:
        article.status, article.published_at = before
        raise
    return visibility(article)


def save_revision(article, *, by, note=""):
    """Save an edit that is not a status change: a new revision, recorded in the history as by ``by``.

    A new article starts at revision 1; each later save adds one. ``by`` may be None (a command-line
    import with no user). ``note`` is kept as the history's change reason.
    """
    bumped = not article._state.adding
    if bumped:
        article.revision += 1
    if by is not None:
        article._history_user = by
    article._change_reason = change_reason(note)
    try:
        article.save()
    except BaseException:
        if bumped:
            article.revision -= 1
        raise
    finally:
        del article._change_reason  # a later plain save() must not repeat this note


def change_reason(note):
    """The note as the history stores it (simple-history's change reason holds at most 100 characters)."""
    note = (note or "").strip()
    if not note:
        return None
    limit = Article.history.model._meta.get_field("history_change_reason").max_length
    return note if limit is None or len(note) <= limit else note[: limit - 1] + "…"


def next_scheduled_publish():
    """The next moment readers' pages change by themselves: the earliest scheduled publish time, or None."""
    return Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
