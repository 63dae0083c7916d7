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

    ids = _listed_in_rank_order(Article, backend().ranked(terms))
    offset = (page - 1) * PER_PAGE
    page_ids = ids[offset : offset + PER_PAGE]
    found = (
        Article.objects.listed().with_bylines().defer("body", "source_data", "search_vector").in_bulk(page_ids)
        if page_ids
        else {}
    )
    items = [(found[pk], snippet(found[pk], terms)) for pk in page_ids if pk in found]
    return SearchResults(items=items, terms=terms, page=page, has_next=len(ids) > offset + PER_PAGE)


def _listed_in_rank_order(Article, scores):
    """The ids of ``scores`` (id → score) that readers may see: best score first, then the newest."""
    if not scores:
        return []
    ids = list(
        Article.objects.listed().filter(pk__in=scores).order_by("-published_at", "-pk").values_list("pk", flat=True)
    )
    ids.sort(key=scores.__getitem__, reverse=True)  # stable: equal scores stay newest first
    return ids


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
    """Index each of ``articles`` (a queryset, of the app's or a migration's model); returns how many."""
    related = {name: articles.model._meta.get_field(name).related_model for name in ("tagged_items", "bylines")}
    articles = articles.prefetch_related(
        Prefetch("tagged_items", related["tagged_items"].objects.select_related("tag")),
        Prefetch("bylines", related["bylines"].objects.select_related("author")),
    )
    count = 0
    for article in articles.iterator(chunk_size=500):
        index_article(article)
        count += 1
        if progress and count % 1000 == 0:
            progress(count)
    return count
