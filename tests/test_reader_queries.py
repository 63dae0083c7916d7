"""Every reader page makes a fixed number of queries, whatever the size of the archive.

Each page's count is written down below and checked on a small site and on one more than ten times its
size, built in bulk so the test stays fast. A page whose queries grow with its articles, tags, authors or
corrections fails at the large size; a page that gains a query fails at both.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles import search
from articles.models import Article, Author, Byline, Correction, TaggedArticle
from articles.rendering import render_body, render_plain

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

SECTIONS = ["news", "sport", "culture", "business"]
SMALL, LARGE = 15, 200  # the small site fills the home page's latest list and its section blocks
BODY = "The first paragraph about the river.\n\nThe second paragraph."


def build_site(count):
    """``count`` published articles over four sections, newest first an hour apart, the first one featured.

    Each has the shared reporter and a reporter of its own, the tag "river" and two of its own, an extra
    section and a correction.
    """
    sections = [SectionFactory(name=slug.title(), slug=slug, nav_order=i) for i, slug in enumerate(SECTIONS)]
    shared = AuthorFactory(name="Shared Reporter", slug="shared-reporter")
    own = Author.objects.bulk_create(Author(name=f"Reporter {n}", slug=f"reporter-{n}") for n in range(count))
    river = Tag.objects.create(name="river", slug="river")
    topics = Tag.objects.bulk_create(
        Tag(name=f"{kind}-{n}", slug=f"{kind}-{n}") for n in range(count) for kind in ("topic", "extra")
    )
    base = timezone.now() - timedelta(days=1)
    body_html = render_body(BODY)
    articles = Article.objects.bulk_create(
        Article(
            headline=f"River story {n}",
            slug=f"river-story-{n}",
            standfirst=f"Summary of river story {n}.",
            body=BODY,
            body_html=body_html,
            section=sections[n % len(sections)],
            status=Article.Status.PUBLISHED,
            published_at=base - timedelta(hours=n),
            featured=n == 0,
        )
        for n in range(count)
    )
    Byline.objects.bulk_create(
        Byline(article=article, author=author, position=position)
        for n, article in enumerate(articles)
        for position, author in enumerate([shared, own[n]])
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tag)
        for n, article in enumerate(articles)
        for tag in (river, topics[2 * n], topics[2 * n + 1])
    )
    Article.extra_sections.through.objects.bulk_create(
        Article.extra_sections.through(article=article, section=sections[(n + 1) % len(sections)])
        for n, article in enumerate(articles)
    )
    note = "An earlier version misspelled the mayor's name."
    Correction.objects.bulk_create(
        Correction(article=article, note=note, note_html=render_plain(note), noted_at=article.published_at)
        for article in articles
    )
    search.rebuild_index(Article.objects.all())
    return articles


def list_urls():
    day = timezone.localtime(timezone.now() - timedelta(days=1))
    return [
        "/",
        "/?before=99999999999999999-1",
        "/section/news/",
        "/tag/river/",
        "/author/shared-reporter/",
        "/archive/",
        f"/archive/{day.year}/",
        f"/archive/{day.year}/{day.month}/",
        f"/archive/{day.year}/{day.month}/{day.day}/",
        "/corrections/",
        "/search/?q=river",
        "/feed/",
        "/feed/atom/",
        "/section/news/feed/",
        "/tag/river/feed/atom/",
        "/author/shared-reporter/feed/",
        "/corrections/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/news-sitemap.xml",
    ]


# What each page costs, navigation included (the test clears the cache first). docs/performance.md: "every
# page makes the same number of queries whatever the archive's size ... an article page makes at most 8".
LIST_QUERIES = {
    "/": 8,
    "/?before=": 3,
    "/section/news/": 6,
    "/tag/river/": 4,
    "/author/shared-reporter/": 4,
    "/archive/": 3,
    "/archive/year/": 4,
    "/archive/year/month/": 3,
    "/archive/year/month/day/": 3,
    "/corrections/": 3,
    "/search/?q=river": 5,
    "/feed/": 3,
    "/feed/atom/": 3,
    "/section/news/feed/": 4,
    "/tag/river/feed/atom/": 4,
    "/author/shared-reporter/feed/": 4,
    "/corrections/feed/": 1,
    "/sitemap.xml": 8,
    "/sitemap-articles.xml": 3,
    "/sitemap-sections.xml": 2,
    "/sitemap-tags.xml": 3,
    "/sitemap-authors.xml": 3,
    "/news-sitemap.xml": 1,
}
ARTICLE_QUERIES = 7  # the article, bylines, tags, corrections, two for related stories, the navigation
ARTICLE_QUERIES_DOCUMENTED_MAXIMUM = 8


def page_name(url):
    """The LIST_QUERIES key of a URL: archive dates and cursors vary from run to run."""
    if url.startswith("/?before="):
        return "/?before="
    if url.startswith("/archive/") and url != "/archive/":
        parts = ["year", "month", "day"][: url.strip("/").count("/")]
        return "/archive/" + "".join(f"{part}/" for part in parts)
    return url


def get_counting(client, url):
    cache.clear()  # the navigation is cached: count a cold request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_every_list_page_makes_its_fixed_number_of_queries_at_any_size(client, size):
    build_site(size)
    counts, responses = {}, {}
    for url in list_urls():
        responses[url], counts[page_name(url)] = get_counting(client, url)
    assert counts == LIST_QUERIES
    if size == LARGE:  # the lists are full, so a query per card would have shown
        assert len(responses["/"].context["latest"]) == 10
        for url in ("/section/news/", "/tag/river/", "/author/shared-reporter/"):
            assert len(responses[url].context["articles"]) == 20, url


def test_an_article_page_makes_the_same_queries_however_rich(client):
    news = SectionFactory(name="News", slug="news")
    plain = ArticleFactory(section=news, tags=["one"])
    rich = ArticleFactory(
        section=news, bylines=[AuthorFactory() for _ in range(5)], tags=[f"tag-{n}" for n in range(12)]
    )
    CorrectionFactory.create_batch(4, article=rich)
    for n in range(12):
        ArticleFactory(section=news, tags=[f"tag-{n}"])
    _, plain_count = get_counting(client, plain.get_absolute_url())
    response, rich_count = get_counting(client, rich.get_absolute_url())
    assert len(response.context["related"]) == 4
    assert len(response.context["bylines"]) == 5 and len(response.context["corrections"]) == 4
    assert plain_count == rich_count == ARTICLE_QUERIES


def test_an_article_page_makes_at_most_eight_queries_in_a_large_archive(client):
    articles = build_site(LARGE)
    _, count = get_counting(client, articles[LARGE // 2].get_absolute_url())
    assert count == ARTICLE_QUERIES
    assert count <= ARTICLE_QUERIES_DOCUMENTED_MAXIMUM
