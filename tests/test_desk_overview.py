"""The desk's home: the overview in the order each role works in, and menus in the newsroom's words."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .factories import ArticleFactory

INDEX = reverse("admin:index")


def headings(html):
    return re.findall(r'<h2 id="nr-[a-z]+">([^<(]+)', html)


def visible_text(html):
    return re.sub(r"<[^>]+>", " ", html)


def menu(html):
    """The app list's headings and model names, as the admin home shows them."""
    return re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", html), re.findall(
        r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)', html
    )


def test_editors_see_review_first_then_scheduled_today_and_their_drafts(editor_client):
    html = editor_client.get(INDEX).content.decode()
    assert [h.strip() for h in headings(html)] == [
        "In review", "Scheduled", "Published in the last 24 hours", "My drafts",
    ]  # fmt: skip


def test_writers_see_their_drafts_first(writer_client):
    html = writer_client.get(INDEX).content.decode()
    assert headings(html)[0].strip() == "My drafts"


def test_the_overview_lists_scheduled_times_and_what_went_out(editor_client, editor):
    ArticleFactory.in_review(headline="Needs a look")
    soon = ArticleFactory.scheduled(headline="Goes out tomorrow")
    ArticleFactory(headline="Went out an hour ago")
    ArticleFactory.draft(headline="Edith's own draft", created_by=editor)
    html = editor_client.get(INDEX).content.decode()
    for headline in ["Needs a look", "Goes out tomorrow", "Went out an hour ago", "Edith&#x27;s own draft"]:
        assert headline in html
    assert "goes live\n" in html
    assert timezone.localtime(soon.published_at).strftime("%a %-d %b, %H:%M") in html


def test_the_overview_makes_the_same_queries_for_few_and_many_articles(
    editor_client, editor, django_assert_num_queries
):
    def make(number):
        for _ in range(number):
            ArticleFactory.in_review()
            ArticleFactory.scheduled()
            ArticleFactory()
            ArticleFactory.draft(created_by=editor)

    make(1)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(INDEX)
    make(8)
    with django_assert_num_queries(len(few)):
        editor_client.get(INDEX)


def test_editors_menus_have_no_library_names(editor_client):
    html = editor_client.get(INDEX).content.decode()
    sections, models = menu(html)
    assert sections == ["Newsroom content"]
    assert "Tags" in models and "Articles" in models
    assert not re.search(r"taggit|axes", visible_text(html), re.IGNORECASE)
    tags_page = editor_client.get(reverse("admin:taggit_tag_changelist")).content.decode()
    assert not re.search(r"taggit", visible_text(tags_page), re.IGNORECASE)


def test_site_admins_find_lockouts_and_staff_under_site_administration(admin_client_):
    sections, models = menu(admin_client_.get(INDEX).content.decode())
    assert sections == ["Newsroom content", "Readers", "Site administration"]
    assert {"Users", "Groups", "Access attempts", "Readers", "Follows", "Deliveries"} <= set(models)


@pytest.mark.parametrize("role", ["editor", "writer"])
def test_lockouts_are_for_site_admins_only(client_for, role):
    assert client_for(role).get(reverse("admin:app_list", args=["axes"])).status_code == 404


def test_the_tags_app_page_opens_the_newsroom_content_heading(editor_client):
    html = editor_client.get(reverse("admin:app_list", args=["taggit"])).content.decode()
    assert "Newsroom content" in html and "Tags" in html
