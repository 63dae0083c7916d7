"""Failures the site must survive: the database or Redis going away, a full media disk, two editors at once."""

import errno
import logging
from contextlib import contextmanager
from html import unescape

import pytest
from django.core.cache import caches
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings
from django.urls import reverse

from articles.models import Article

from .admin_forms import article_post_data
from .factories import ArticleFactory, image_file

pytestmark = pytest.mark.django_db

CLOSED_REDIS = {
    "default": {
        "BACKEND": "newsroom.cache.TolerantRedisCache",
        "LOCATION": "redis://127.0.0.1:6390/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@contextmanager
def database_down():
    """Every new query fails as it does when the database server is unreachable."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    original = connection._cursor
    connection._cursor = refuse
    try:
        yield
    finally:
        connection._cursor = original


# Database unreachable


@pytest.mark.parametrize("path", ["/", "/search/?q=river", "/section/news/", "/feed/", "/sitemap.xml"])
def test_a_lost_database_gives_readers_a_styled_503_without_a_traceback(client, settings, path):
    settings.DEBUG = False
    with database_down():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "We&#x27;ll be right back" in body or "We'll be right back" in body
    assert 'rel="stylesheet"' in body
    for leak in ("Traceback", "OperationalError", "5432", "connection to server"):
        assert leak not in body


def test_the_503_keeps_the_security_headers(client):
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_site_recovers_by_itself_when_the_database_returns(client):
    ArticleFactory(headline="Back in business")
    with database_down():
        assert client.get("/").status_code == 503
    response = client.get("/")
    assert response.status_code == 200
    assert "Back in business" in response.content.decode()


def test_the_health_endpoint_reports_the_database(client):
    assert client.get("/health/").json() == {"status": "ok", "database": "ok"}
    with database_down():
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert client.get("/health/").status_code == 200


def test_pages_already_in_the_page_cache_are_served_while_the_database_is_down(client, settings):
    ArticleFactory(headline="Cached story")
    first = client.get("/")
    assert first.status_code == 200
    with database_down():
        response = client.get("/")
    assert response.status_code == 200
    assert "Cached story" in response.content.decode()


def test_a_database_error_raised_outside_a_view_also_becomes_a_503(client, settings, monkeypatch):
    """The redirect fallback middleware queries on a 404; a lost database there must not show a 500."""
    settings.DEBUG = False
    with database_down():
        response = client.get("/no-such-section/no-such-story/")
    assert response.status_code == 503


# Redis unreachable


@override_settings(CACHES=CLOSED_REDIS)
def test_with_redis_unreachable_readers_and_editors_keep_working_and_it_is_logged(client, editor_client, caplog):
    import newsroom.cache

    newsroom.cache.TolerantRedisCache._last_logged = 0.0
    story = ArticleFactory(headline="Served without a cache")
    with caplog.at_level(logging.ERROR, logger="newsroom.cache"):
        for path in ("/", story.get_absolute_url(), "/feed/", "/search/?q=served"):
            response = client.get(path)
            assert response.status_code == 200, path
        assert "Served without a cache" in client.get("/").content.decode()
        draft = ArticleFactory.draft(headline="Editor keeps typing", bylines=[])
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[draft.pk]),
            article_post_data(draft, headline="Editor kept typing"),
        )
        assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.headline == "Editor kept typing"
    assert any("Cache unavailable" in record.getMessage() for record in caplog.records)


@override_settings(CACHES=CLOSED_REDIS)
def test_the_tolerant_cache_answers_like_an_empty_cache():
    cache = caches["default"]
    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", "v") is False
    assert cache.delete("k") is False
    assert cache.set_many({"a": 1}) == ["a"]
    with pytest.raises(ValueError):
        cache.incr("counter")


# Media storage unwritable or full


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_photo_that_cannot_be_stored_is_a_clear_message_and_other_changes_are_kept(
    editor_client, editor, monkeypatch, media_root
):
    article = ArticleFactory(bylines=[editor.author], headline="Old headline")
    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    data = article_post_data(article, headline="New headline", hero_alt="A river")
    data["hero_image"] = image_file()
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The photo could not be stored (No space left on device)" in page
    assert "Your other changes were saved" in page
    article.refresh_from_db()
    assert article.headline == "New headline"
    assert not article.hero_image


def test_a_body_image_that_cannot_be_stored_is_a_clear_message(editor_client, editor, monkeypatch):
    article = ArticleFactory(bylines=[editor.author])
    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    data = article_post_data(article, standfirst="Changed standfirst")
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-image": image_file(),
            "images-0-alt": "A bridge",
            "images-0-position": "0",
        }
    )
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data, follow=True)
    assert response.status_code == 200
    assert "A body image could not be stored" in response.content.decode()
    article.refresh_from_db()
    assert article.standfirst == "Changed standfirst"
    assert not article.images.exists()


# Two editors, one article


def test_the_second_editor_to_save_is_told_of_the_conflict_and_sees_what_changed(editor_client, admin_client_, editor):
    article = ArticleFactory(headline="Original headline", body="Original body", bylines=[editor.author])
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened = article.revision
    assert f'name="revision_seen" value="{opened}"' in editor_client.get(url).content.decode()

    first = admin_client_.post(url, article_post_data(article, headline="Admin's headline", revision_seen=opened))
    assert first.status_code == 302
    second = editor_client.post(url, article_post_data(article, headline="Editor's headline", revision_seen=opened))
    assert second.status_code == 200
    page = second.content.decode()
    assert "saved this article" in page and "while you were editing it" in page
    assert "Admin&#x27;s headline" in page and "Editor&#x27;s headline" in page
    article.refresh_from_db()
    assert article.headline == "Admin's headline"

    # Having seen the difference, saving again is a deliberate choice and goes through.
    assert f'name="revision_seen" value="{opened + 1}"' in page
    third = editor_client.post(url, article_post_data(article, headline="Editor's headline", revision_seen=opened + 1))
    assert third.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Editor's headline"


def test_a_bulk_action_also_counts_as_a_change_for_open_forms(editor_client, editor):
    article = ArticleFactory.draft(bylines=[editor.author], headline="Waiting")
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened = article.revision
    changelist = reverse("admin:articles_article_changelist")
    editor_client.post(changelist, {"action": "publish_now", "_selected_action": [article.pk]})
    response = editor_client.post(url, article_post_data(article, status="draft", revision_seen=opened))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "edith saved this article at " in page and " while you were editing it." in page
    assert "Nothing has been saved from your copy." in page
    assert "Status: saved “published”, yours “draft”." in page
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
