"""Full-text search over published articles.

On PostgreSQL each article carries a weighted ``tsvector`` (GIN-indexed); on SQLite an FTS5 table holds
the same text. Both are kept in step by ``index_article``, called from signals whenever an article, its
tags or its bylines change. Ranking happens in the database; snippets and highlighting in Python, so both
back ends show results the same way.
"""

import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
    query = (query or "").strip()
    if not query:
        return SearchResults(problem="empty")
    if len(query) > MAX_QUERY_LENGTH:
        return SearchResults(problem="too_long")
    terms = terms_of(query)
    if not terms:
        return SearchResults(problem="no_words")
    offset = (page - 1) * PER_PAGE
    finder = _postgres_ids if connection.vendor == "postgresql" else _sqlite_ids
    ids = finder(terms, PER_PAGE + 1, offset)
    from .models import Article

    found = Article.objects.with_bylines().defer("body", "source_data", "search_vector").in_bulk(ids[:PER_PAGE])
    items = [(found[pk], snippet(found[pk], terms)) for pk in ids[:PER_PAGE] if pk in found]
    return SearchResults(items=items, terms=terms, page=page, has_next=len(ids) > PER_PAGE)


# Ranking every match of a common word costs time in proportion to the archive. Relevance is therefore
# computed over the most recently added CANDIDATES matches (found cheaply by id order), which keeps a
# search as fast at 100,000 articles as at 1,000 while still ranking the results that matter to readers.
CANDIDATES = 500


def _sqlite_ids(terms, limit, offset):
    match = " AND ".join(f'"{term}"*' if i == len(terms) - 1 else f'"{term}"' for i, term in enumerate(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id FROM article_search s JOIN articles_article a ON a.id = s.rowid "
            "WHERE article_search MATCH %s AND s.rowid >= (SELECT coalesce(min(rowid), 0) FROM ("
            "  SELECT rowid FROM article_search WHERE article_search MATCH %s ORDER BY rowid DESC LIMIT %s)) "
            "AND a.status = 'published' AND a.published_at <= %s AND NOT a.hidden "
            "ORDER BY bm25(article_search, 10.0, 4.0, 1.0, 4.0, 4.0), a.published_at DESC LIMIT %s OFFSET %s",
            [match, match, CANDIDATES, connection.ops.adapt_datetimefield_value(timezone.now()), limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def _postgres_ids(terms, limit, offset):
    tsquery = " & ".join(f"{term}:*" if i == len(terms) - 1 else term for i, term in enumerate(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id FROM articles_article a, to_tsquery('english', %s) q "
            "WHERE a.search_vector @@ q AND a.id >= (SELECT coalesce(min(id), 0) FROM ("
            "  SELECT id FROM articles_article WHERE search_vector @@ to_tsquery('english', %s) "
            "  ORDER BY id DESC LIMIT %s) AS recent) "
            "AND a.status = 'published' AND a.published_at <= %s AND NOT a.hidden "
            "ORDER BY ts_rank_cd(a.search_vector, q) DESC, a.published_at DESC LIMIT %s OFFSET %s",
            [tsquery, tsquery, CANDIDATES, connection.ops.adapt_datetimefield_value(timezone.now()), limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


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


TAG = re.compile(r"<[^>]*>")


def plain_text(article):
    # body_html is our own sanitized output, so dropping its tags with a pattern is exact and much faster
    # than a general HTML parser.
    return " ".join(html.unescape(TAG.sub(" ", article.body_html)).split())


def snippet(article, terms, words=32):
    """A passage of the article around the first matching word, with the matches highlighted."""
    text = " ".join(filter(None, [article.standfirst, plain_text(article)]))
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
    return {
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": plain_text(article),
        "tags": " ".join(tag.name for tag in article.tags.all()),
        "authors": " ".join(byline.author.name for byline in article.bylines.select_related("author")),
    }


def index_article(article):
    doc = document(article)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE articles_article SET search_vector = "
                "setweight(to_tsvector('english', %s), 'A') || "
                "setweight(to_tsvector('english', %s || ' ' || %s || ' ' || %s), 'B') || "
                "setweight(to_tsvector('english', %s), 'C') WHERE id = %s",
                [doc["headline"], doc["standfirst"], doc["tags"], doc["authors"], doc["body"], article.pk],
            )
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM article_search WHERE rowid = %s", [article.pk])
            cursor.execute(
                "INSERT INTO article_search (rowid, headline, standfirst, body, tags, authors) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [article.pk, doc["headline"], doc["standfirst"], doc["body"], doc["tags"], doc["authors"]],
            )


def remove_article(article_id):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM article_search WHERE rowid = %s", [article_id])


def rebuild_index(articles, progress=None):
    count = 0
    for article in articles.iterator(chunk_size=500):
        index_article(article)
        count += 1
        if progress and count % 1000 == 0:
            progress(count)
    return count
