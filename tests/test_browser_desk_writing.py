"""The writing desk in headless Chromium, as a writer and an editor, under the site's Content-Security-Policy.

With NEWSROOM_SCREENSHOTS=1 the tests also write the small screenshots in docs/images/ (writing-*.png).
"""

import base64
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from articles.models import Article, ArticleDraft

from .factories import ArticleFactory, SectionFactory, image_bytes
from .test_browser_editorial import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"

WATCH_CSP = """
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
"""

DROP = """async ([data, name]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
  const body = document.getElementById("id_body");
  body.focus();
  body.setSelectionRange(body.value.length, body.value.length);
  body.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


@pytest.fixture
def desk(page):
    """The page, watching for CSP violations and accepting the leave-page question."""
    page.set_viewport_size({"width": 1400, "height": 900})
    page.add_init_script(WATCH_CSP)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    assert page.evaluate("window.__violations || []") == []


def screenshot(page, name, tmp_path, selector=None):
    """A small PNG for docs/editors.md (written there only with NEWSROOM_SCREENSHOTS=1)."""
    folder = DOCS_IMAGES if os.environ.get("NEWSROOM_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    target = page.locator(selector) if selector else page
    data = target.screenshot()
    image = Image.open(io.BytesIO(data))
    image.thumbnail((960, 960))
    image = image.convert("RGB").quantize(colors=128)
    image.save(folder / f"writing-{name}.png", optimize=True)


def press(page, action):
    page.locator(f"button[name=_action][value={action}]").last.click()
    page.wait_for_selector(".messagelist li, .errornote")


def own_draft(user, **kwargs):
    return ArticleFactory.draft(created_by=user, bylines=[user.author], **kwargs)


def wait_for_preview(page, selector):
    page.wait_for_selector(f"#desk-preview {selector}")


def test_a_writer_writes_with_the_toolbar_and_sees_the_preview(live_server, desk, writer, tmp_path):
    SectionFactory(name="News", slug="news")
    log_in(desk, live_server, "wendy")
    desk.goto(f"{live_server.url}/admin/articles/article/add/")
    desk.fill("#id_headline", "Otters return to the mill race after forty years away")
    desk.fill("#id_standfirst", "Volunteers found tracks at six sites. The river trust says the water is cleaner.")
    desk.fill("#id_body", "Volunteers walking the river found otter tracks at six sites.")
    wait_for_preview(desk, "h1:has-text('Otters return')")
    body = desk.locator("#id_body")
    body.press("End")
    body.press("Enter")
    body.press("Enter")
    body.type("Tracks")
    body.press("Shift+Home")
    desk.click(".desk-tool-bold")
    body.press("End")
    body.press("Enter")
    body.press("Enter")
    body.type("What the trust said")
    desk.click(".desk-tool-heading")
    body.press("End")
    body.press("Enter")
    body.press("Enter")
    body.type("cleaner water")
    body.press("Shift+Home")
    body.press("Control+i")
    assert "**Tracks**" in body.input_value() and "## What the trust said" in body.input_value()
    assert "_cleaner water_" in body.input_value()
    wait_for_preview(desk, ".article-body strong:has-text('Tracks')")
    wait_for_preview(desk, ".article-body h2:has-text('What the trust said')")
    wait_for_preview(desk, ".article-body em:has-text('cleaner water')")
    assert re.fullmatch(r"\d+ words · 1 min read", desk.inner_text("#desk-count"))
    screenshot(desk, "desk", tmp_path)
    press(desk, "submit")
    assert "Submitted for review" in desk.inner_text(".messagelist")
    assert Article.objects.get().status == Article.Status.REVIEW


def test_a_dropped_image_is_uploaded_referenced_and_previewed(live_server, desk, writer, tmp_path):
    article = own_draft(writer, body="The harbour at dawn.")
    log_in(desk, live_server, "wendy")
    desk.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    photo = base64.b64encode(image_bytes(size=(800, 500), color=(200, 120, 40))).decode()
    desk.evaluate(DROP, [photo, "gulls.jpg"])
    desk.wait_for_selector("#desk-dropped li code:has-text('[[image:1]]')")
    assert "[[image:1]]" in desk.input_value("#id_body")
    wait_for_preview(desk, "figure.body-image img")
    desk.fill("#desk-dropped input[data-detail=alt]", "Gulls over the quay")
    desk.locator("#desk-dropped input[data-detail=alt]").press("Tab")
    desk.wait_for_selector("#desk-autosave:has-text('Saved the alt')")
    assert article.images.get().alt == "Gulls over the quay"
    desk.evaluate("document.querySelector('.field-body').scrollIntoView()")
    screenshot(desk, "drop", tmp_path)
    press(desk, "save")
    assert "Draft saved" in desk.inner_text(".messagelist")
    assert 'alt="Gulls over the quay"' in Article.objects.get(pk=article.pk).body_html


def test_autosaved_text_survives_a_reload(live_server, desk, writer):
    article = own_draft(writer, body="Saved words.")
    log_in(desk, live_server, "wendy")
    desk.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    desk.locator("#id_body").press("End")
    desk.locator("#id_body").type(" Words typed after the save.")
    desk.wait_for_selector("#desk-autosave:has-text('Autosaved at')", timeout=10_000)
    desk.reload()
    assert desk.input_value("#id_body") == "Saved words. Words typed after the save."
    assert desk.locator("#desk-restored").is_visible()
    assert Article.objects.get(pk=article.pk).body == "Saved words."
    assert article.history.count() == 1
    desk.click("#desk-restored button")
    assert desk.input_value("#id_body") == "Saved words."
    assert not ArticleDraft.objects.exists()


def test_leaving_with_unsaved_changes_asks_first(live_server, page, writer):
    article = own_draft(writer)
    log_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.fill("#id_headline", "A changed headline")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    with pytest.raises(PlaywrightError):  # staying on the page aborts the navigation
        page.goto(f"{live_server.url}/admin/", wait_until="commit")
    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/{article.pk}/change/")


def test_the_photo_survives_a_form_error_and_takes_a_focal_point(live_server, desk, writer, tmp_path):
    SectionFactory(name="News", slug="news")
    photo = tmp_path / "river.jpg"
    photo.write_bytes(image_bytes(size=(1200, 800)))
    log_in(desk, live_server, "wendy")
    desk.goto(f"{live_server.url}/admin/articles/article/add/")
    desk.fill("#id_headline", "Kept photo")
    desk.set_input_files("#id_hero_image", str(photo))
    press(desk, "save")
    assert "A photo needs alt text" in desk.inner_text("#article_form")
    desk.wait_for_function("document.querySelector('.desk-photo-pending img').complete")  # loaded, or failed to
    assert desk.evaluate("document.querySelector('.desk-photo-pending img').naturalWidth") > 0
    screenshot(desk, "kept-photo", tmp_path, ".desk-photo-pending")
    desk.fill("#id_hero_alt", "The river at dawn")
    press(desk, "save")
    article = Article.objects.get(headline="Kept photo")
    assert article.hero_image and desk.locator(".desk-focal img").is_visible()
    focal = desk.locator(".desk-focal img")
    box = focal.bounding_box()
    focal.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.25})
    assert desk.input_value("#id_focal_x") == "0.80" and desk.input_value("#id_focal_y") == "0.25"
    screenshot(desk, "focal-point", tmp_path, ".desk-photo")
    press(desk, "save")
    article.refresh_from_db()
    assert (article.focal_x, article.focal_y) == (0.8, 0.25)


def test_an_editor_schedules_and_sees_when_it_goes_live(live_server, desk, editor, tmp_path):
    article = ArticleFactory.in_review()
    log_in(desk, live_server, "edith")
    desk.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    when = timezone.localtime() + timedelta(hours=2, minutes=1)
    schedule = desk.locator(".desk-schedule").last
    schedule.locator("summary").click()
    desk.fill("#id_schedule_at", when.strftime("%Y-%m-%dT%H:%M"))
    screenshot(desk, "schedule", tmp_path, ".desk-buttons >> nth=-1")
    schedule.locator("button").click()
    desk.wait_for_selector(".messagelist li")
    message = desk.inner_text(".messagelist")
    assert f"Scheduled: goes live {when:%a} {when.day} {when:%b %H:%M} (in 2 hours)" in message
    assert Article.objects.get(pk=article.pk).is_scheduled
    screenshot(desk, "scheduled-message", tmp_path, ".messagelist")


def test_unpublishing_says_readers_get_a_404_before_and_after(live_server, desk, editor):
    article = ArticleFactory()
    log_in(desk, live_server, "edith")
    desk.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    unpublish = desk.locator(".desk-unpublish").last
    assert not unpublish.locator("button").is_visible()
    unpublish.locator("summary").click()
    assert "not found” (404)" in unpublish.inner_text()
    unpublish.locator("button").click()
    desk.wait_for_selector(".messagelist li")
    assert "readers now get “not found” (404)" in desk.inner_text(".messagelist")
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_a_writer_files_a_story_with_a_photo_and_two_body_images_in_two_page_loads(live_server, desk, writer, tmp_path):
    """The figures in docs/editors.md: every click, drop and page load a writer needs, counted."""
    SectionFactory(name="News", slug="news")
    photo = tmp_path / "river.jpg"
    photo.write_bytes(image_bytes(size=(1200, 800)))
    log_in(desk, live_server, "wendy")
    loads = []
    desk.on("load", lambda page: loads.append(page.url))
    gestures = 0
    desk.goto(f"{live_server.url}/admin/articles/article/add/")
    desk.fill("#id_headline", "Otters return to the mill race")
    desk.fill("#id_standfirst", "Volunteers found tracks at six sites.")
    desk.fill("#id_body", "Volunteers walking the river found otter tracks at six sites.")
    desk.set_input_files("#id_hero_image", str(photo))
    gestures += 1
    desk.fill("#id_hero_alt", "An otter on a stone")
    desk.click(".field-section .select2-selection")
    desk.click(".select2-container--open .select2-results__option >> text=News")
    gestures += 2
    for number, colour in ((1, (200, 120, 40)), (2, (40, 160, 90))):
        desk.evaluate(DROP, [base64.b64encode(image_bytes(color=colour)).decode(), f"photo{number}.jpg"])
        gestures += 1
        desk.wait_for_selector(f"#desk-dropped li:nth-child({number}) input[data-detail=alt]")
        desk.fill(f"#desk-dropped li:nth-child({number}) input[data-detail=alt]", f"Photo {number}")
    wait_for_preview(desk, "figure.body-image:nth-of-type(2) img")
    press(desk, "submit")
    gestures += 1
    assert "Submitted for review" in desk.inner_text(".messagelist")
    article = Article.objects.get()
    assert article.hero_image and article.status == Article.Status.REVIEW
    assert [image.alt for image in article.images.all()] == ["Photo 1", "Photo 2"]
    assert article.body_html.count('class="body-image"') == 2
    assert (len(loads), gestures) == (2, 6)
