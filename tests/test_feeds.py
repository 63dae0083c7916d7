"""RSS and Atom feeds, read with feedparser as a feed reader would."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone
from django.utils.http import http_date

from articles.models import ArticleImage

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory, image_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.fixture
def newsroom():
    news = SectionFactory(name="News", slug="news", description="Town news.")
    sport = SectionFactory(name="Sport", slug="sport")
    mara = AuthorFactory(name="Mara Jones")
    photo = ArticleFactory(
        headline="Flood wall & towpath: the plan",
        standfirst="Councillors voted 23 to 19.",
        body="The **decision** came [after](/section/news/) months.",
        section=news,
        bylines=[mara],
        tags=["council"],
        hero_image=image_file("river.jpg", size=(1200, 800)),
        hero_alt="The river at dusk",
        hero_credit="Courier Staff",
        published_at=timezone.now() - timedelta(hours=2),
    )
    plain = ArticleFactory(headline="Rovers win away", section=sport, tags=["football"])
    return {"news": news, "sport": sport, "mara": mara, "photo": photo, "plain": plain}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


FEEDS = [
    ("/feed/", "rss20"),
    ("/feed/atom/", "atom10"),
    ("/section/news/feed/", "rss20"),
    ("/section/news/feed/atom/", "atom10"),
    ("/tag/council/feed/", "rss20"),
    ("/tag/council/feed/atom/", "atom10"),
    ("/author/mara-jones/feed/", "rss20"),
    ("/author/mara-jones/feed/atom/", "atom10"),
]


@pytest.mark.parametrize(("url", "version"), FEEDS)
def test_every_feed_is_well_formed_for_feed_readers(client, newsroom, settings, url, version):
    response, feed = parse(client, url)
    assert feed.version == version
    assert feed.feed.title.endswith(settings.SITE_NAME)
    assert feed.feed.link.startswith(settings.SITE_URL)
    entry = next(e for e in feed.entries if e.title == "Flood wall & towpath: the plan")
    assert entry.link == settings.SITE_URL + newsroom["photo"].get_absolute_url()
    assert entry.author == "Mara Jones"
    assert entry.published_parsed
    assert {tag.term for tag in entry.tags} >= {"News", "council"}
    assert entry.media_content[0]["url"].startswith(settings.SITE_URL + "/media/")
    assert entry.media_content[0]["width"] == "1200"
    assert entry.media_credit[0]["content"] == "Courier Staff"
    assert response["Content-Type"].startswith(("application/rss+xml", "application/atom+xml"))


def test_section_feed_holds_only_that_section(client, newsroom):
    _, feed = parse(client, "/section/sport/feed/")
    assert [e.title for e in feed.entries] == ["Rovers win away"]


def test_feed_lists_newest_first(client, newsroom):
    _, feed = parse(client, "/feed/")
    assert [e.title for e in feed.entries] == ["Rovers win away", "Flood wall & towpath: the plan"]


def test_full_text_feeds_carry_the_body_with_absolute_links(client, newsroom, settings):
    settings.FEED_CONTENT = "full"
    ArticleImage.objects.create(article=newsroom["photo"], image=image_file("wall.jpg"), alt="The wall", ref="wall")
    photo = newsroom["photo"]
    photo.body += "\n\n[[image:wall]]"
    photo.save()
    for url in ("/feed/", "/feed/atom/"):
        _, feed = parse(client, url)
        entry = next(e for e in feed.entries if e.title.startswith("Flood wall"))
        html = entry.content[0].value
        assert "<strong>decision</strong>" in html
        assert f'href="{settings.SITE_URL}/section/news/"' in html
        assert f'src="{settings.SITE_URL}/media/' in html
        assert 'srcset="/' not in html and ", /" not in html
        assert entry.summary == "Councillors voted 23 to 19."


def test_summary_feeds_leave_the_body_out(client, newsroom, settings):
    settings.FEED_CONTENT = "summary"
    for url in ("/feed/", "/feed/atom/"):
        _, feed = parse(client, url)
        entry = next(e for e in feed.entries if e.title.startswith("Flood wall"))
        assert not any("decision" in part.value for part in entry.get("content", []))
        assert "decision" not in entry.summary
        assert entry.summary == "Councillors voted 23 to 19."


def test_feeds_send_validators_and_answer_conditional_requests_with_304(client, newsroom):
    first = client.get("/feed/")
    assert first.has_header("ETag")
    assert first.has_header("Last-Modified")
    again = client.get("/feed/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get("/feed/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


def test_a_new_article_makes_conditional_requests_fetch_the_feed_again(client, newsroom):
    first = client.get("/feed/")
    ArticleFactory(headline="Breaking news", section=newsroom["news"], published_at=timezone.now())
    response = client.get("/feed/", headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200
    assert b"Breaking news" in response.content


def test_last_modified_follows_the_newest_update(client, newsroom):
    revised = timezone.now() - timedelta(minutes=1)
    photo = newsroom["photo"]
    photo.revised_at = revised
    photo.save()
    assert client.get("/feed/")["Last-Modified"] == http_date(revised.timestamp())


def test_corrections_feed_lists_published_corrections(client, newsroom, settings):
    CorrectionFactory(article=newsroom["photo"], note="We misspelled the *mayor*.")
    CorrectionFactory(article=ArticleFactory.draft(section=newsroom["news"]), note="Secret draft note.")
    _, feed = parse(client, "/corrections/feed/")
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == "Correction: Flood wall & towpath: the plan"
    assert entry.link.startswith(settings.SITE_URL + newsroom["photo"].get_absolute_url() + "#note-")
    assert "<em>mayor</em>" in entry.summary


def test_feed_escapes_text_that_looks_like_markup(client, newsroom):
    ArticleFactory(headline="<b>Bold</b> claims & counter-claims", section=newsroom["news"])
    _, feed = parse(client, "/feed/")
    assert feed.entries[0].title == "<b>Bold</b> claims & counter-claims"


def test_pages_advertise_their_feeds(client, newsroom):
    html = client.get("/section/news/").content.decode()
    assert 'type="application/rss+xml" title="News · ' in html
    assert 'href="/section/news/feed/atom/"' in html
    html = client.get("/author/mara-jones/").content.decode()
    assert 'href="/author/mara-jones/feed/"' in html


def test_date_archives_have_feeds_of_their_own(client, db):
    import feedparser
    from django.utils import timezone

    from .factories import ArticleFactory

    when = timezone.localtime() - timezone.timedelta(days=40)
    inside = ArticleFactory(headline="Inside the month", published_at=when)
    ArticleFactory(headline="Another month", published_at=when - timezone.timedelta(days=60))
    for path in (
        f"/archive/{when.year}/{when.month}/feed/",
        f"/archive/{when.year}/{when.month}/{when.day}/feed/",
    ):
        feed = feedparser.parse(client.get(path).content)
        assert [entry.title for entry in feed.entries] == [inside.headline], path
    year = feedparser.parse(client.get(f"/archive/{when.year}/feed/").content)
    assert inside.headline in [entry.title for entry in year.entries]
    assert client.get(f"/archive/{when.year}/2/30/feed/").status_code == 404
    page = client.get(f"/archive/{when.year}/{when.month}/").content.decode()
    assert f'href="/archive/{when.year}/{when.month}/feed/"' in page
