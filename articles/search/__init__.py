"""Full-text search over the articles readers can list.

On PostgreSQL each article carries a weighted ``tsvector`` (GIN-indexed); on SQLite an FTS5 table holds
the same text. Both are kept in step by ``index_article``, called from signals whenever an article, its
tags or its bylines change. Each database has its backend in ``backends.py``, which finds and ranks
matches; what readers may see is decided here by ``Article.objects.listed()``, the same rule every list
uses. Snippets and highlighting are made in Python, so both databases show results the same way.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..rendering import plain_text
from .backends import backend

PER_PAGE = 20
MAX_PAGES = 50
MAX_TERMS = 10
MAX_QUERY_LENGTH = 200
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchResults:
    items: list = field(default_factory=list)
    terms: list = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    problem: str = ""

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def start(self):
        return (self.page - 1) * PER_PAGE + 1


def terms_of(query):
    words = [word.lower() for word in WORD.findall(query) if len(word) <= 40]
    unique = list(dict.fromkeys(words))
    return unique[:MAX_TERMS]


def search(query, page=1):
    """One page of listed articles matching every term of ``query`` (the last one as a prefix), best first."""
    query = (query or "").strip()
    if not query:
        return SearchResults(problem="empty")
    if len(query) > MAX_QUERY_LENGTH:
        return SearchResults(problem="too_long")
    terms = terms_of(query)
    if not terms:
        return SearchResults(problem="no_words")
    from ..models import Article

    offset = (page - 1) * PER_PAGE
    ids = _listed_in_rank_order(Article, backend().ranked(terms), offset + PER_PAGE + 1)
    page_ids = ids[offset : offset + PER_PAGE]
    found = (
        Article.objects.listed().with_bylines().defer("body", "source_data", "search_vector").in_bulk(page_ids)
        if page_ids
        else {}
    )
    items = [(found[pk], snippet(found[pk], terms)) for pk in page_ids if pk in found]
    return SearchResults(items=items, terms=terms, page=page, has_next=len(ids) > offset + PER_PAGE)


def _listed_in_rank_order(Article, scores, count):
    """The first ``count`` ids of ``scores`` (id → score) that readers may see: best first, then the newest.

    The best candidates are usually public, so twice as many as needed are checked first, the rest only
    when too many of those are drafts, scheduled or hidden.
    """
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    cut = min(len(ranked), 2 * count)
    while cut < len(ranked) and scores[ranked[cut]] == scores[ranked[cut - 1]]:
        cut += 1  # equal scores are ordered by date, so they stay in one batch
    ids = []
    for batch in (ranked[:cut], ranked[cut:]):
        if batch and len(ids) < count:
            newest_first = Article.objects.listed().filter(pk__in=batch).order_by("-published_at", "-pk")
            ids += sorted(newest_first.values_list("pk", flat=True), key=scores.__getitem__, reverse=True)
    return ids[:count]


def _mark(text, terms):
    """Escape ``text`` and wrap words starting with a search term in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def highlight(text, terms):
    return _mark(text or "", terms)


def snippet(article, terms, words=32):
    """A passage of the article around the first matching word, with the matches highlighted."""
    text = " ".join(filter(None, [article.standfirst, plain_text(article.body_html)]))
    tokens = text.split()
    position = 0
    lowered = [token.lower() for token in tokens]
    for index, token in enumerate(lowered):
        if any(term in token for term in terms):
            position = index
            break
    start = max(0, position - words // 3)
    passage = " ".join(tokens[start : start + words])
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return mark_safe(escape(prefix) + _mark(passage, terms) + escape(suffix))  # noqa: S308


# Keeping the index in step


def document(article):
    """The text an article is found by, field by field: what readers read, never the Markdown source.

    Reads only fields and relations (no model methods, no taggit manager), so a data migration can index
    its historical articles with it too.
    """
    return {
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": plain_text(article.body_html),
        "tags": " ".join(item.tag.name for item in _with(article, "tagged_items", "tag")),
        "authors": " ".join(byline.author.name for byline in _with(article, "bylines", "author")),
    }


def _with(article, relation, related):
    """The rows of ``article.<relation>`` with their ``related`` object, in one query or none if prefetched."""
    rows = getattr(article, relation).all()
    if relation not in getattr(article, "_prefetched_objects_cache", {}):
        rows = rows.select_related(related)
    return rows


def index_article(article):
    backend().write(article.pk, document(article))


def remove_article(article_id):
    backend().remove(article_id)


def clear_index():
    """Empty the index, before rebuilding it from every article."""
    backend().clear()


def rebuild_index(articles, progress=None):
    """Index each of ``articles`` (a queryset, of the app's or a migration's model); returns how many.

    Articles are written 500 at a time; ``progress(count)`` is called after each batch.
    """
    related = {name: articles.model._meta.get_field(name).related_model for name in ("tagged_items", "bylines")}
    articles = articles.prefetch_related(
        Prefetch("tagged_items", related["tagged_items"].objects.select_related("tag")),
        Prefetch("bylines", related["bylines"].objects.select_related("author")),
    )
    count, batch = 0, {}
    for article in articles.iterator(chunk_size=500):
        batch[article.pk] = document(article)
        if len(batch) == 500:
            backend().write_many(batch)
            count, batch = count + len(batch), {}
            if progress:
                progress(count)
    if batch:
        backend().write_many(batch)
    return count + len(batch)
