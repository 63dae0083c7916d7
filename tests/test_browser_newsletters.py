"""In headless Chromium: a reader follows a tag from its page, confirms from the mail the local SMTP server
received, gets an alert when a story with the tag is published, and unsubscribes from the alert's link."""

import pytest

from articles.models import Article

from .factories import ArticleFactory
from .mailserver import link_in, run_worker, smtp_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def publish(editor, writer, headline):
    article = ArticleFactory.draft(headline=headline, bylines=[writer.author], tags=["floods"])
    article.transition(to=Article.Status.PUBLISHED, by=editor)


def test_reader_follows_a_tag_from_its_page_and_unsubscribes_from_the_alert(
    live_server,
    page,
    smtp_server,  # noqa: F811
    editor,
    writer,
):
    ArticleFactory(tags=["floods"], headline="The river rises")

    page.goto(f"{live_server.url}/tag/floods/")
    page.fill(".follow-form input[type=email]", "reader@example.net")
    page.click(".follow-form button")
    page.wait_for_selector("text=Check your inbox")

    run_worker()
    [confirmation] = smtp_server.to("reader@example.net")
    page.goto(live_server.url + link_in(confirmation, "confirm"))
    page.click("text=Yes, follow floods")
    assert page.inner_text("h1") == "You now follow floods"

    publish(editor, writer, "Flood barriers hold overnight")
    run_worker()
    [alert] = smtp_server.messages[1:]
    assert alert["Subject"] == "Flood barriers hold overnight"

    unsubscribe = alert["List-Unsubscribe"].strip().strip("<>").removeprefix("https://news.example.org")
    page.goto(live_server.url + unsubscribe)
    page.click("button:text('Unsubscribe')")
    assert page.inner_text("h1") == "You are unsubscribed"

    publish(editor, writer, "More rain on the way")
    run_worker()
    assert len(smtp_server.messages) == 2
