"""In Chromium: an editor compares versions and restores an older one of a live story, which stays live at its
address; a writer's crafted restore of editor-only fields is refused; the desk's home and article list fit."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.versions import record_related

from .factories import ArticleFactory, SectionFactory
from .screenshots import docs_screenshot
from .test_browser_editorial import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_story(editor):
    news = SectionFactory(name="News", slug="news")
    article = ArticleFactory.in_review(
        headline="Council approves the new footbridge",
        slug="council-footbridge",
        standfirst="The vote was close: seven to five.",
        body="The council voted seven to five on Tuesday night to build a footbridge over the weir.",
        section=news,
        tags=["council", "transport"],
        bylines=[editor.author],
    )
    article.headline = "Footbridge vote: what happens next"
    article.slug = "footbridge-next"
    article.body = "The council voted on Tuesday night to build a footbridge. Work starts in spring."
    article.status, article.published_at = Article.Status.PUBLISHED, timezone.now() - timedelta(hours=2)
    article.save_revision(by=editor, note="Published with a new headline")
    article.tags.set(["council", "transport", "weir"])
    record_related(article)
    return article


def test_an_editor_restores_an_older_version_of_a_live_story_and_it_stays_live(live_server, page, live_story):
    address = f"{live_server.url}{live_story.get_absolute_url()}"
    log_in(page, live_server, "edith")
    page.goto(f"{live_server.url}/admin/articles/article/{live_story.pk}/history/")
    assert "Status: In review → Published" in page.inner_text("#change-history")
    docs_screenshot(page, "history-list")

    page.click("text=Compare the ticked versions")
    page.wait_for_url(re.compile(r".*/history/compare/.*"))
    assert page.locator(".nr-compare del").first.is_visible()
    assert page.locator(".nr-compare ins").first.is_visible()
    docs_screenshot(page, "history-compare", full_page=True)

    page.goto(f"{live_server.url}/admin/articles/article/{live_story.pk}/history/")
    page.click("text=Restore content…")
    assert f"This story is live at {live_story.get_absolute_url()}" in page.inner_text(".nr-readers")
    assert not page.locator("input[name=also]:checked").count()
    docs_screenshot(page, "history-restore", full_page=True)
    page.fill("#id_note", "Back to the original headline")
    page.click("input[name=_restore]")
    page.wait_for_selector(".messagelist .success")
    assert f"Readers see it now at {live_story.get_absolute_url()}" in page.inner_text(".messagelist")

    page.context.clear_cookies()
    response = page.goto(address)
    assert response.status == 200
    assert page.inner_text("h1") == "Council approves the new footbridge"
    live_story.refresh_from_db()
    assert (live_story.status, live_story.slug) == (Article.Status.PUBLISHED, "footbridge-next")


def test_a_writers_crafted_restore_of_editor_only_fields_is_refused(live_server, page, writer, editor):
    article = ArticleFactory.draft(headline="First draft", created_by=writer, bylines=[writer.author])
    article.featured, article.canonical_url = True, "https://elsewhere.example/story"
    article.save_revision(by=editor)
    article.featured, article.canonical_url, article.headline = False, "", "Second draft"
    article.save_revision(by=editor)
    flagged = article.history.order_by("-history_date", "-history_id")[1]

    log_in(page, live_server, "wendy")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/history/{flagged.history_id}/")
    assert page.locator("input[name=also]").count() == 0  # no publishing ticks for writers
    # Add the ticks the page does not offer, as a crafted request would.
    page.evaluate(
        """() => { const form = document.querySelector('form.nr-restore');
        for (const name of ['featured', 'canonical_url']) { const box = document.createElement('input');
          box.type = 'checkbox'; box.name = 'also'; box.value = name; box.checked = true; form.append(box); } }"""
    )
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("input[name=_restore]")
    assert answer.value.status == 403
    article.refresh_from_db()
    assert (article.featured, article.canonical_url, article.headline) == (False, "", "Second draft")


def test_the_desk_home_and_the_article_list_fit_1280_pixels(live_server, page, editor, writer):
    news = SectionFactory(name="News", slug="news")
    ArticleFactory.in_review(headline="Library hours cut from January", section=news, bylines=[writer.author])
    ArticleFactory.scheduled(headline="Budget day: what to watch for", section=news, bylines=[editor.author])
    ArticleFactory(
        headline="A long headline about the river festival that keeps going to test the width of the list",
        section=news,
        bylines=[editor.author, writer.author],
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "edith")
    assert page.locator("#newsroom-overview h2").first.inner_text().startswith("In review")
    docs_screenshot(page, "overview-home", full_page=True)

    page.goto(f"{live_server.url}/admin/articles/article/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    results = "document.querySelector('#changelist .results')"
    assert page.evaluate(f"{results}.scrollWidth <= {results}.clientWidth"), "the list scrolls sideways"
    for column in ["headline", "state", "section", "byline_list", "live_link"]:
        cell = page.locator(f"#result_list td.field-{column}, #result_list th.field-{column}").first
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, column
    assert page.locator("#result_list >> text=Preview").first.is_visible()
    docs_screenshot(page, "overview-article-list")
