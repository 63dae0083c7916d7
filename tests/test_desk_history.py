"""The article history: restoring content keeps a live story live, writers cannot restore editor-only fields,
versions compare side by side, and status changes, corrections and change notes show who and when."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.admin.history_diff import word_diff
from articles.models import Article, ArticleImage

from .admin_forms import article_post_data, inline_management
from .factories import ArticleFactory, image_file

pytestmark = pytest.mark.usefixtures("no_page_cache")


def restore_url(article, record):
    return reverse("admin:articles_article_simple_history", args=[article.pk, record.history_id])


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def oldest(article):
    return article.history.order_by("history_date", "history_id").first()


@pytest.fixture
def live_story(editor):
    """A story first saved in review with another headline and slug, then published and renamed."""
    article = ArticleFactory.in_review(headline="Old headline", slug="old-headline", tags=["river"])
    article.headline, article.slug, article.body = "New headline", "new-headline", "The newer body text."
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now() - timedelta(hours=1)
    article.save_revision(by=editor)
    article.tags.set(["river", "flood"])
    from articles.versions import record_related

    record_related(article)
    return article


def test_restoring_an_older_version_of_a_live_story_keeps_it_live_at_its_address(client, editor_client, live_story):
    """Bug 1: the revert took the story down (status, publish time and slug went back)."""
    address = live_story.get_absolute_url()
    old = oldest(live_story)
    response = editor_client.post(restore_url(live_story, old), {"note": "Back to the first wording"})
    assert response.status_code == 302
    live_story.refresh_from_db()
    assert live_story.headline == "Old headline"
    assert (live_story.status, live_story.slug) == (Article.Status.PUBLISHED, "new-headline")
    assert live_story.get_absolute_url() == address
    page = client.get(address)
    assert page.status_code == 200
    assert "Old headline" in page.content.decode()


def test_a_restore_bumps_the_revision_and_is_recorded_with_its_note(editor_client, editor, live_story):
    revision = live_story.revision
    editor_client.post(restore_url(live_story, oldest(live_story)), {"note": "Back to the first wording"})
    live_story.refresh_from_db()
    assert live_story.revision == revision + 1
    latest = live_story.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Back to the first wording")


def test_restoring_brings_back_tags_and_body_images_as_recorded(editor_client, editor):
    article = ArticleFactory(body="Text\n\n[[image:1]]")
    ArticleImage.objects.create(article=article, image=image_file(), alt="A heron", ref="1")
    article.tags.set(["heron"])
    article.save_revision(by=editor)  # recorded with the heron tag and image 1
    recorded = article.history.order_by("-history_date", "-history_id").first()
    article.tags.set(["otter"])
    article.images.all().delete()
    article.body = "Text only"
    article.save_revision(by=editor)
    assert editor_client.post(restore_url(article, recorded), {}).status_code == 302
    article.refresh_from_db()
    assert [tag.name for tag in article.tags.all()] == ["heron"]
    assert [(image.ref, image.alt) for image in article.images.all()] == [("1", "A heron")]
    assert "<figure" in article.body_html


def test_an_editor_may_tick_publishing_fields_to_restore_them_too(editor_client, live_story):
    editor_client.post(restore_url(live_story, oldest(live_story)), {"also": ["slug"]})
    live_story.refresh_from_db()
    assert live_story.slug == "old-headline"
    assert live_story.status == Article.Status.PUBLISHED


def test_a_writers_crafted_restore_of_editor_only_fields_is_refused(writer_client, writer, editor):
    """Bug 2: a writer's revert set featured, hidden, canonical URL and a back-dated publish time."""
    article = ArticleFactory.draft(headline="First", created_by=writer)
    article.featured, article.hidden, article.canonical_url = True, True, "https://elsewhere.example/"
    article.published_at = timezone.now() - timedelta(days=400)
    article.save_revision(by=editor)
    flagged = article.history.order_by("-history_date", "-history_id").first()
    article.featured, article.hidden, article.canonical_url, article.published_at = False, False, "", None
    article.headline = "Second"
    article.save_revision(by=editor)

    crafted = {"also": ["featured", "hidden", "canonical_url", "published_at", "status"]}
    assert writer_client.post(restore_url(article, flagged), crafted).status_code == 403
    article.refresh_from_db()
    assert article.headline == "Second"

    # The old revert form's fields are ignored: only the content comes back.
    old_form = article_post_data(article, featured="on", hidden="on", canonical_url="https://elsewhere.example/")
    assert writer_client.post(restore_url(article, flagged), old_form).status_code == 302
    article.refresh_from_db()
    assert article.headline == "First"
    assert (article.featured, article.hidden, article.canonical_url, article.published_at) == (False, False, "", None)


