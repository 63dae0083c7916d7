"""End to end in headless Chromium: an editor posts to a live story while a reader has it open."""

import pytest

from articles import views
from articles.models import LiveUpdate

from .live_helpers import live_story, post
from .test_browser_security import SECURITY_EVENTS, staff_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast_polling(monkeypatch):
    monkeypatch.setattr(views, "LIVE_POLL_SECONDS", 1)


@pytest.fixture
def contexts(browser):
    """Browser contexts for the test's people, closed after it so no page goes on polling into later tests."""
    opened = []

    def new_context():
        opened.append(browser.new_context())
        return opened[-1]

    yield new_context
    for context in opened:
        context.close()


def test_a_reader_sees_an_update_the_editor_posts_within_one_poll(live_server, contexts, client_for, fast_polling):
    article = live_story(headline="Election night")
    post(article, body="Polls have closed.", minutes_ago=5)
    reader = contexts().new_page()
    reader.add_init_script(SECURITY_EVENTS)
    polls = []
    reader.on("request", lambda request: polls.append(request.url) if "/updates/" in request.url else None)
    reader.goto(live_server.url + article.get_absolute_url())
    assert reader.get_attribute("#live-updates", "data-interval") == "1"
    reader.evaluate("window.scrollTo(0, 200)")

    editor = contexts()
    editor.add_cookies([staff_cookie(client_for("editor"), live_server)])
    desk = editor.new_page()
    desk.add_init_script(SECURITY_EVENTS)
    desk.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    desk.fill("#id_live-headline", "First result")
    desk.fill("#id_live-body", "Ward 3 declares: **turnout 61%**.")
    desk.check("#id_live-key_point")
    desk.click("#live-post")
    desk.get_by_text("readers see it now").wait_for()
    assert LiveUpdate.objects.filter(article=article).count() == 2

    notice = reader.locator("#live-notice button")
    notice.wait_for(timeout=5000)
    assert notice.inner_text() == "1 new update"
    assert reader.evaluate("window.scrollY") == 200  # nothing moved under the reader
    assert reader.locator("#live-list > li").count() == 1
    notice.click()
    first = reader.locator("#live-list > li").first
    assert "turnout 61%" in first.inner_text() and "First result" in first.inner_text()
    assert reader.evaluate("document.activeElement.id") == first.get_attribute("id")
    assert reader.locator("#live-notice button").count() == 0
    assert all("?since=" in url for url in polls) and polls
    assert reader.evaluate("window.__violations") == []
    assert desk.evaluate("window.__violations") == []


def test_polling_stops_while_the_tab_is_hidden(live_server, page, fast_polling):
    article = live_story()
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/updates/" in request.url else None)
    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_timeout(1500)
    assert polls, "the page polls while visible"
    page.evaluate(
        """() => {
      Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
      document.dispatchEvent(new Event('visibilitychange'));
    }"""
    )
    seen = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == seen
    page.evaluate(
        """() => {
      Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
      document.dispatchEvent(new Event('visibilitychange'));
    }"""
    )
    page.wait_for_timeout(500)
    assert len(polls) > seen


def test_an_ended_story_does_not_poll(live_server, page):
    article = live_story()
    post(article, body="Final result.")
    article.live_ended_at = article.live_started_at
    article.save()
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/updates/" in request.url else None)
    page.goto(live_server.url + article.get_absolute_url())
    assert "Final result." in page.inner_text("#live-updates")
    page.wait_for_timeout(1200)
    assert polls == []
