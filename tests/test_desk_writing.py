"""The writing desk on the article form: preview, autosave, uploads, focal point, publishing buttons, bug 3."""

import io
import json
import os
import re
from datetime import timedelta

import html5lib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.admin.desk import when_text
from articles.admin.forms import pending_name
from articles.models import Article, ArticleDraft, ArticleImage
from articles.rendering import render_body

from .admin_forms import article_post_data
from .factories import ArticleFactory, SectionFactory, image_bytes, image_file
from .xss_payloads import PAYLOADS, assert_inert_html

PREVIEW_URL = reverse("admin:articles_desk_preview")
AUTOSAVE_URL = reverse("admin:articles_desk_autosave")
ADD_URL = reverse("admin:articles_article_add")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def own_draft(user, **kwargs):
    return ArticleFactory.draft(created_by=user, bylines=[user.author], **kwargs)


def exif_photo(name="boats.jpg", size=(640, 400), color=(40, 90, 160)):
    exif = Image.Exif()
    exif[0x010E] = "Boats at dawn on the estuary"
    exif[0x013B] = "Ann Photographer"
    exif[0x8298] = "Harbour Agency"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    return SimpleUploadedFile(name, image_bytes(size=size, color=color, exif=exif.tobytes()), "image/jpeg")


def canonical(html):
    """HTML with its attributes in one order (the sanitizer may write them in any)."""
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return html5lib.serialize(fragment, tree="etree", alphabetical_attributes=True, omit_optional_tags=False)


def preview_body(response):
    html = response.json()["html"]
    return canonical(re.search(r'<div class="article-body">(.*)</div></article>', html, re.DOTALL).group(1))


# The preview


@pytest.mark.parametrize(("name", "payload"), PAYLOADS, ids=[name for name, _ in PAYLOADS])
def test_the_preview_sanitizes_hostile_text_exactly_as_the_published_page(writer_client, writer, name, payload):
    article = own_draft(writer, body=payload)
    response = writer_client.post(PREVIEW_URL, {"article": article.pk, "headline": payload, "body": payload})
    assert response.status_code == 200
    assert preview_body(response) == canonical(article.body_html) == canonical(render_body(payload))
    assert_inert_html(response.json()["html"])


def test_the_preview_places_body_images_and_embeds_as_readers_get_them(writer_client, writer):
    article = own_draft(writer)
    ArticleImage.objects.create(article=article, image=image_file(), alt="A heron")
    body = 'Intro.\n\n[[image:1]]\n\n<iframe src="https://www.youtube-nocookie.com/embed/abc123"></iframe>\n'
    response = writer_client.post(PREVIEW_URL, {"article": article.pk, "body": body})
    html = response.json()["html"]
    assert '<figure class="body-image">' in html and 'alt="A heron"' in html
    assert 'src="https://www.youtube-nocookie.com/embed/abc123"' in html
    assert preview_body(response) == canonical(render_body(body, article.images.all()))


def test_the_preview_counts_words_and_reading_time(writer_client):
    response = writer_client.post(PREVIEW_URL, {"body": "word " * 460})
    assert response.json()["words"] == 460
    assert response.json()["minutes"] == 2


def test_the_preview_escapes_the_headline_and_standfirst(writer_client):
    response = writer_client.post(PREVIEW_URL, {"headline": "<b>Bold</b> & co", "standfirst": "<i>x</i>"})
    html = response.json()["html"]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html and "&lt;i&gt;x&lt;/i&gt;" in html


