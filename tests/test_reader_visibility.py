"""Drafts, articles in review and scheduled articles do not exist for readers, on any channel."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

SECRET = "Zanzibarian"  # a word that appears only in the unpublished article


@pytest.fixture
def world():
    news = SectionFactory(name="News", slug="news")
    author = AuthorFactory(name="Pat Public")
    public = ArticleFactory(headline="A public story", section=news, bylines=[author], tags=["shared"])
    return {"news": news, "author": author, "public": public}


def make(state, world, **kwargs):
    maker = {"draft": ArticleFactory.draft, "review": ArticleFactory.in_review, "scheduled": ArticleFactory.scheduled}
    secret_author = AuthorFactory(name="Quill Penman")  # bylined only on the unpublished article
    article = maker[state](
        headline=f"The {SECRET} story",
        standfirst=f"All about {SECRET}.",
        body=f"{SECRET} " * 20,
        section=world["news"],
        bylines=[world["author"], secret_author],
        tags=["shared", f"{SECRET.lower()}-tag"],
        featured=True,
        **kwargs,
    )
    CorrectionFactory(article=article, note=f"{SECRET} correction.")
    return article, secret_author


def reader_channels(world, article, secret_author):
    when = timezone.localtime(article.published_at or timezone.now())
    return [
        "/",
        "/?before=99999999999999999-1",
        "/section/news/",
        "/tag/shared/",
        f"/author/{world['author'].slug}/",
        f"/author/{secret_author.slug}/",
        f"/author/{secret_author.slug}/feed/",
        "/archive/",
        f"/archive/{when.year}/",
        f"/archive/{when.year}/{when.month}/",
        f"/archive/{when.year}/{when.month}/{when.day}/",
        "/corrections/",
        f"/search/?q={SECRET}",
        "/search/?q=story",
        "/search/?q=Penman",  # author names are searched too
        world["public"].get_absolute_url(),
        "/feed/",
        "/feed/atom/",
        "/section/news/feed/",
        "/section/news/feed/atom/",
        "/tag/shared/feed/",
        "/tag/shared/feed/atom/",
        f"/author/{world['author'].slug}/feed/",
        f"/author/{world['author'].slug}/feed/atom/",
        "/corrections/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/sitemap-sections.xml",
        "/news-sitemap.xml",
    ]


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_unpublished_article_is_404_for_readers(client, world, state):
    article, _ = make(state, world)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_unpublished_article_appears_on_no_channel(client, world, state):
    article, secret_author = make(state, world)
    # An author bylined only on the unpublished article has no public page or feed (the list rule); every
    # other channel exists for readers, so a 404 there would hide a leak.
    unpublished_only = f"/author/{secret_author.slug}/"
    # An archive period with no public story answers 404 (so the hidden one is not listed there either).
    when, public = (timezone.localtime(moment) for moment in (article.published_at or timezone.now(),
                                                              world["public"].published_at))  # fmt: skip
    empty_periods = {
        f"/archive/{when.year}/": when.year != public.year,
        f"/archive/{when.year}/{when.month}/": (when.year, when.month) != (public.year, public.month),
        f"/archive/{when.year}/{when.month}/{when.day}/": when.date() != public.date(),
    }
    for url in reader_channels(world, article, secret_author):
        response = client.get(url)
        expected = 404 if url.startswith(unpublished_only) or empty_periods.get(url) else 200
        assert response.status_code == expected, url
        body = response.content.decode()
        assert article.slug not in body, url
        if url.startswith("/search/"):  # the page repeats the query, so look at the results
            assert article not in [found for found, _ in response.context["results"].items], url
        else:
            assert SECRET not in body, url
            assert SECRET.lower() not in body, url


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_unpublished_article_is_not_counted(client, world, state):
    article, _ = make(state, world)
    when = timezone.localtime(world["public"].published_at)
    months = client.get(f"/archive/{when.year}/").context["months"]
    assert sum(row["count"] for row in months) == 1
    assert client.get("/").context["lead"] is None


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_a_tag_used_only_by_unpublished_articles_is_404(client, world, state):
    make(state, world)
    assert client.get(f"/tag/{SECRET.lower()}-tag/").status_code == 404
    assert client.get(f"/tag/{SECRET.lower()}-tag/feed/").status_code == 404


def test_unpublished_articles_are_not_related_to_anything(client, world):
    make("draft", world)
    make("scheduled", world, slug="scheduled-one")
    assert client.get(world["public"].get_absolute_url()).context["related"] == []


def test_a_scheduled_article_appears_everywhere_at_its_time_by_itself(client, world):
    article, secret_author = make("scheduled", world)
    assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(article.published_at + timedelta(minutes=1), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200
        assert client.get("/").context["lead"] == article
        for url in ["/section/news/", "/tag/shared/", "/feed/", "/sitemap-articles.xml", "/news-sitemap.xml"]:
            assert article.slug in client.get(url).content.decode(), url
        assert SECRET in client.get(f"/search/?q={SECRET}").content.decode()
        assert SECRET in client.get("/corrections/").content.decode()


def test_a_scheduled_article_is_not_in_the_page_cache_before_its_time(client, world, settings):
    """With the page cache on, the first request after the publish time still sees the article."""
    settings.PAGE_CACHE_ENABLED = True
    article, _ = make("scheduled", world)
    assert article.slug not in client.get("/feed/").content.decode()
    with time_machine.travel(article.published_at + timedelta(seconds=1), tick=False):
        assert article.slug in client.get("/feed/").content.decode()


def test_unpublishing_takes_an_article_off_every_channel(client, world):
    article = world["public"]
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.slug not in client.get("/feed/").content.decode()
    assert article.slug not in client.get("/search/?q=public").content.decode()


def test_a_hidden_article_is_reachable_but_listed_nowhere(client, world):
    hidden = ArticleFactory(headline=f"Hidden {SECRET}", section=world["news"], hidden=True)
    assert client.get(hidden.get_absolute_url()).status_code == 200
    for url in ["/", "/section/news/", "/feed/", "/sitemap-articles.xml", f"/search/?q={SECRET}"]:
        assert hidden.slug not in client.get(url).content.decode(), url


def test_staff_cannot_see_drafts_through_reader_pages_either(editor_client, world):
    """Reader URLs are the same for everyone; staff use the admin preview."""
    article, _ = make("draft", world)
    assert editor_client.get(article.get_absolute_url()).status_code == 404
