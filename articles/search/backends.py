"""One search backend per database, chosen once from the connection.

A backend keeps the index (``write``, ``remove``, ``clear``) and finds matches (``ranked``). It knows
nothing of publishing: the caller keeps the matches readers may see with ``Article.objects.listed()``.
"""

import functools

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, TextField, Value

# Ranking every match of a common word costs time in proportion to the archive. Relevance is therefore
# computed over the most recently added CANDIDATES matches (found cheaply by id order), which keeps a
# search as fast at 100,000 articles as at 1,000 while still ranking the results that matter to readers.
CANDIDATES = 500

TEXT = TextField()


class SearchBackend:
    vendor = None

    def ranked(self, terms):
        """The CANDIDATES newest articles matching every term (the last as a prefix), as {id: score}.

        A higher score is a better match. Drafts, scheduled and hidden articles are included.
        """
        raise NotImplementedError

    def write(self, pk, document):
        """Index (or re-index) article ``pk`` under the fields of ``document``."""
        self.write_many({pk: document})

    def write_many(self, documents):
        """Index (or re-index) many articles at once, from a dict of id → document."""
        raise NotImplementedError

    def remove(self, pk):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError


class PostgresBackend(SearchBackend):
    """A weighted ``tsvector`` on each article (GIN-indexed), ranked by cover density."""

    vendor = "postgresql"
    config = "english"

    @staticmethod
    def _articles():
        from ..models import Article

        return Article._base_manager.order_by()

    def ranked(self, terms):
        words = [f"{term}:*" if i == len(terms) - 1 else term for i, term in enumerate(terms)]
        query = SearchQuery(" & ".join(words), search_type="raw", config=self.config)
        recent = self._articles().filter(search_vector=query).order_by("-pk").values("pk")[:CANDIDATES]
        rows = (
            self._articles()
            .filter(pk__in=recent)
            .annotate(rank=SearchRank(F("search_vector"), query, cover_density=True))
            .values_list("pk", "rank")
        )
        return dict(rows)

    def vector(self, document):
        def part(*fields, weight):
            text = " ".join(document[name] for name in fields)
            return SearchVector(Value(text, output_field=TEXT), config=self.config, weight=weight)

        return (
            part("headline", weight="A") + part("standfirst", "tags", "authors", weight="B") + part("body", weight="C")
        )

    def write(self, pk, document):
        self._articles().filter(pk=pk).update(search_vector=self.vector(document))

    def write_many(self, documents):
        from ..models import Article

        rows = [Article(pk=pk, search_vector=self.vector(document)) for pk, document in documents.items()]
        Article._base_manager.bulk_update(rows, ["search_vector"], batch_size=100)

    def remove(self, pk):
        """Nothing to do: the vector goes with the article's row."""

    def clear(self):
        self._articles().filter(search_vector__isnull=False).update(search_vector=None)


class SQLiteBackend(SearchBackend):
    """An FTS5 table (``article_search``, with prefix indexes) whose rowid is the article's id.

    The ORM cannot reach a virtual table, so this is the one place search is written in SQL.
    """

    vendor = "sqlite"
    # bm25 weight of each column, in the table's order: headline, standfirst, body, tags, authors.
    WEIGHTS = "10.0, 4.0, 1.0, 4.0, 4.0"
    COLUMNS = ("headline", "standfirst", "body", "tags", "authors")

    def ranked(self, terms):
        match = " AND ".join(f'"{term}"*' if i == len(terms) - 1 else f'"{term}"' for i, term in enumerate(terms))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, bm25(article_search, {self.WEIGHTS}) FROM article_search "  # noqa: S608
                "WHERE article_search MATCH %s ORDER BY rowid DESC LIMIT %s",
                [match, CANDIDATES],
            )
            # bm25 is lower for a better match.
            return {pk: -score for pk, score in cursor.fetchall()}

    def write_many(self, documents):
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM article_search WHERE rowid = %s", [[pk] for pk in documents])
            cursor.executemany(
                "INSERT INTO article_search (rowid, headline, standfirst, body, tags, authors) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [[pk, *(document[name] for name in self.COLUMNS)] for pk, document in documents.items()],
            )

    def remove(self, pk):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM article_search WHERE rowid = %s", [pk])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM article_search")


BACKENDS = {backend.vendor: backend for backend in (PostgresBackend, SQLiteBackend)}


@functools.cache
def backend():
    """The search backend for the database in use, made once."""
    try:
        return BACKENDS[connection.vendor]()
    except KeyError:
        raise ImproperlyConfigured(f"Search supports {' and '.join(BACKENDS)}, not {connection.vendor}.") from None
