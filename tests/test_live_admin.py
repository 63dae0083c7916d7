"""The live panel on a story's admin page: quick-post, start and end coverage, editing updates."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, LiveUpdate

from .admin_forms import article_post_data, inline_management
from .factories import ArticleFactory
from .live_helpers import live_story, post
from .test_security_xss import ADMIN_PAGE
from .xss_payloads import PAYLOADS, assert_inert_html

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def quick_post(client, article, **fields):
    data = {"live-body": "Polls have closed.", **{f"live-{name}": value for name, value in fields.items()}}
    return client.post(reverse("admin:articles_live_post", args=[article.pk]), data)


def test_an_editor_starts_live_coverage_from_the_story_s_page(editor_client):
    article = ArticleFactory()
    page = editor_client.get(change_url(article)).content.decode()
    assert 'id="live-start"' in page and 'id="live-post"' not in page
    response = editor_client.post(reverse("admin:articles_live_start", args=[article.pk]))
    assert response.status_code == 302 and response["Location"] == change_url(article)
    article.refresh_from_db()
    assert article.is_live
    page = editor_client.get(change_url(article)).content.decode()
    assert 'id="live-post"' in page and 'id="live-end"' in page
    assert "started: readers see the label" in page
    draft = ArticleFactory.draft()
    editor_client.post(reverse("admin:articles_live_start", args=[draft.pk]))
    assert "once it is published, readers see" in editor_client.get(change_url(draft)).content.decode()


def test_quick_post_publishes_an_update_in_one_step(editor_client, editor):
    article = live_story()
    response = quick_post(editor_client, article, headline="Count begins", key_point="on")
    assert response.status_code == 302
    update = LiveUpdate.objects.get(article=article)
    assert (update.headline, update.key_point, update.pinned) == ("Count begins", True, False)
    assert update.author == editor.author and update.posted_by == editor
    assert update.history.get().history_user == editor
    messages = editor_client.get(change_url(article)).content.decode()
    assert "readers see it now" in messages


def test_quick_post_needs_a_post_and_a_csrf_token(editor, client):
    article = live_story()
    client.force_login(editor)
    assert client.get(reverse("admin:articles_live_post", args=[article.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert quick_post(strict, article).status_code == 403
    assert not LiveUpdate.objects.exists()


def test_an_empty_update_is_refused_with_a_clear_message(editor_client):
    article = live_story()
    response = quick_post(editor_client, article, body="")
    assert response.status_code == 302
    assert not LiveUpdate.objects.exists()
    assert "The update was not posted" in editor_client.get(change_url(article)).content.decode()


def test_a_writer_is_refused_unless_an_editor_allowed_writers_on_the_story(writer_client, writer):
    article = live_story(bylines=[writer.author])
    assert 'id="live-post"' not in writer_client.get(change_url(article)).content.decode()
    assert quick_post(writer_client, article).status_code == 403
    Article.objects.filter(pk=article.pk).update(live_writers_may_post=True)
    assert 'id="live-post"' in writer_client.get(change_url(article)).content.decode()
    assert quick_post(writer_client, article).status_code == 302
    assert LiveUpdate.objects.get().author == writer.author


def test_writers_cannot_start_or_end_coverage_or_allow_themselves(writer_client, writer):
    article = ArticleFactory.draft(bylines=[writer.author])
    assert writer_client.post(reverse("admin:articles_live_start", args=[article.pk])).status_code == 403
    live = live_story(bylines=[writer.author])
    assert writer_client.post(reverse("admin:articles_live_end", args=[live.pk])).status_code == 403
    draft_page = writer_client.get(change_url(article)).content.decode()
    assert 'name="live_writers_may_post"' not in draft_page
    response = writer_client.post(change_url(article), article_post_data(article, live_writers_may_post="on"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert not article.live_writers_may_post and article.live_started_at is None


def test_ending_coverage_keeps_the_updates_and_records_the_end(editor_client, client):
    article = live_story()
    post(article, body="Result declared.")
    response = editor_client.post(reverse("admin:articles_live_end", args=[article.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.live_ended_at is not None and not article.is_live
    assert LiveUpdate.objects.filter(article=article).count() == 1
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Result declared." in page and 'class="live-label"' not in page
    assert 'id="live-end"' not in editor_client.get(change_url(article)).content.decode()


def test_an_editor_edits_and_deletes_any_update_in_the_story_s_form(editor_client, writer):
    article = live_story()
    keep = post(article, body="Turnout is 40%.", author=writer.author)
    drop = post(article, body="A rumour.")
    page = editor_client.get(change_url(article)).content.decode()
    assert 'name="live_updates-TOTAL_FORMS"' in page
    data = article_post_data(article)
    data.update(inline_management("live_updates", total=2, initial=2))
    for index, update in enumerate(LiveUpdate.objects.filter(article=article).order_by("-published_at", "-pk")):
        local = update.published_at
        data.update({
            f"live_updates-{index}-id": str(update.pk),
            f"live_updates-{index}-article": str(article.pk),
            f"live_updates-{index}-published_at_0": local.strftime("%Y-%m-%d"),
            f"live_updates-{index}-published_at_1": local.strftime("%H:%M:%S"),
            f"live_updates-{index}-author": str(update.author_id or ""),
            f"live_updates-{index}-headline": "",
            f"live_updates-{index}-body": "Turnout is 41%." if update == keep else update.body,
        })  # fmt: skip
        if update == drop:
            data[f"live_updates-{index}-DELETE"] = "on"
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(LiveUpdate.objects.values_list("body", flat=True)) == ["Turnout is 41%."]
    assert keep.history.count() == 2


def test_writers_do_not_get_the_updates_inline(writer_client, writer):
    article = live_story(bylines=[writer.author])
    post(article)
    assert "live_updates-TOTAL_FORMS" not in writer_client.get(change_url(article)).content.decode()


def test_the_overview_offers_quick_post_on_running_stories_the_user_may_post_to(client_for, writer):
    mine_not_allowed = live_story(headline="Verdict day", bylines=[writer.author])
    someone_elses = live_story(headline="Storm watch", live_writers_may_post=True)
    ended = live_story(headline="Old count", live_ended_at=mine_not_allowed.live_started_at)
    editor_page = client_for("editor").get(reverse("admin:index")).content.decode()
    for story in (mine_not_allowed, someone_elses):
        assert reverse("admin:articles_live_post", args=[story.pk]) in editor_page
    assert reverse("admin:articles_live_post", args=[ended.pk]) not in editor_page
    writer_page = client_for("writer").get(reverse("admin:index")).content.decode()
    assert reverse("admin:articles_live_post", args=[someone_elses.pk]) in writer_page
    assert reverse("admin:articles_live_post", args=[mine_not_allowed.pk]) not in writer_page


def test_an_update_posted_from_the_overview_returns_there(writer_client, writer):
    story = live_story(headline="Storm watch", live_writers_may_post=True)
    response = writer_client.post(
        reverse("admin:articles_live_post", args=[story.pk]), {"from": "overview", "live-body": "Trees down."}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert LiveUpdate.objects.get().author == writer.author
    assert "Update on “Storm watch” posted" in writer_client.get(reverse("admin:index")).content.decode()


def test_the_overview_query_count_does_not_grow_with_live_stories(editor_client):
    counts = []
    for _ in range(2):
        for _ in range(4):
            live_story()
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(reverse("admin:index")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_hostile_updates_are_inert_in_the_story_s_admin_page_and_the_overview(admin_client_):
    article = live_story(headline="Hostile night")
    for _, payload in PAYLOADS:
        post(article, headline=payload[:200], body=payload)
    assert_inert_html(admin_client_.get(change_url(article)).content.decode(), **ADMIN_PAGE)
    assert_inert_html(admin_client_.get(reverse("admin:index")).content.decode(), **ADMIN_PAGE)
