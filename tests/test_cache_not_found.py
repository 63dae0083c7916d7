# ruff: noqa: F811 - the page-cache fixtures are shared with tests/test_caching.py by import
"""Random addresses cost two indexed lookups and the stored 404 page, not a full rendering each."""

import secrets

import pytest

from articles.models import Article, ArticleRedirect

from .factories import ArticleFactory
from .test_caching import commit, get, page_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def random_address():
    return f"/{secrets.token_hex(4)}/{secrets.token_hex(6)}/"


def test_an_address_never_seen_gets_the_stored_404_page_with_two_queries(client, page_cache, django_assert_num_queries):
    ArticleFactory()
    rendered = get(client, random_address())
    assert rendered.status_code == 404 and rendered["X-Cache"] == "MISS"
    with django_assert_num_queries(2):  # is there such a story? an old address of one?
        served = get(client, random_address())
    assert served.status_code == 404 and served["X-Cache"] == "HIT"
    assert served.content == rendered.content
    assert served["Content-Security-Policy"] == rendered["Content-Security-Policy"]


def test_a_published_story_at_an_unknown_section_still_redirects(client, page_cache):
    article = ArticleFactory()
    get(client, random_address())
    response = get(client, f"/{secrets.token_hex(4)}/{article.slug}/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_an_old_address_of_a_story_still_redirects(client, page_cache):
    article = ArticleFactory()
    ArticleRedirect.objects.create(article=article, old_path="/2019/05/old-story/")
    get(client, random_address())
    response = get(client, "/2019/05/old-story/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_a_story_published_at_an_address_is_no_longer_missing(client, page_cache, commit):
    draft = commit(lambda: ArticleFactory.draft(headline="Soon out"))
    get(client, random_address())
    assert get(client, draft.get_absolute_url()).status_code == 404
    draft.status = Article.Status.PUBLISHED
    commit(draft.save)
    assert get(client, draft.get_absolute_url()).status_code == 200


def test_the_stored_404_page_follows_the_navigation(client, page_cache, commit):
    article = ArticleFactory()
    get(client, random_address())
    section = article.section
    section.name = "Renamed section"
    commit(section.save)
    response = get(client, random_address())
    assert response["X-Cache"] == "MISS" and "Renamed section" in response.content.decode()


def test_other_pages_that_do_not_exist_render_their_404_themselves(client, page_cache):
    ArticleFactory()
    get(client, random_address())
    response = get(client, f"/tag/{secrets.token_hex(4)}/")
    assert response.status_code == 404 and response["X-Cache"] == "MISS"
