"""Every list readers page through is served by an index: checked in the database's own plan of each query
the real pages, feeds and sitemaps run."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, TaggedArticle
from articles.pagination import encode_cursor

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db
BACK_CATALOGUE = 2000


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def archive():
    news = SectionFactory(name="News", slug="news", nav_order=1)
    sport = SectionFactory(name="Sport", slug="sport", nav_order=2)
    author = AuthorFactory(name="Mara Jones", slug="mara-jones")
    for n in range(30):
        article = ArticleFactory(
            section=news if n % 3 else sport,
            bylines=[author],
            tags=["river", f"topic-{n % 4}"],
            featured=n == 0,
            published_at=timezone.now() - timedelta(days=n),
        )
        if n % 3 == 0:
            article.extra_sections.add(news)
    # A back catalogue with its own tags and bylines, so that the planner weighs the indexes as on a real site.
    older = Article.objects.bulk_create(
        Article(
            headline=f"Older story {n}",
            slug=f"older-story-{n}",
            section=news if n % 2 else sport,
            status=Article.Status.DRAFT if n % 50 == 0 else Article.Status.PUBLISHED,
            hidden=n % 40 == 0,
            published_at=timezone.now() - timedelta(days=30, hours=n),
        )
        for n in range(BACK_CATALOGUE)
    )
    topics = Tag.objects.bulk_create(Tag(name=f"Older topic {n}", slug=f"older-topic-{n}") for n in range(100))
    writers = Author.objects.bulk_create(Author(name=f"Writer {n}", slug=f"writer-{n}") for n in range(50))
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=topics[n % len(topics)]) for n, article in enumerate(older)
    )
    Byline.objects.bulk_create(
        Byline(article=article, author=writers[n % len(writers)]) for n, article in enumerate(older)
    )
    return Article.objects.listed().order_by("-published_at")


STATUS, SECTION = "article_status_published", "article_section_published"


def reader_urls(articles):
    """Each page, feed and sitemap readers page through, with the indexes that must serve its lists."""
    middle = articles[10]
    month = timezone.localtime(middle.published_at)
    return {
        "/": {STATUS, SECTION},  # the latest, the section blocks
        f"/section/news/?before={encode_cursor(middle)}": {SECTION},
        "/tag/river/": set(),
        "/author/mara-jones/": set(),
        f"/archive/{month.year}/{month.month}/": {STATUS},
        articles[0].get_absolute_url(): {SECTION},  # the newest in its section, among the related stories
        "/sitemap-articles.xml": set(),
        "/feed/": {STATUS},
        "/section/news/feed/": set(),
        "/tag/river/feed/": set(),
        "/author/mara-jones/feed/atom/": set(),
        f"/archive/{month.year}/{month.month}/feed/": {STATUS},
    }


def article_selects(client, url):
    """The SELECTs on the article table that a reader's GET of ``url`` runs, as executed (parameters inlined)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"articles_article"' in q["sql"]]


def explain(sql):
    """The plan as (parent step, text) rows on SQLite, as indented lines on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}")
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [(row[1], row[-1]) for row in cursor.fetchall()]


def faults(sql, plan):
    """Plan steps that read the whole article table, or (SQLite) sort a range that an index should have ordered.

    A full index scan counts as a full scan: when the index a list needs is missing, the planner walks
    another one instead, or reads a range through another index and sorts it.
    """
    if connection.vendor == "postgresql":
        return pg_faults(plan)
    # SQLite names a table by its alias in the plan (Django's subqueries read articles_article as U0, V0, ...),
    # says SEARCH when it looks rows up through an index and SCAN when it reads a table or index end to end.
    tables = "|".join(map(re.escape, {"articles_article"} | set(re.findall(r'"articles_article" (\w+)', sql))))
    scan = re.compile(rf"^SCAN (?:TABLE )?({tables})\b")
    index_range = re.compile(rf"^SEARCH (?:TABLE )?({tables}) USING (?:COVERING )?INDEX")
    found = [text for _, text in plan if scan.search(text)]
    for parent in {parent for parent, _ in plan}:
        step = [text for p, text in plan if p == parent]
        if "USE TEMP B-TREE FOR ORDER BY" in step:
            found += [f"{text}, then sorted" for text in step if index_range.search(text)]
    return found


def pg_faults(plan):
    """Scans of the article table that read it whole: sequentially, or along an index with no condition."""
    nodes = re.split(r"\n(?=\s*->)", "\n".join(plan))
    scan = re.compile(r"(Seq Scan|Index Scan|Index Only Scan)( Backward)?( using \S+)? on articles_article\b")
    return [node for node in nodes if scan.search(node) and ("Seq Scan" in node or "Index Cond" not in node)]


def test_every_reader_list_is_served_by_an_index(client, archive):
    urls = reader_urls(archive)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # tables this small would otherwise always be scanned
            cursor.execute("SET random_page_cost = 1.1")  # as on SSDs; the default favours walking a whole index
        cursor.execute("ANALYZE")
    for url, indexes in urls.items():
        selects = article_selects(client, url)
        assert selects, f"{url} read no article"
        plans = []
        for sql in selects:
            plan = explain(sql)
            assert not faults(sql, plan), f"{url} is not served by an index:\n{sql}\n{plan}"
            plans.append(str(plan))
        for index in indexes:
            assert any(re.search(rf"\b{index}\b", plan) for plan in plans), f"{url} does not use {index}:\n{plans}"
