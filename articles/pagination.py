"""Keyset pagination for article lists.

Lists are ordered newest first by (published_at, id). A page is fetched with a ``before`` or ``after``
cursor naming the last article seen, so page 500 of a section costs the same index range scan as page 1:
no OFFSET, no COUNT over the whole list.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q
from django.http import Http404


def encode_cursor(article):
    return f"{int(article.published_at.timestamp() * 1_000_000)}-{article.pk}"


def decode_cursor(value):
    try:
        micros, pk = value.split("-", 1)
        moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        return moment, int(pk)
    except (ValueError, OverflowError, OSError) as error:
        raise Http404("This page does not exist.") from error


@dataclass
class CursorPage:
    items: list = field(default_factory=list)
    older: str | None = None
    newer: str | None = None
    is_first: bool = True

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    @property
    def has_other_pages(self):
        return bool(self.older or self.newer)


def _window(queryset, newer_than, older_than, limit):
    """Up to ``limit`` rows next to a cursor: oldest first after ``newer_than``, else newest first."""
    if newer_than:
        moment, pk = newer_than
        after = Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk)
        return queryset.filter(after).order_by("published_at", "pk")[:limit]
    ordered = queryset.order_by("-published_at", "-pk")
    if older_than:
        moment, pk = older_than
        ordered = ordered.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))
    return ordered[:limit]


def _rows(queryset, sources, newer_than, older_than, limit):
    if not sources:
        return list(_window(queryset, newer_than, older_than, limit))
    # Several index-friendly sources (say a section's own articles and those filed under it as an extra
    # section): take a window from each, merge the keys, then read the winning rows in one query.
    keys = set()
    for source in sources:
        keys.update(_window(source, newer_than, older_than, limit).values_list("published_at", "pk"))
    chosen = sorted(keys, reverse=not newer_than)[:limit]
    found = queryset.in_bulk([pk for _, pk in chosen])
    return [found[pk] for _, pk in chosen if pk in found]


def paginate(queryset, params, per_page=20, sources=None):
    """Return the CursorPage of ``queryset`` that the request's ``before``/``after`` parameters ask for.

    ``sources``, when given, are querysets whose union is the list; ``queryset`` then only says how to read
    the rows (select_related, prefetch, deferred columns).
    """
    before, after = params.get("before"), params.get("after")
    if before and after:
        raise Http404("This page does not exist.")
    if after:
        rows = _rows(queryset, sources, decode_cursor(after), None, per_page + 1)
        has_newer = len(rows) > per_page
        items = list(reversed(rows[:per_page]))
        if not items:
            raise Http404("This page does not exist.")
        return CursorPage(
            items=items,
            older=encode_cursor(items[-1]),
            newer=encode_cursor(items[0]) if has_newer else None,
            is_first=False,
        )
    rows = _rows(queryset, sources, None, decode_cursor(before) if before else None, per_page + 1)
    items = rows[:per_page]
    if before and not items:
        raise Http404("This page does not exist.")
    return CursorPage(
        items=items,
        older=encode_cursor(items[-1]) if len(rows) > per_page else None,
        newer=encode_cursor(items[0]) if before else None,
        is_first=not before,
    )
