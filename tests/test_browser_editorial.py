"""End to end in headless Chromium: a writer files a story with a photo, an editor publishes it, a reader sees it."""

import re

import pytest

from articles.models import Article

from .factories import SectionFactory, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def save(page, action="save"):
    """Press one of the form's publishing buttons (the bottom row's)."""
    page.locator(f"button[name=_action][value={action}]").last.click()
    page.wait_for_selector(".messagelist .success, .errornote")
    errors = page.locator(".errorlist").all_inner_texts()
    assert not errors, errors


def test_writer_files_editor_publishes_reader_reads(live_server, page, writer, editor, tmp_path):
    SectionFactory(name="News", slug="news")
    photo = tmp_path / "river.jpg"
    photo.write_bytes(image_bytes(size=(1200, 800)))

    log_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_headline", "Otters return to the mill race")
    page.fill("#id_standfirst", "Volunteers found tracks at six sites.")
    page.fill("#id_body", "Volunteers walking the river found **otter tracks** at six sites.")
    page.set_input_files("#id_hero_image", str(photo))
    page.fill("#id_hero_alt", "An otter on a stone in the mill race")
    page.fill("#id_hero_credit", "Wendy Writer")
    page.click(".field-section .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "New")
    page.click(".select2-container--open .select2-results__option >> text=News")
    save(page, "submit")
    article = Article.objects.get(headline="Otters return to the mill race")
    assert article.status == Article.Status.REVIEW
    page.context.clear_cookies()

    log_in(page, live_server, "edith")
    assert "Otters return to the mill race" in page.inner_text("#newsroom-overview")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    save(page, "publish")
    page.context.clear_cookies()

    page.goto(f"{live_server.url}/")
    page.click("text=Otters return to the mill race")
    assert page.inner_text("h1") == "Otters return to the mill race"
    assert page.locator("article .byline").inner_text() == "By Wendy Writer"
    image = page.locator("figure.hero img")
    assert image.get_attribute("alt") == "An otter on a stone in the mill race"
    page.wait_for_function("document.querySelector('figure.hero img').complete")  # loaded, or failed to
    assert page.evaluate("document.querySelector('figure.hero img').naturalWidth") > 0
    assert "otter tracks" in page.inner_text(".article-body")
