"""The Follow form on section, tag and author pages works from the page cache: nothing per visitor in it."""

import pytest
from django.test import Client

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    reporter = AuthorFactory(name="Rita Reporter", slug="rita-reporter")
    section = SectionFactory(name="Environment", slug="environment")
    return ArticleFactory(section=section, bylines=[reporter], tags=["floods"])


@pytest.mark.parametrize(
    ("page", "action"),
    [
        ("/tag/floods/", "/newsletters/follow/tag/floods/"),
        ("/section/environment/", "/newsletters/follow/section/environment/"),
        ("/author/rita-reporter/", "/newsletters/follow/author/rita-reporter/"),
    ],
)
def test_the_follow_form_is_on_the_page_and_served_from_the_cache(story, page, action):
    client = Client()
    first, second = client.get(page), client.get(page)
    assert second["X-Cache"] == "HIT"
    for response in (first, second):
        assert f'<form class="follow-form" method="post" action="{action}">'.encode() in response.content
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies


def test_the_follow_page_without_the_surrounding_list_is_never_cached(story):
    response = Client().get("/newsletters/follow/tag/floods/")
    assert response.status_code == 200
    assert b"Follow floods" in response.content
    assert "no-store" in response["Cache-Control"]
    assert "X-Cache" not in response
    assert b'name="robots" content="noindex"' in response.content


def test_the_follow_form_works_without_a_csrf_cookie_from_a_cached_page(story):
    client = Client(enforce_csrf_checks=True)
    client.get("/tag/floods/")
    response = client.post(
        "/newsletters/follow/tag/floods/", {"email": "reader@example.net"}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
