"""Every list readers page through is served by an index: checked in the database's own query plan."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Byline, TaggedArticle
from articles.pagination import _window
from articles.sitemaps import ArticleSitemap

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    news = SectionFactory(name="News", slug="news")
    author = AuthorFactory()
    for n in range(30):
        ArticleFactory(section=news, bylines=[author], tags=["river"], published_at=timezone.now() - timedelta(days=n))
    return {"news": news, "author": author, "tag": Article.objects.first().tags.first()}


def list_queries(archive):
    listed = Article.objects.listed()
    cursor = (timezone.now() - timedelta(days=10), 10**9)
    return {
        "home": _window(listed.for_listing(), None, None, 21),
        "section": _window(listed.filter(section=archive["news"]), None, cursor, 21),
        "extra sections": _window(listed.filter(extra_sections=archive["news"]), None, None, 21),
        "tag": _window(
            listed.filter(pk__in=TaggedArticle.objects.filter(tag=archive["tag"]).values("content_object_id")),
            None,
            None,
            21,
        ),
        "author": _window(
            listed.filter(pk__in=Byline.objects.filter(author=archive["author"]).values("article_id")), None, None, 21
        ),
        "archive month": _window(listed.filter(published_at__gte=cursor[0]), None, None, 21),
        "detail": Article.objects.published().filter(slug="story"),
        "sitemap page": ArticleSitemap().paginator.queryset.filter(pk__gte=1, pk__lt=1001),
    }


def full_scans(plan):
    if connection.vendor == "postgresql":
        return re.findall(r"Seq Scan on articles_article\b", plan)
    return [line for line in plan.splitlines() if re.search(r"\bSCAN articles_article\b", line) and "USING" not in line]


def test_every_reader_list_is_served_by_an_index(archive):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")  # tables this small would otherwise always be scanned
        else:
            cursor.execute("ANALYZE")
    for name, queryset in list_queries(archive).items():
        plan = queryset.explain()
        assert not full_scans(plan), f"{name} scans the whole article table:\n{plan}"