def test_the_preview_is_for_those_who_may_edit_the_article(client_for, writer):
    article = own_draft(writer)
    assert client_for("other_writer").post(PREVIEW_URL, {"article": article.pk, "body": "x"}).status_code == 404
    assert client_for("editor").post(PREVIEW_URL, {"article": article.pk, "body": "x"}).status_code == 200
    anonymous = client_for("anonymous").post(PREVIEW_URL, {"body": "x"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for("writer").get(PREVIEW_URL).status_code == 405
    assert client_for("writer").post(PREVIEW_URL, {"article": "nope", "body": "x"}).status_code == 404


def test_the_preview_needs_the_csrf_token(writer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.post(PREVIEW_URL, {"body": "x"}).status_code == 403


def test_the_preview_refuses_an_enormous_body_clearly(writer_client):
    response = writer_client.post(PREVIEW_URL, {"body": "x" * 200_001})
    assert response.status_code == 413 and "longer than" in response.json()["error"]


# Autosave


def test_an_autosave_keeps_the_text_apart_without_a_history_row(writer_client, writer):
    article = own_draft(writer)
    before = article.history.count(), Article.objects.values().get(pk=article.pk)
    for word in ("one", "one two", "one two three"):
        response = writer_client.post(
            AUTOSAVE_URL, {"article": article.pk, "headline": "New", "body": word, "revision_seen": 1}
        )
        assert response.status_code == 200 and response.json()["warning"] == ""
    assert (article.history.count(), Article.objects.values().get(pk=article.pk)) == before
    draft = ArticleDraft.objects.get(article=article, user=writer)
    assert (draft.headline, draft.body, draft.revision) == ("New", "one two three", 1)


def test_an_autosave_of_a_live_story_never_changes_what_readers_see(editor_client, client):
    article = ArticleFactory(body="The live text.")
    row = Article.objects.values().get(pk=article.pk)
    editor_client.post(AUTOSAVE_URL, {"article": article.pk, "headline": "Changed", "body": "Half-typed"})
    assert Article.objects.values().get(pk=article.pk) == row
    assert article.history.count() == 1
    page = client.get(article.get_absolute_url()).content.decode()
    assert "The live text." in page and "Half-typed" not in page


def test_the_autosaved_text_comes_back_into_the_form_and_can_be_discarded(editor_client, editor):
    article = ArticleFactory(body="The live text.")
    editor_client.post(AUTOSAVE_URL, {"article": article.pk, "headline": article.headline, "body": "Typed later"})
    html = editor_client.get(change_url(article)).content.decode()
    assert 'id="desk-restored"' in html
    assert re.search(r'<textarea name="body"[^>]*>\s*Typed later</textarea>', html)
    response = editor_client.post(reverse("admin:articles_desk_discard"), {"article": article.pk})
    assert response.status_code == 302 and response["Location"] == change_url(article)
    assert not ArticleDraft.objects.exists()
    assert "Typed later" not in editor_client.get(change_url(article)).content.decode()


def test_a_new_story_is_autosaved_and_offered_on_the_add_page(writer_client, writer):
    writer_client.post(AUTOSAVE_URL, {"headline": "Not saved yet", "body": "Draft words"})
    html = writer_client.get(ADD_URL).content.decode()
    assert "Not saved yet</textarea>" in html and "Draft words" in html
    writer_client.post(ADD_URL, article_post_data(headline="Not saved yet", _action="save"))
    assert not ArticleDraft.objects.filter(user=writer).exists()


def test_saving_the_form_removes_the_autosave(writer_client, writer):
    article = own_draft(writer)
    writer_client.post(AUTOSAVE_URL, {"article": article.pk, "body": "typed"})
    writer_client.post(change_url(article), article_post_data(article, body="typed", revision_seen=1, _action="save"))
    assert Article.objects.get(pk=article.pk).body == "typed"
    assert not ArticleDraft.objects.exists()


def test_autosave_tells_an_editor_someone_else_saved_or_is_typing(client_for, editor):
    article = ArticleFactory.draft()
    client_for("admin").post(AUTOSAVE_URL, {"article": article.pk, "body": "admin typing"})
    reply = client_for("editor").post(AUTOSAVE_URL, {"article": article.pk, "body": "x", "revision_seen": 1}).json()
    assert "also typing" in reply["warning"]
    article.headline = "Saved by someone"
    article.save_revision(by=editor)
    reply = client_for("admin").post(AUTOSAVE_URL, {"article": article.pk, "body": "y", "revision_seen": 1}).json()
    assert "saved this article" in reply["warning"] and "edith" in reply["warning"]


def test_autosave_is_refused_to_those_who_may_not_edit(client_for, writer):
    live = ArticleFactory(created_by=writer, bylines=[writer.author])
    assert client_for("writer").post(AUTOSAVE_URL, {"article": live.pk, "body": "x"}).status_code == 403
    assert client_for("other_writer").post(AUTOSAVE_URL, {"article": live.pk, "body": "x"}).status_code == 404
    assert not ArticleDraft.objects.exists()


# Images


def test_a_dropped_image_becomes_a_stripped_body_image_with_its_own_defaults(writer_client, writer):
    article = own_draft(writer)
    upload_url = reverse("admin:articles_desk_upload", args=[article.pk])
    response = writer_client.post(upload_url, {"image": exif_photo()})
    assert response.status_code == 201
    reply = response.json()
    assert reply["reference"] == "[[image:1]]"
    assert reply["caption"] == "Boats at dawn on the estuary"
    assert reply["credit"] == "Ann Photographer / Harbour Agency"
    image = ArticleImage.objects.get(article=article)
    with Image.open(image.image.path) as stored:
        assert not stored.getexif() and "exif" not in stored.info
    second = writer_client.post(upload_url, {"image": image_file()}).json()
    assert second["reference"] == "[[image:2]]"
    details = writer_client.post(second["details_url"], {"alt": "Gulls over the quay"}).json()
    assert details["alt"] == "Gulls over the quay" and ArticleImage.objects.get(ref="2").alt == "Gulls over the quay"
    preview = writer_client.post(PREVIEW_URL, {"article": article.pk, "body": "[[image:2]]"})
    assert 'alt="Gulls over the quay"' in preview_body(preview)


def test_a_dropped_file_that_is_not_an_image_is_refused_clearly(writer_client, writer):
    article = own_draft(writer)
    upload_url = reverse("admin:articles_desk_upload", args=[article.pk])
    response = writer_client.post(upload_url, {"image": SimpleUploadedFile("x.jpg", b"not an image")})
    assert response.status_code == 400 and "not an image" in response.json()["error"]
    assert writer_client.post(upload_url, {}).status_code == 400
    assert not ArticleImage.objects.exists()


def test_only_those_who_may_edit_the_article_upload_into_it(client_for, writer):
    article = own_draft(writer)
    upload_url = reverse("admin:articles_desk_upload", args=[article.pk])
    assert client_for("other_writer").post(upload_url, {"image": image_file()}).status_code == 404
    image = ArticleImage.objects.create(article=article, image=image_file(), alt="x")
    details_url = reverse("admin:articles_desk_image", args=[article.pk, image.pk])
    assert client_for("other_writer").post(details_url, {"alt": "hijacked"}).status_code == 404
    assert ArticleImage.objects.get().alt == "x"


def test_the_photo_offers_its_own_caption_and_credit(writer_client):
    response = writer_client.post(reverse("admin:articles_desk_photo_metadata"), {"image": exif_photo()})
    assert response.json() == {"caption": "Boats at dawn on the estuary", "credit": "Ann Photographer / Harbour Agency"}


def test_the_form_shows_thumbnails_of_the_photo_and_every_body_image(editor_client):
    article = ArticleFactory(hero_image=image_file(), hero_alt="River")
    ArticleImage.objects.create(article=article, image=image_file(), alt="Heron")
    html = editor_client.get(change_url(article)).content.decode()
    assert article.hero_400.url in html and 'class="desk-focal"' in html
    assert html.count('class="nr-thumb"') == 1


# Focal point


def split_photo(size=(1200, 400)):
    """Red on the left half, blue on the right."""
    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return SimpleUploadedFile("split.jpg", buffer.getvalue(), "image/jpeg")


def rendition_colour(rendition):
    rendition.generate(force=True)
    with rendition.storage.open(rendition.name) as stored, Image.open(stored) as image:
        return image.size, image.convert("RGB").resize((1, 1)).getpixel((0, 0))


@pytest.mark.parametrize(("focal_x", "dominant"), [(0.95, 2), (0.05, 0)])
def test_every_cropped_rendition_is_cut_around_the_focal_point(focal_x, dominant):
    article = ArticleFactory(hero_image=split_photo(), hero_alt="Split", focal_x=focal_x)
    sizes = {}
    for rendition in (article.hero_card, article.hero_social, article.hero_square):
        size, colour = rendition_colour(rendition)
        sizes[rendition.generator.__class__.__name__] = size
        assert max(range(3), key=lambda channel: colour[channel]) == dominant
    assert sizes == {"Card": (600, 400), "Social": (1200, 630), "Square": (400, 400)}


def test_moving_the_focal_point_makes_new_crops_once_saved(editor_client, django_capture_on_commit_callbacks):
    article = ArticleFactory(hero_image=split_photo(), hero_alt="Split")
    centred = article.hero_square.name
    data = article_post_data(article, hero_alt="Split", focal_x="0.9", focal_y="0.2", revision_seen=1, _action="save")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert not article.hero_square.storage.exists(article.hero_square.name)  # not while the transaction is open
    for callback in callbacks:
        callback()
    article.refresh_from_db()
    assert (article.focal_x, article.focal_y) == (0.9, 0.2)
    assert article.hero_square.name != centred
    assert article.hero_square.storage.exists(article.hero_square.name)


def test_open_graph_uses_the_social_crop(client):
    article = ArticleFactory(hero_image=split_photo(), hero_alt="Split")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="https://news.example.org{article.hero_social.url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html


def test_a_focal_point_outside_the_photo_is_a_form_error(editor_client):
    article = ArticleFactory()
    data = article_post_data(article, focal_x="1.5", revision_seen=1, _action="save")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200 and "less than or equal to 1" in response.content.decode()


# Publishing buttons


def buttons(client, url):
    html = client.get(url).content.decode()
    return re.findall(r'name="_action" value="(\w+)"', html.split('id="desk"')[-1])


def test_each_role_sees_only_its_buttons(client_for, writer):
    assert buttons(client_for("writer"), ADD_URL) == ["save", "submit"]
    assert buttons(client_for("editor"), ADD_URL) == ["save", "submit", "publish", "schedule"]
    review = ArticleFactory.in_review(created_by=writer, bylines=[writer.author])
    assert buttons(client_for("writer"), change_url(review)) == ["save", "draft"]
    assert buttons(client_for("editor"), change_url(review)) == ["save", "draft", "publish", "schedule"]
    live = ArticleFactory()
    assert buttons(client_for("editor"), change_url(live)) == ["save", "unpublish"]
    scheduled = ArticleFactory.scheduled()
    assert buttons(client_for("editor"), change_url(scheduled)) == ["save", "publish", "schedule", "unpublish"]


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_writer_saves_a_draft_and_submits_it_for_review(writer_client, writer):
    section = SectionFactory(slug="news")
    response = writer_client.post(ADD_URL, article_post_data(headline="Otters", section=section.pk, _action="save"))
    article = Article.objects.get(headline="Otters")
    assert response.status_code == 302 and response["Location"] == change_url(article)
    assert article.status == Article.Status.DRAFT
    page = writer_client.get(response["Location"])
    assert "Draft saved. Readers see nothing until it is published." in messages_of(page)
    data = article_post_data(article, revision_seen=article.revision, _action="submit")
    page = writer_client.post(change_url(article), data, follow=True)
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW
    assert "Submitted for review. Readers see nothing until an editor publishes it." in messages_of(page)
    assert article.history.count() == 2


def test_a_writer_cannot_publish_with_a_crafted_button(writer_client, writer):
    article = own_draft(writer)
    for action in ("publish", "schedule"):
        data = article_post_data(article, revision_seen=1, _action=action, schedule_at="2099-01-01T09:00")
        response = writer_client.post(change_url(article), data)
        assert response.status_code == 200 and "Only editors can publish" in response.content.decode()
    data = article_post_data(article, revision_seen=1, status="published")  # the hidden field, tampered
    writer_client.post(change_url(article), {**data, "_action": "save"})
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.published_at is None


def test_an_editor_schedules_and_is_told_when_it_goes_live(editor_client, settings):
    article = ArticleFactory.in_review()
    when = timezone.localtime() + timedelta(hours=2, minutes=1)
    data = article_post_data(article, revision_seen=1, _action="schedule", schedule_at=when.strftime("%Y-%m-%dT%H:%M"))
    page = editor_client.post(change_url(article), data, follow=True)
    article.refresh_from_db()
    assert article.is_scheduled
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") == when.strftime("%Y-%m-%d %H:%M")
    [message] = messages_of(page)
    assert message.startswith(f"Scheduled: goes live {when:%a} {when.day} {when:%b %H:%M} (in 2 hours)")


def test_scheduling_in_the_past_or_without_a_time_is_a_form_error(editor_client):
    article = ArticleFactory.in_review()
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    for value in (past, "", "not a date"):
        data = article_post_data(article, revision_seen=1, _action="schedule", schedule_at=value)
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200 and response.context["adminform"].form.errors["schedule_at"]
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW


def test_an_editor_publishes_now_updates_and_unpublishes(editor_client):
    article = ArticleFactory.in_review()
    page = editor_client.post(
        change_url(article), article_post_data(article, revision_seen=1, _action="publish"), follow=True
    )
    article.refresh_from_db()
    assert article.is_public
    assert messages_of(page) == [f"Published: live now at {article.get_absolute_url()}."]
    data = article_post_data(article, revision_seen=2, body="Updated text.", _action="save")
    page = editor_client.post(change_url(article), data, follow=True)
    assert messages_of(page) == [f"Updated: readers now see this version at {article.get_absolute_url()}."]
    data = article_post_data(Article.objects.get(pk=article.pk), revision_seen=3, _action="unpublish")
    page = editor_client.post(change_url(article), data, follow=True)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    assert "readers now get “not found” (404)" in messages_of(page)[0]
    assert editor_client.get(article.get_absolute_url()).status_code == 404


def test_publishing_an_incomplete_story_is_a_form_error_not_a_crash(editor_client):
    article = ArticleFactory.in_review(section=None)
    response = editor_client.post(change_url(article), article_post_data(article, revision_seen=1, _action="publish"))
    assert response.status_code == 200
    assert "needs a section before it is published" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW


def test_when_text_reads_like_a_newsroom_clock():
    now = timezone.now()
    assert when_text(now + timedelta(minutes=30), now).endswith("(in 30 minutes)")
    assert when_text(now + timedelta(hours=2), now).endswith("(in 2 hours)")
    assert when_text(now + timedelta(days=3), now).endswith("(in 3 days)")


# Bug 3: the photo is kept when the form has another error


def test_a_photo_chosen_on_a_form_with_another_error_is_kept(writer_client, writer):
    section = SectionFactory(slug="news")
    data = article_post_data(headline="Kept photo", section=section.pk, _action="save")
    response = writer_client.post(ADD_URL, {**data, "hero_image": image_file()})
    assert response.status_code == 200 and "A photo needs alt text" in response.content.decode()
    html = response.content.decode()
    token = re.search(r'name="hero_image_pending" value="([^"]+)"', html).group(1)
    assert 'class="desk-photo desk-photo-pending"' in html and "/media/pending/" in html
    response = writer_client.post(ADD_URL, {**data, "hero_alt": "A river", "hero_image_pending": token})
    assert response.status_code == 302
    article = Article.objects.get(headline="Kept photo")
    assert article.hero_image and article.hero_width == 640
    assert pending_name(token, writer) is None  # the kept copy is gone once saved


def test_a_pending_photo_token_is_only_good_for_its_own_writer(client_for, writer):
    section = SectionFactory(slug="news")
    data = article_post_data(headline="Kept photo", section=section.pk, _action="save")
    response = client_for("writer").post(ADD_URL, {**data, "hero_image": image_file()})
    token = re.search(r'name="hero_image_pending" value="([^"]+)"', response.content.decode()).group(1)
    other = {**data, "headline": "Stolen", "hero_alt": "x", "hero_image_pending": token}
    assert client_for("other_writer").post(ADD_URL, other).status_code == 302
    assert not Article.objects.get(headline="Stolen").hero_image
    forged = {**data, "headline": "Forged", "hero_alt": "x", "hero_image_pending": token[:-2] + "xx"}
    client_for("writer").post(ADD_URL, forged)
    assert not Article.objects.get(headline="Forged").hero_image


def test_the_json_of_an_upload_names_what_the_script_needs(writer_client, writer):
    article = own_draft(writer)
    reply = writer_client.post(reverse("admin:articles_desk_upload", args=[article.pk]), {"image": image_file()})
    assert set(json.loads(reply.content)) == {
        "id",
        "ref",
        "reference",
        "thumbnail",
        "alt",
        "caption",
        "credit",
        "details_url",
    }


def test_a_writer_submits_a_new_story_for_review_in_one_step(writer_client, writer):
    section = SectionFactory(slug="news")
    data = article_post_data(headline="Straight to review", section=section.pk, _action="submit")
    assert writer_client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get(headline="Straight to review")
    assert article.status == Article.Status.REVIEW and article.created_by == writer


def test_the_headline_field_wraps_to_show_it_all_and_saves_as_one_line(writer_client, writer):
    html = writer_client.get(ADD_URL).content.decode()
    assert re.search(r'<textarea name="headline"[^>]*class="desk-headline"', html)
    section = SectionFactory(slug="news")
    data = article_post_data(headline="Two\r\nlines  typed", section=section.pk, _action="save")
    writer_client.post(ADD_URL, data)
    assert Article.objects.get().headline == "Two lines typed"


def test_images_dropped_into_a_story_not_saved_yet_are_placed_when_it_is_saved(writer_client, writer):
    upload_new = reverse("admin:articles_desk_upload_new")
    first = writer_client.post(upload_new, {"image": exif_photo()})
    assert first.status_code == 201 and first.json()["credit"] == "Ann Photographer / Harbour Agency"
    second = writer_client.post(upload_new, {"image": image_file()}).json()
    tokens = [first.json()["token"], second["token"]]
    body = "Intro.\n\n[[image:1]]\n\nMiddle.\n\n[[image:2]]\n"
    images = {"desk_new_image": tokens, "desk_new_image-1-alt": "Boats", "desk_new_image-2-alt": "Gulls"}
    preview = writer_client.post(PREVIEW_URL, {"body": body, **images})
    assert 'alt="Boats"' in preview.json()["html"] and 'alt="Gulls"' in preview.json()["html"]
    section = SectionFactory(slug="news")
    data = article_post_data(headline="Dropped early", body=body, section=section.pk, _action="submit")
    response = writer_client.post(ADD_URL, {**data, **images, "hero_alt": "", "hero_image": image_file()})
    assert response.status_code == 200  # the photo has no alt text: the dropped images must still be there
    html = response.content.decode()
    assert html.count('name="desk_new_image"') == 2 and 'value="Gulls"' in html
    response = writer_client.post(ADD_URL, {**data, **images})
    assert response.status_code == 302
    article = Article.objects.get(headline="Dropped early")
    assert [(image.ref, image.alt) for image in article.images.all()] == [("1", "Boats"), ("2", "Gulls")]
    assert article.body_html.count('<figure class="body-image">') == 2
    assert [pending_name(token, writer) for token in tokens] == [None, None]  # the pending copies are gone


def test_another_writers_dropped_image_token_is_ignored(client_for, writer):
    token = client_for("writer").post(reverse("admin:articles_desk_upload_new"), {"image": image_file()}).json()
    section = SectionFactory(slug="news")
    data = article_post_data(headline="Not mine", section=section.pk, _action="save")
    client_for("other_writer").post(ADD_URL, {**data, "desk_new_image": token["token"], "desk_new_image-1-alt": "x"})
    assert not Article.objects.get(headline="Not mine").images.exists()


def test_a_description_the_camera_wrote_by_itself_is_not_offered_as_a_caption(writer_client):
    exif = Image.Exif()
    exif[0x010E] = "OLYMPUS DIGITAL CAMERA         "
    photo = SimpleUploadedFile("p.jpg", image_bytes(exif=exif.tobytes()), "image/jpeg")
    response = writer_client.post(reverse("admin:articles_desk_photo_metadata"), {"image": photo})
    assert response.json() == {"caption": "", "credit": ""}


def test_kept_uploads_older_than_a_day_are_cleared_when_another_is_kept(writer, media_root):
    from django.core.files.storage import default_storage

    from articles.admin.forms import store_pending

    old = pending_name(store_pending(image_file(), writer), writer)
    stale = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (stale, stale))
    fresh = pending_name(store_pending(image_file(), writer), writer)
    assert not default_storage.exists(old) and default_storage.exists(fresh)


def test_cards_show_the_3_2_crop_around_the_focal_point(client):
    article = ArticleFactory(hero_image=split_photo(), hero_alt="Split", focal_x=0.9)
    html = client.get("/").content.decode()
    assert f"{article.hero_card.url} 600w, {article.hero_card_1200.url} 1200w" in html
    assert re.search(r'<img src="[^"]+"\s+alt="[^"]*" width="600" height="400"', html)


def test_the_crops_of_a_new_photo_are_made_after_the_save_commits(editor_client, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    data = article_post_data(article, hero_alt="A heron", revision_seen=1, _action="save")
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(article), {**data, "hero_image": image_file(size=(900, 600))})
    article.refresh_from_db()
    for rendition in (article.hero_card, article.hero_card_1200, article.hero_social, article.hero_square):
        assert rendition.storage.exists(rendition.name), rendition.name


def test_a_writer_reads_their_published_story_without_buttons_or_autosave(writer_client, writer):
    article = ArticleFactory(created_by=writer, bylines=[writer.author])
    response = writer_client.get(change_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_action"' not in html and '<textarea name="body"' not in html


def test_the_history_version_page_still_renders_with_the_desk_form(editor_client, editor):
    article = ArticleFactory()
    article.headline = "Changed"
    article.save_revision(by=editor)
    version = article.history.order_by("history_date").first()
    url = reverse("admin:articles_article_simple_history", args=[article.pk, version.history_id])
    assert editor_client.get(url).status_code == 200


def test_images_dropped_into_a_new_story_come_back_with_its_autosaved_text(writer_client, writer):
    token = writer_client.post(reverse("admin:articles_desk_upload_new"), {"image": image_file()}).json()["token"]
    fields = {"headline": "Unsaved", "body": "[[image:1]]", "desk_new_image": token, "desk_new_image-1-alt": "Gulls"}
    writer_client.post(AUTOSAVE_URL, fields)
    html = writer_client.get(ADD_URL).content.decode()
    assert f'name="desk_new_image" value="{token}"' in html and 'value="Gulls"' in html
    assert "[[image:1]]</textarea>" in html