def test_a_writer_sees_no_publishing_ticks_on_the_restore_page(writer_client, writer, editor):
    article = ArticleFactory.draft(headline="First", created_by=writer)
    article.slug = "another"
    article.save_revision(by=editor)
    page = writer_client.get(restore_url(article, oldest(article))).content.decode()
    assert "Restore content" in page
    assert 'name="also"' not in page


def test_the_restore_page_compares_with_the_current_version_and_warns_about_readers(editor_client, live_story):
    page = editor_client.get(restore_url(live_story, oldest(live_story))).content.decode()
    assert "What readers will see" in page
    assert f"This story is live at {live_story.get_absolute_url()}" in page
    assert "<del>Old</del>" in page and "<ins>New</ins>" in page
    assert "Also restore" in page and "Now (kept)" in page


def test_restoring_a_draft_status_goes_through_the_workflow_and_says_readers_lose_the_story(editor_client, live_story):
    response = editor_client.post(restore_url(live_story, oldest(live_story)), {"also": ["status"]}, follow=True)
    live_story.refresh_from_db()
    assert live_story.status == Article.Status.REVIEW
    assert "Readers cannot see it." in response.content.decode()


def test_compare_shows_two_versions_side_by_side_with_a_word_diff(editor_client, live_story):
    first, second = live_story.history.order_by("history_date", "history_id")
    url = reverse("admin:articles_article_history_compare", args=[live_story.pk])
    page = editor_client.get(url, {"a": second.history_id, "b": first.history_id}).content.decode()
    assert "<del>Old</del>" in page and "<ins>New</ins>" in page
    assert "flood, river" in page  # tags of the newer version
    assert "Publishing" in page and "old-headline" in page


@pytest.mark.parametrize("value", ["nope", "999999"])
def test_compare_with_an_unknown_version_is_a_404(editor_client, live_story, value):
    url = reverse("admin:articles_article_history_compare", args=[live_story.pk])
    assert editor_client.get(url, {"a": value}).status_code == 404


def test_another_writer_cannot_compare_or_restore(other_writer_client, writer):
    article = ArticleFactory.draft(created_by=writer)
    url = reverse("admin:articles_article_history_compare", args=[article.pk])
    assert other_writer_client.get(url).status_code == 404
    assert other_writer_client.post(restore_url(article, oldest(article)), {}).status_code == 403


def test_word_diff_marks_changed_words_and_escapes_html():
    old, new = word_diff("The <b>cat</b> sat", "The <b>dog</b> sat")
    assert "&lt;b&gt;" in old and "<b>" not in old
    assert "<del>" in old and "<ins>" in new


def test_comparing_two_long_bodies_is_quick():
    """Matching spaces and common words one by one took seconds for a 2,000-word body."""
    words = [f"word{number % 300}" if number % 7 else "the" for number in range(2000)]
    paragraphs = lambda ws: "\n\n".join(" ".join(ws[i : i + 60]) for i in range(0, len(ws), 60))  # noqa: E731
    changed = [word if number % 20 else "changed" for number, word in enumerate(words)]
    started = time.perf_counter()
    old, new = word_diff(paragraphs(words), paragraphs(changed))
    assert time.perf_counter() - started < 2
    assert old.count("<del>") == new.count("<ins>") == 100


def test_history_lists_status_changes_corrections_and_change_notes_with_who(editor_client, editor, live_story):
    data = article_post_data(live_story, change_note="Fixed the mayor's name")
    data.update(inline_management("corrections", total=1))
    data.update({"corrections-0-kind": "correction", "corrections-0-note": "The mayor is Ann Lee."})
    data.update({"corrections-0-noted_at_0": "2026-01-05", "corrections-0-noted_at_1": "10:00:00"})
    assert editor_client.post(reverse("admin:articles_article_change", args=[live_story.pk]), data).status_code == 302
    page = editor_client.get(history_url(live_story)).content.decode()
    assert "Status: In review → Published" in page
    assert "Correction added: “The mayor is Ann Lee.”" in page
    assert "Fixed the mayor&#x27;s name" in page
    assert "Edith" in page or editor.username in page


def test_the_history_page_makes_the_same_queries_for_few_and_many_versions(editor_client, editor):
    article = ArticleFactory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(history_url(article)).status_code == 200
        return len(captured)

    for number in range(2):
        article.headline = f"Headline {number}"
        article.save_revision(by=editor)
    few = queries()
    for number in range(20):
        article.headline = f"Headline {number + 10}"
        article.save_revision(by=editor)
    assert queries() == few


def test_a_restore_reaches_cached_pages_and_search(
    client, editor_client, live_story, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_ENABLED = True
    address = live_story.get_absolute_url()
    assert "New headline" in client.get(address).content.decode()  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(restore_url(live_story, oldest(live_story)), {})
    assert "Old headline" in client.get(address).content.decode()
    settings.PAGE_CACHE_ENABLED = False
    results = client.get(reverse("articles:search"), {"q": "Old headline"}).content.decode()
    assert address in results
