"""The three roles, enforced on the server: writers, editors and site admins."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article, Section

from .admin_forms import article_post_data
from .factories import ArticleFactory, AuthorFactory, SectionFactory, image_file

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def own_article(user, **kwargs):
    article = ArticleFactory.draft(bylines=[user.author], **kwargs)
    article.created_by = user
    article.save()
    return article


# Writers


def test_writer_creates_a_draft_with_their_own_byline(writer_client, writer):
    section = SectionFactory(name="News", slug="news")
    response = writer_client.post(ADD_URL, article_post_data(headline="Writer's story", section=section.pk))
    assert response.status_code == 302, response.content
    article = Article.objects.get(headline="Writer's story")
    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer
    assert [a.name for a in article.byline_authors] == ["Wendy Writer"]


def test_writer_submits_for_review(writer_client, writer):
    article = own_article(writer)
    response = writer_client.post(change_url(article), article_post_data(article, status="review"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_writer_cannot_publish_with_a_crafted_post(writer_client, writer):
    article = own_article(writer)
    response = writer_client.post(change_url(article), article_post_data(article, status="published"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_writer_cannot_publish_a_new_article_with_a_crafted_post(writer_client):
    section = SectionFactory()
    writer_client.post(ADD_URL, article_post_data(status="published", section=section.pk, headline="Sneaky"))
    assert not Article.objects.filter(status=Article.Status.PUBLISHED, headline="Sneaky").exists()


def test_writer_cannot_feature_or_schedule_through_posted_fields(writer_client, writer):
    """The form is valid and saves; the fields only editors may set are ignored."""
    article = own_article(writer)
    data = article_post_data(
        article, headline="Edited by the writer", featured="on", published_at_0="2030-01-01", published_at_1="09:00:00"
    )
    response = writer_client.post(change_url(article), data)
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert article.headline == "Edited by the writer"
    assert not article.featured
    assert article.published_at is None


def test_writer_cannot_open_or_edit_another_writers_article(writer_client, other_writer):
    theirs = own_article(other_writer)
    assert writer_client.get(change_url(theirs)).status_code == 302  # admin: "doesn't exist", back to list
    response = writer_client.post(change_url(theirs), article_post_data(theirs, headline="Hijacked"))
    theirs.refresh_from_db()
    assert theirs.headline != "Hijacked"
    assert response.status_code in (302, 403, 404)
    assert theirs.headline not in writer_client.get(CHANGELIST).content.decode()


def test_writer_cannot_edit_their_article_once_published(writer_client, writer):
    article = own_article(writer)
    article.status = Article.Status.PUBLISHED
    article.save()
    response = writer_client.post(change_url(article), article_post_data(article, headline="Changed after"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline != "Changed after"


def test_writer_bulk_actions_cannot_publish_or_delete(writer_client, writer):
    article = own_article(writer)
    for action in ("publish_now", "feature", "delete_selected", "unpublish"):
        writer_client.post(CHANGELIST, {"action": action, "_selected_action": [article.pk], "post": "yes"})
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        assert not article.featured
    assert Article.objects.filter(pk=article.pk).exists()


def test_writer_cannot_preview_another_writers_draft(writer_client, other_writer):
    theirs = own_article(other_writer)
    response = writer_client.get(reverse("admin:articles_article_preview", args=[theirs.pk]))
    assert response.status_code == 404


def test_writer_cannot_manage_sections_or_accounts(writer_client):
    assert writer_client.get(reverse("admin:articles_section_add")).status_code == 403
    assert writer_client.post(reverse("admin:articles_section_add"), {"name": "X", "slug": "x"}).status_code == 403
    assert not Section.objects.filter(slug="x").exists()
    assert writer_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_writer_cannot_revert_a_published_article_through_history(writer_client, writer):
    article = own_article(writer, headline="Draft headline")
    article.status = Article.Status.PUBLISHED
    article.headline = "Published headline"
    article.save()
    draft_version = article.history.earliest()
    url = reverse("admin:articles_article_simple_history", args=[article.pk, draft_version.history_id])
    response = writer_client.post(url, article_post_data(article, headline="Draft headline", status="draft"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


# Editors


def test_editor_publishes_and_schedules(editor_client, other_writer):
    article = own_article(other_writer)
    article.status = Article.Status.REVIEW
    article.save()
    response = editor_client.post(change_url(article), article_post_data(article, status="published"))
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert article.is_public


def test_editor_cannot_publish_without_a_body(editor_client, other_writer):
    article = own_article(other_writer, body="")
    response = editor_client.post(change_url(article), article_post_data(article, status="published"))
    assert response.status_code == 200
    assert "needs a body before it is published" in response.content.decode()


def test_editor_bulk_publishes_unpublishes_and_features(editor_client, other_writer):
    ready = own_article(other_writer)
    empty = own_article(other_writer, body="")
    editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [ready.pk, empty.pk]})
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.status == Article.Status.PUBLISHED
    assert empty.status == Article.Status.DRAFT
    editor_client.post(CHANGELIST, {"action": "feature", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.featured
    editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.status == Article.Status.DRAFT


def test_editor_restores_an_earlier_version(editor_client, editor):
    article = ArticleFactory(headline="First headline", bylines=[editor.author])
    article.headline = "Second headline"
    article.save()
    first = article.history.earliest()
    url = reverse("admin:articles_article_simple_history", args=[article.pk, first.history_id])
    assert "First headline" in editor_client.get(url).content.decode()
    response = editor_client.post(url, article_post_data(article, headline="First headline"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "First headline"
    history_page = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history_page.status_code == 200


def test_editor_adds_a_correction_note(editor_client, editor):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article)
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-note": "We misspelled the name.",
            "corrections-0-noted_at_0": "2026-01-05",
            "corrections-0-noted_at_1": "10:00:00",
        }
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, response.content
    assert article.corrections.get().note == "We misspelled the name."


def test_upload_without_alt_text_is_a_form_error(editor_client, editor):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article)
    data["hero_image"] = image_file()
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "A photo needs alt text" in response.content.decode()


def test_a_disguised_file_upload_is_a_clear_form_error(editor_client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article, hero_alt="Alt")
    data["hero_image"] = SimpleUploadedFile("cat.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "This file is not an image" in response.content.decode()


def test_an_upload_is_stored_under_a_server_name_with_renditions(editor_client, editor, media_root):
    article = ArticleFactory(bylines=[editor.author])
    data = article_post_data(article, hero_alt="A river at dusk")
    data["hero_image"] = image_file(name="IMG_0001.jpg", size=(1600, 900))
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert "IMG_0001" not in article.hero_image.name
    assert (article.hero_width, article.hero_height) == (1600, 900)
    assert article.hero_800.url.endswith(".webp")
    assert (media_root / article.hero_800.name).exists()


# Site admins


def test_site_admin_manages_sections_and_authors(admin_client_):
    response = admin_client_.post(
        reverse("admin:articles_section_add"),
        {"name": "Opinion", "slug": "opinion", "nav_order": "5", "description": ""},
    )
    assert response.status_code == 302
    assert Section.objects.filter(slug="opinion").exists()
    response = admin_client_.post(reverse("admin:articles_author_add"), {"name": "Newsdesk", "slug": "newsdesk"})
    assert response.status_code == 302


def test_editor_cannot_manage_sections(editor_client):
    assert editor_client.get(reverse("admin:articles_section_add")).status_code == 403


# Lists and the overview


def test_article_list_shows_state_and_scheduled_time(editor_client):
    ArticleFactory.scheduled(headline="Tomorrow's story")
    ArticleFactory.in_review(headline="Waiting story")
    response = editor_client.get(CHANGELIST)
    content = response.content.decode()
    assert "Scheduled" in content and "Tomorrow&#x27;s story" in content
    assert "In review" in content


def test_article_list_filters_and_search(editor_client):
    sport = SectionFactory(name="Sport", slug="sport")
    reporter = AuthorFactory(name="Rita Reporter")
    flooding = ArticleFactory(headline="River flooding story", tags=["flooding"], bylines=[reporter])
    ArticleFactory(headline="Budget story", featured=True)
    ArticleFactory(headline="Match report", section=sport)
    ArticleFactory.draft(headline="Unfinished draft")
    ArticleFactory.in_review(headline="Story in review")
    ArticleFactory.scheduled(headline="Tomorrow's story")
    everything = {"River flooding story", "Budget story", "Match report", "Unfinished draft", "Story in review",
                  "Tomorrow's story"}  # fmt: skip
    expected = [
        ({}, everything),
        ({"q": "flooding"}, {"River flooding story"}),
        ({"state": "draft"}, {"Unfinished draft"}),
        ({"state": "review"}, {"Story in review"}),
        ({"state": "scheduled"}, {"Tomorrow's story"}),
        ({"state": "live"}, {"River flooding story", "Budget story", "Match report"}),
        ({"featured__exact": "1"}, {"Budget story"}),
        ({"section__id__exact": str(sport.pk)}, {"Match report"}),
        ({"tags__id__exact": str(flooding.tags.get().pk)}, {"River flooding story"}),
        ({"bylines__author__id__exact": str(reporter.pk)}, {"River flooding story"}),
    ]
    for params, headlines in expected:
        response = editor_client.get(CHANGELIST, params)
        assert {article.headline for article in response.context["cl"].result_list} == headlines, params
        html = response.content.decode()
        for headline in everything:
            assert (escape(headline) in html) is (headline in headlines), (params, headline)


def test_article_list_query_count_does_not_grow(editor_client, django_assert_max_num_queries):
    authors = [AuthorFactory() for _ in range(3)]
    ArticleFactory.create_batch(3, bylines=authors)
    with django_assert_max_num_queries(20) as small:
        editor_client.get(CHANGELIST)
    ArticleFactory.create_batch(30, bylines=authors)
    with django_assert_max_num_queries(len(small.captured_queries)):
        editor_client.get(CHANGELIST)


def test_overview_shows_review_scheduled_and_recent(editor_client):
    ArticleFactory.in_review(headline="Needs a look")
    ArticleFactory.scheduled(headline="Goes out tomorrow")
    ArticleFactory(headline="Went out today")
    content = editor_client.get(reverse("admin:index")).content.decode()
    assert "Needs a look" in content and "Goes out tomorrow" in content and "Went out today" in content


def test_preview_shows_a_draft_to_staff_only_and_is_never_cached(editor_client, client):
    draft = ArticleFactory.draft(headline="Secret draft")
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "Secret draft" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]


def test_tag_suggestions_for_the_tags_field(editor_client):
    ArticleFactory(tags=["Flooding", "Floods", "Budget"])
    response = editor_client.get(reverse("admin:articles_tag_suggestions"), {"q": "flo"})
    assert response.json()["results"] == ["Flooding", "Floods"]
