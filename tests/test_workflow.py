"""The publishing workflow: Article.transition() and Article.save_revision(), through the model and the admin."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.workflow import Visibility, next_scheduled_publish

from .admin_forms import article_post_data
from .factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def own_draft(user, **kwargs):
    article = ArticleFactory.draft(bylines=[user.author], **kwargs)
    article.created_by = user
    article.save()
    return article


def latest_history(article):
    return article.history.order_by("-history_date", "-history_id").first()


# Through the model


def test_an_editor_publishes_now_and_readers_see_it_live(editor, writer):
    article = own_draft(writer)
    assert article.transition(to=Article.Status.PUBLISHED, by=editor) == Visibility.LIVE
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None and article.published_at <= timezone.now()
    assert article.is_public


def test_publishing_with_a_future_time_schedules(editor, writer):
    later = timezone.now() + timedelta(days=2)
    article = own_draft(writer)
    article.published_at = later
    assert article.transition(to=Article.Status.PUBLISHED, by=editor) == "scheduled"
    article.refresh_from_db()
    assert article.published_at == later
    assert next_scheduled_publish() == later


def test_unpublishing_says_the_article_is_no_longer_public(editor):
    article = ArticleFactory()
    assert article.transition(to=Article.Status.DRAFT, by=editor) == "not public"
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_a_writer_cannot_publish(writer):
    article = own_draft(writer)
    with pytest.raises(PermissionDenied):
        article.transition(to=Article.Status.PUBLISHED, by=writer)
    assert article.status == Article.Status.DRAFT
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_a_writer_cannot_unpublish_their_own_published_article(writer):
    article = ArticleFactory(bylines=[writer.author])
    with pytest.raises(PermissionDenied):
        article.transition(to=Article.Status.DRAFT, by=writer)
    assert Article.objects.get(pk=article.pk).is_public


def test_a_writer_submits_their_own_draft_but_not_another_writers(writer, other_writer):
    mine, theirs = own_draft(writer), own_draft(other_writer)
    assert mine.transition(to=Article.Status.REVIEW, by=writer) == Visibility.NOT_PUBLIC
    assert Article.objects.get(pk=mine.pk).status == Article.Status.REVIEW
    with pytest.raises(PermissionDenied):
        theirs.transition(to=Article.Status.REVIEW, by=writer)
    assert Article.objects.get(pk=theirs.pk).status == Article.Status.DRAFT


def test_publishing_without_a_body_or_section_is_refused_with_the_reasons(editor, writer):
    article = own_draft(writer, body="  ", section=None)
    revision = article.revision
    with pytest.raises(ValidationError) as refused:
        article.transition(to=Article.Status.PUBLISHED, by=editor)
    assert {"body", "section"} <= set(refused.value.message_dict)
    assert "An article needs a body before it is published." in refused.value.messages
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert article.revision == revision
    saved = Article.objects.get(pk=article.pk)
    assert (saved.status, saved.revision) == (Article.Status.DRAFT, revision)


def test_a_transition_bumps_the_revision_and_records_the_user_and_the_note(editor, writer):
    article = own_draft(writer)
    revision = article.revision
    article.transition(to=Article.Status.PUBLISHED, by=editor, note="Checked with the lawyer")
    assert Article.objects.get(pk=article.pk).revision == revision + 1
    record = latest_history(article)
    assert record.history_user == editor
    assert record.history_change_reason == "Checked with the lawyer"
    assert record.status == Article.Status.PUBLISHED


def test_a_long_note_is_shortened_to_what_the_history_keeps(editor, writer):
    article = own_draft(writer)
    article.transition(to=Article.Status.PUBLISHED, by=editor, note="x" * 300)
    reason = latest_history(article).history_change_reason
    assert len(reason) == 100 and reason.endswith("…")


def test_save_revision_records_an_edit_without_changing_the_status(editor, writer):
    article = own_draft(writer)
    revision = article.revision
    article.headline = "A better headline"
    article.save_revision(by=editor, note="Headline")
    saved = Article.objects.get(pk=article.pk)
    assert (saved.headline, saved.status, saved.revision) == ("A better headline", Article.Status.DRAFT, revision + 1)
    record = latest_history(article)
    assert (record.history_user, record.history_change_reason) == (editor, "Headline")


def test_the_note_is_not_repeated_by_a_later_plain_save(editor, writer):
    article = own_draft(writer)
    article.save_revision(by=editor, note="First note")
    article.save()
    assert latest_history(article).history_change_reason is None


def test_a_new_article_saved_as_a_revision_starts_at_revision_one(editor):
    article = Article(headline="Fresh", body="Text.")
    article.save_revision(by=editor)
    assert Article.objects.get(pk=article.pk).revision == 1
    assert latest_history(article).history_user == editor


def test_save_revision_without_a_user_still_bumps_the_revision(writer):
    """A command-line import has no user; the revision still counts the change."""
    article = own_draft(writer)
    revision = article.revision
    article.save_revision(by=None)
    assert Article.objects.get(pk=article.pk).revision == revision + 1


def test_a_site_admin_may_do_everything(writer):
    admin = UserFactory(username="root", is_superuser=True)
    article = own_draft(writer)
    assert article.transition(to=Article.Status.PUBLISHED, by=admin) == Visibility.LIVE
    assert article.transition(to=Article.Status.DRAFT, by=admin) == Visibility.NOT_PUBLIC


# Through the admin


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_admin_bulk_publish_goes_through_the_workflow(editor_client, editor, writer):
    ready = own_draft(writer)
    revision = ready.revision
    response = editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [ready.pk]}, follow=True)
    assert "1 article(s) published or scheduled." in messages_of(response)
    ready.refresh_from_db()
    assert ready.is_public and ready.revision == revision + 1
    assert latest_history(ready).history_user == editor


def test_admin_bulk_publish_reports_why_an_article_was_refused(editor_client, writer):
    empty = own_draft(writer, body="", headline="Empty story")
    response = editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [empty.pk]}, follow=True)
    shown = messages_of(response)
    assert "0 article(s) published or scheduled." in shown
    assert "Not published: “Empty story”: An article needs a body before it is published." in shown
    assert Article.objects.get(pk=empty.pk).status == Article.Status.DRAFT


def test_admin_submit_unpublish_and_feature_bump_the_revision_and_record_the_user(
    writer_client, writer, editor_client, editor
):
    article = own_draft(writer)
    start = article.revision
    response = writer_client.post(
        CHANGELIST, {"action": "submit_for_review", "_selected_action": [article.pk]}, follow=True
    )
    assert "1 article(s) submitted for review." in messages_of(response)
    assert latest_history(article).history_user == writer
    editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [article.pk]})
    response = editor_client.post(CHANGELIST, {"action": "feature", "_selected_action": [article.pk]}, follow=True)
    assert "1 article(s) updated." in messages_of(response)
    response = editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]}, follow=True)
    assert "1 article(s) unpublished." in messages_of(response)
    article.refresh_from_db()
    assert (article.status, article.featured, article.revision) == (Article.Status.DRAFT, True, start + 4)
    assert latest_history(article).history_user == editor


def test_a_writer_cannot_publish_through_the_admin_action(writer_client, writer):
    article = own_draft(writer)
    writer_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [article.pk]})
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_saving_the_admin_form_is_a_new_revision_by_the_user(editor_client, editor, writer):
    article = own_draft(writer)
    revision = article.revision
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, article_post_data(article, headline="Edited", revision_seen=revision))
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert (article.headline, article.revision) == ("Edited", revision + 1)
    assert latest_history(article).history_user == editor
