"""The number of queries a reader page makes does not grow with the articles, tags or authors it shows.

Each page is measured with a small site, then again after the site has grown several times over; the big
site must not need more queries than the small one.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


SECTIONS = ["news", "sport", "culture", "business"]


def grow(count, start=0):
    """Add ``count`` articles spread over the sections, each with two authors, three tags and a correction."""
    sections = [SectionFactory(name=slug.title(), slug=slug, nav_order=i) for i, slug in enumerate(SECTIONS)]
    shared = AuthorFactory(name="Shared Reporter", slug="shared-reporter") if start == 0 else None
    shared = shared or AuthorFactory._meta.model.objects.get(slug="shared-reporter")
    base = timezone.now() - timedelta(days=1)
    for n in range(start, start + count):
        article = ArticleFactory(
            headline=f"River story {n}",
            section=sections[n % len(sections)],
            published_at=base - timedelta(hours=n),
            featured=n == 0,
            bylines=[shared, AuthorFactory()],
            tags=["river", f"topic-{n}", f"extra-{n}"],
        )
        article.extra_sections.add(sections[(n + 1) % len(sections)])
        CorrectionFactory(article=article, noted_at=base - timedelta(hours=n))


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


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_list_pages_make_the_same_number_of_queries_at_two_sizes(client, django_assert_max_num_queries):
    grow(14)  # enough to fill the home page's latest list and a section block
    small = {url: count_queries(client, url) for url in list_urls()}
    grow(40, start=14)
    for url, allowed in small.items():
        cache.clear()
        with django_assert_max_num_queries(allowed, info=url):
            assert client.get(url).status_code == 200


def test_an_article_page_makes_the_same_number_of_queries_however_rich(client, django_assert_max_num_queries):
    news = SectionFactory(name="News", slug="news")
    plain = ArticleFactory(section=news, tags=["one"])
    allowed = count_queries(client, plain.get_absolute_url())
    rich = ArticleFactory(
        section=news, bylines=[AuthorFactory() for _ in range(5)], tags=[f"tag-{n}" for n in range(12)]
    )
    CorrectionFactory.create_batch(4, article=rich)
    for n in range(12):
        ArticleFactory(section=news, tags=[f"tag-{n}"])
    cache.clear()
    with django_assert_max_num_queries(allowed):
        response = client.get(rich.get_absolute_url())
    assert len(response.context["related"]) == 4
