"""A live story as readers get it: the page without JavaScript, the polling address, the feed and JSON-LD."""

import json
import re
import xml.etree.ElementTree as ET

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.live import UPDATES_PER_PAGE
from articles.models import LiveUpdate

from .factories import ArticleFactory
from .live_helpers import live_story, post
from .xss_payloads import PAYLOADS, assert_inert_html, json_ld_blocks

pytestmark = pytest.mark.django_db


def updates_url(article, since=None):
    url = reverse("articles:live_updates", kwargs={"section": article.section.slug, "slug": article.slug})
    return url if since is None else f"{url}?since={since}"


def feed_url(article):
    return reverse("articles:live_updates_feed", kwargs={"section": article.section.slug, "slug": article.slug})


def parse(html):
    return html5lib.parse(html, namespaceHTMLElements=False)


def test_the_page_works_without_javascript_label_key_points_order_and_anchors(client):
    article = live_story(headline="Election night")
    oldest = post(article, body="Polls open.", minutes_ago=50, key_point=True, headline="Polls open")
    pinned = post(article, body="How to follow tonight.", minutes_ago=40, pinned=True)
    newest = post(article, body="First result.", minutes_ago=1, key_point=True)
    document = parse(client.get(article.get_absolute_url()).content.decode())
    assert document.find(".//header//p[@class='live-label']").text == "Live"
    key_points = [a.get("href") for a in document.findall(".//aside[@class='live-key-points']//a")]
    assert key_points == [f"#update-{newest.pk}", f"#update-{oldest.pk}"]
    stream = [li.get("id") for li in document.findall(".//ol[@id='live-list']/li")]
    assert stream == [f"update-{pinned.pk}", f"update-{newest.pk}", f"update-{oldest.pk}"]
    first = document.find(f".//li[@id='update-{newest.pk}']")
    assert first.find(".//a").get("href") == f"#update-{newest.pk}" and first.find(".//time").get("datetime")
    section = document.find(".//section[@id='live-updates']")
    assert section.get("data-poll-url") == updates_url(article)
    assert section.get("data-since") == str(newest.pk)
    scripts = [s.get("src") for s in document.iter("script") if s.get("src")]
    assert scripts == ["/static/live/live.js"]


def test_cards_and_lists_show_the_live_label(client):
    live_story(headline="Storm live")
    ArticleFactory(headline="Quiet story")
    for url in ("/", reverse("articles:section", args=["news"])):
        document = parse(client.get(url).content.decode())
        labelled = [
            "".join(card.find(".//*[@class='card-title']/a").itertext())
            for card in document.iter("article")
            if card.find(".//span[@class='live-label']") is not None
        ]
        assert labelled == ["Storm live"], url


def test_a_story_whose_coverage_ended_keeps_its_updates_without_label_or_polling(client):
    article = live_story()
    post(article, body="Final result.")
    article.live_ended_at = article.live_started_at
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Final result." in html and "live-label" not in html
    assert "data-poll-url" not in html and "live.js" not in html


def test_the_polling_address_answers_updates_newer_than_since(client):
    article = live_story()
    first = post(article, body="One.", minutes_ago=3)
    second = post(article, body="Two.", minutes_ago=2)
    third = post(article, body="Three.", minutes_ago=1)
    data = client.get(updates_url(article, since=first.pk)).json()
    assert (data["live"], data["count"], data["latest"]) == (True, 2, third.pk)
    ids = re.findall(r'id="update-(\d+)"', data["html"])
    assert ids == [str(third.pk), str(second.pk)]
    empty = client.get(updates_url(article, since=third.pk)).json()
    assert (empty["count"], empty["latest"], empty["html"].strip()) == (0, third.pk, "")


