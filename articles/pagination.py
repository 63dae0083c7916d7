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


def paginate(queryset, params, per_page=20):
    """Return the CursorPage of ``queryset`` that the request's ``before``/``after`` parameters ask for."""
    before, after = params.get("before"), params.get("after")
    if before and after:
        raise Http404("This page does not exist.")
    if after:
        moment, pk = decode_cursor(after)
        rows = list(
            queryset.filter(Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk)).order_by(
                "published_at", "pk"
            )[: per_page + 1]
        )
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
    ordered = queryset.order_by("-published_at", "-pk")
    if before:
        moment, pk = decode_cursor(before)
        ordered = ordered.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))
    rows = list(ordered[: per_page + 1])
    items = rows[:per_page]
    if before and not items:
        raise Http404("This page does not exist.")
    return CursorPage(
        items=items,
        older=encode_cursor(items[-1]) if len(rows) > per_page else None,
        newer=encode_cursor(items[0]) if before else None,
        is_first=not before,
    )
