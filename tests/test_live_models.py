"""Live coverage: who may start it and post to it, and what an update keeps."""

import pytest
from django.core.exceptions import PermissionDenied

from articles import live, permissions
from articles.live import UPDATES_PER_PAGE, reader_stream

from .factories import ArticleFactory
from .live_helpers import live_story, post

pytestmark = pytest.mark.django_db


def test_only_editors_may_start_and_end_live_coverage(writer, editor):
    article = ArticleFactory(bylines=[writer.author])
    with pytest.raises(PermissionDenied):
        live.start_live(article, by=writer)
    live.start_live(article, by=editor)
    article.refresh_from_db()
    assert article.is_live and article.live_started_at is not None
    with pytest.raises(PermissionDenied):
        live.end_live(article, by=writer)
    live.end_live(article, by=editor)
    article.refresh_from_db()
    assert not article.is_live and article.has_live_updates and article.live_ended_at is not None


def test_starting_and_ending_are_recorded_in_the_article_history(editor):
    article = ArticleFactory()
    live.start_live(article, by=editor)
    live.end_live(article, by=editor)
    reasons = list(article.history.order_by("-history_id").values_list("history_change_reason", "history_user"))
    assert reasons[:2] == [("Live coverage ended", editor.pk), ("Live coverage started", editor.pk)]


def test_a_writer_may_not_post_unless_an_editor_allowed_it_on_that_story(writer, other_writer, editor):
    article = live_story(bylines=[writer.author])
    assert not permissions.can_post_update(writer, article)
    with pytest.raises(PermissionDenied):
        live.post_update(article, by=writer, body="Turnout is high.")
    article.live_writers_may_post = True
    article.save()
    assert permissions.can_post_update(writer, article)
    assert permissions.can_post_update(other_writer, article)
    assert not permissions.can_post_update(writer, ArticleFactory(live_started_at=None, live_writers_may_post=True))
    update = live.post_update(article, by=writer, body="Turnout is high.")
    assert update.author == writer.author and update.posted_by == writer


def test_editors_post_on_any_live_story_and_edit_any_update(writer, editor):
    article = live_story()
    assert permissions.can_post_update(editor, article)
    assert permissions.can_edit_updates(editor) and not permissions.can_edit_updates(writer)
    ended = live_story(live_ended_at=article.live_started_at)
    assert not permissions.can_post_update(editor, ended)


def test_an_update_body_is_rendered_and_sanitized_on_save_like_an_article_body():
    update = post(live_story(), body="**Counted**: 40%.\n\n<script>window.__xss=1</script>")
    assert "<strong>Counted</strong>" in update.body_html
    assert "<script" not in update.body_html


def test_editing_an_update_keeps_its_history(editor):
    update = live.post_update(live_story(), by=editor, body="First count.")
    update.body = "First count, corrected."
    update._history_user = editor
    update.save()
    bodies = list(update.history.order_by("history_id").values_list("body", "history_user"))
    assert bodies == [("First count.", editor.pk), ("First count, corrected.", editor.pk)]


def test_readers_get_pinned_updates_first_then_the_newest_and_older_ones_by_cursor():
    article = live_story()
    old = post(article, minutes_ago=20)
    pinned = post(article, minutes_ago=30, pinned=True)
    new = post(article, minutes_ago=1, key_point=True)
    stream = reader_stream(article, {})
    assert stream.updates == [pinned, new, old] and stream.key_points == [new] and stream.latest == new.pk
    for number in range(UPDATES_PER_PAGE - 1):
        post(article, minutes_ago=10, body=f"Update {number}")
    first = reader_stream(article, {})
    assert len(first.updates) == UPDATES_PER_PAGE + 1 and first.page.older
    older = reader_stream(article, {"before": first.page.older})
    assert older.updates == [old] and older.pinned == [] and older.key_points == []