def test_the_polling_address_answers_304_when_nothing_changed(client):
    article = live_story()
    post(article)
    first = client.get(updates_url(article, since=0))
    assert first["ETag"] and "max-age" in first["Cache-Control"]
    again = client.get(updates_url(article, since=0), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_bad_polling_addresses_are_404s(client):
    article = live_story()
    not_live = ArticleFactory()
    for url in (
        updates_url(article, since="abc"),
        updates_url(article, since="-1"),
        updates_url(not_live),
        reverse("articles:live_updates", kwargs={"section": "sport", "slug": article.slug}),
        feed_url(not_live),
    ):
        assert client.get(url).status_code == 404, url
    draft = ArticleFactory.draft(live_started_at=article.live_started_at)
    assert client.get(updates_url(draft)).status_code == 404


@pytest.mark.usefixtures("no_page_cache")
def test_the_polling_query_count_does_not_grow_with_the_updates(client, django_assert_num_queries):
    small, large = live_story(), live_story()
    for number in range(5):
        post(small, body=f"Update {number}")
    for number in range(50):
        post(large, body=f"Update {number}")
    for article in (small, large):
        with django_assert_num_queries(2):
            assert client.get(updates_url(article, since=0)).status_code == 200


@pytest.mark.usefixtures("no_page_cache")
def test_the_live_page_query_count_does_not_grow_with_the_updates(client):
    stories = []
    for size in (5, 50):
        article = live_story()
        for number in range(size):
            post(article, body=f"Update {number}", key_point=number % 3 == 0)
        stories.append(article)
    client.get("/")  # the navigation is cached from the first page on
    counts = []
    for article in [ArticleFactory(), *stories]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    ordinary, small, large = counts
    assert small == large == ordinary + 3, counts  # pinned, a page of updates, key points


def test_the_page_describes_itself_as_a_live_blog_posting(client):
    article = live_story()
    update = post(article, headline="Turnout", body="Turnout is **high**.", minutes_ago=0)
    data = json_ld_blocks(client.get(article.get_absolute_url()).content.decode())[0]
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == article.live_started_at.isoformat() and "coverageEndTime" not in data
    assert data["liveBlogUpdate"] == [
        {
            "@type": "BlogPosting",
            "headline": "Turnout",
            "articleBody": "Turnout is high.",
            "datePublished": update.published_at.isoformat(),
            "url": f"{data['mainEntityOfPage']}#update-{update.pk}",
        }
    ]
    assert data["dateModified"] == update.published_at.isoformat()


def test_an_ended_story_names_its_coverage_end(client):
    article = live_story()
    article.live_ended_at = article.live_started_at
    article.save()
    data = json_ld_blocks(client.get(article.get_absolute_url()).content.decode())[0]
    assert data["coverageEndTime"] == article.live_ended_at.isoformat()


def test_an_ordinary_story_stays_a_news_article(client):
    article = ArticleFactory()
    data = json_ld_blocks(client.get(article.get_absolute_url()).content.decode())[0]
    assert data["@type"] == "NewsArticle" and "liveBlogUpdate" not in data


def test_the_updates_feed_lists_updates_newest_first_with_their_anchors(client):
    article = live_story(headline="Flood watch")
    older = post(article, headline="River rising", body="Up 2 m.", minutes_ago=5)
    newer = post(article, body="Bridge **closed**.", minutes_ago=1)
    response = client.get(feed_url(article))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert root.find("channel/title").text.startswith("Flood watch: live updates")
    items = root.findall("channel/item")
    assert [item.find("link").text.rsplit("#", 1)[1] for item in items] == [f"update-{newer.pk}", f"update-{older.pk}"]
    assert items[1].find("title").text == "River rising" and items[0].find("title").text == "Bridge closed."
    assert "<strong>closed</strong>" in items[0].find("description").text
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'type="application/rss+xml" title="Flood watch: live updates"' in page


@pytest.mark.parametrize(("name", "payload"), PAYLOADS, ids=[name for name, _ in PAYLOADS])
def test_hostile_update_headlines_and_bodies_are_inert_everywhere(client, name, payload):
    article = live_story()
    update = post(article, headline=payload[:200], body=payload, key_point=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert_inert_html(html, allowed_script_src=("/static/",))
    json_ld_blocks(html)
    assert_inert_html(client.get(update.get_permalink()).content.decode())
    assert_inert_html(client.get(updates_url(article, since=0)).json()["html"], allowed_forms=())
    root = ET.fromstring(client.get(feed_url(article)).content)  # noqa: S314 - must be well-formed
    for element in root.iter("description"):
        assert_inert_html(element.text or "", allowed_forms=())


def test_a_new_update_refreshes_the_cached_page_and_polling_answer(client, django_capture_on_commit_callbacks):
    article = live_story()
    with django_capture_on_commit_callbacks(execute=True):
        post(article, body="First.")
    url = article.get_absolute_url()
    assert client.get(url)["X-Cache"] == "MISS"
    assert client.get(url)["X-Cache"] == "HIT"
    poll = client.get(updates_url(article, since=0))
    assert client.get(updates_url(article, since=0))["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        second = post(article, body="Second.")
    assert "Second." in client.get(url).content.decode()
    fresh = client.get(updates_url(article, since=0), HTTP_IF_NONE_MATCH=poll["ETag"])
    assert fresh.status_code == 200 and fresh.json()["latest"] == second.pk
    with django_capture_on_commit_callbacks(execute=True):
        LiveUpdate.objects.filter(pk=second.pk).get().delete()
    assert "Second." not in client.get(url).content.decode()


def test_polling_answers_are_shared_by_anonymous_readers_from_the_cache(client, django_assert_num_queries):
    article = live_story()
    post(article)
    client.get(updates_url(article, since=0))
    with django_assert_num_queries(0):
        response = client.get(updates_url(article, since=0))
    assert response["X-Cache"] == "HIT" and json.loads(response.content)["count"] == 1


def test_older_updates_page_with_cursors_and_only_the_first_page_polls(client):
    article = live_story()
    oldest = post(article, body="The very first update.", minutes_ago=120)
    for number in range(UPDATES_PER_PAGE):
        post(article, body=f"Update {number}", minutes_ago=60 - number)
    first = parse(client.get(article.get_absolute_url()).content.decode())
    assert len(first.findall(".//ol[@id='live-list']/li")) == UPDATES_PER_PAGE
    older_link = first.find(".//nav[@aria-label='More updates']/a[@rel='next']").get("href")
    html = client.get(article.get_absolute_url() + older_link.split("#")[0]).content.decode()
    older = parse(html)
    assert [li.get("id") for li in older.findall(".//ol[@id='live-list']/li")] == [f"update-{oldest.pk}"]
    assert older.find(".//section[@id='live-updates']").get("data-poll-url") is None and "live.js" not in html
    assert client.get(article.get_absolute_url() + "?before=nonsense").status_code == 404


def test_each_update_has_a_permalink_page_showing_it_in_context(client):
    article = live_story(headline="Election night")
    update = post(article, headline="Ward 3 declares", body="Turnout **61%**.")
    page = parse(client.get(article.get_absolute_url()).content.decode())
    link = page.find(f".//li[@id='update-{update.pk}']//a[@class='live-permalink']").get("href")
    assert link == update.get_permalink() == f"{article.get_absolute_url()}updates/{update.pk}/"
    response = client.get(link)
    document = parse(response.content.decode())
    assert document.find(".//title").text.startswith("Ward 3 declares · Election night")
    assert document.find(".//link[@rel='canonical']").get("href").endswith(link)
    assert document.find(f".//li[@id='update-{update.pk}']") is not None
    assert document.find(f".//a[@href='{article.get_absolute_url()}#update-{update.pk}']") is not None
    other = live_story()
    for url in (
        f"{other.get_absolute_url()}updates/{update.pk}/",
        f"/sport/{article.slug}/updates/{update.pk}/",
        f"{article.get_absolute_url()}updates/999999/",
    ):
        assert client.get(url).status_code == 404, url
    draft = ArticleFactory.draft(live_started_at=article.live_started_at)
    hidden = post(draft)
    assert client.get(f"{draft.get_absolute_url()}updates/{hidden.pk}/").status_code == 404
