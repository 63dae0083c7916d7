"""Sitemap index, per-type sitemaps paged under the protocol's limit, the Google News sitemap and robots.txt."""

from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles import sitemaps

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


@pytest.fixture
def published():
    news = SectionFactory(name="News", slug="news")
    SectionFactory(name="Empty", slug="empty")
    author = AuthorFactory(name="Mara Jones")
    fresh = ArticleFactory(headline="Fresh & new", section=news, bylines=[author], tags=["council"])
    old = ArticleFactory(
        headline="Last week", section=news, tags=["archive"], published_at=timezone.now() - timedelta(days=7)
    )
    return {"news": news, "author": author, "fresh": fresh, "old": old}


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own output


def locations(tree):
    return [loc.text for loc in tree.iterfind(".//sm:loc", NS)]


def test_the_index_names_every_sitemap_with_lastmod(client, published, settings):
    tree = xml(client, "/sitemap.xml")
    assert tree.tag == f"{{{NS['sm']}}}sitemapindex"
    assert locations(tree) == [
        f"{settings.SITE_URL}/sitemap-articles.xml",
        f"{settings.SITE_URL}/sitemap-sections.xml",
        f"{settings.SITE_URL}/sitemap-tags.xml",
        f"{settings.SITE_URL}/sitemap-authors.xml",
        f"{settings.SITE_URL}/news-sitemap.xml",
    ]
    newest = published["fresh"].published_at
    for entry in tree.iterfind("sm:sitemap", NS):
        lastmod = entry.find("sm:lastmod", NS)
        assert lastmod is not None, entry.find("sm:loc", NS).text
        assert datetime.fromisoformat(lastmod.text) == newest, entry.find("sm:loc", NS).text


def test_each_sitemap_lists_public_addresses_with_lastmod(client, published, settings):
    site = settings.SITE_URL
    expected = {
        "/sitemap-articles.xml": {
            site + published["fresh"].get_absolute_url(),
            site + published["old"].get_absolute_url(),
        },
        "/sitemap-sections.xml": {f"{site}/section/news/"},
        "/sitemap-tags.xml": {f"{site}/tag/council/", f"{site}/tag/archive/"},
        "/sitemap-authors.xml": {site + published["author"].get_absolute_url()},
    }
    for url, addresses in expected.items():
        tree = xml(client, url)
        assert addresses <= set(locations(tree)), url
        assert "empty" not in " ".join(locations(tree))
        if url in ("/sitemap-articles.xml", "/sitemap-sections.xml"):
            for entry in tree.iterfind("sm:url", NS):
                assert entry.find("sm:lastmod", NS) is not None, url


def test_large_sitemaps_are_split_into_pages(client, published, monkeypatch, settings):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    tree = xml(client, "/sitemap.xml")
    assert f"{settings.SITE_URL}/sitemap-articles.xml?p=2" in locations(tree)
    first, second = locations(xml(client, "/sitemap-articles.xml")), locations(xml(client, "/sitemap-articles.xml?p=2"))
    assert len(first) == len(second) == 1 and first != second
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    assert client.get("/sitemap-articles.xml?p=abc").status_code == 404


def test_sitemap_pages_are_blocks_of_ids_whatever_is_published(client, published, monkeypatch):
    """A block of unpublished ids gives an empty page, never a 404 and never a leak."""
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    draft = ArticleFactory.draft()
    last = sitemaps.ArticleSitemap().paginator.num_pages
    assert locations(xml(client, f"/sitemap-articles.xml?p={last}")) == []
    assert draft.slug not in client.get("/sitemap-articles.xml").content.decode()


def test_sitemaps_stay_under_the_protocol_limit():
    for sitemap in sitemaps.SITEMAPS.values():
        assert sitemap.limit <= 50_000


def test_unknown_sitemap_is_404(client, published):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_news_sitemap_holds_the_last_two_days(client, published, settings):
    tree = xml(client, "/news-sitemap.xml")
    entries = tree.findall("sm:url", NS)
    assert [e.find("sm:loc", NS).text for e in entries] == [settings.SITE_URL + published["fresh"].get_absolute_url()]
    news = entries[0].find("news:news", NS)
    assert news.find("news:title", NS).text == "Fresh & new"
    assert news.find("news:publication/news:name", NS).text == settings.SITE_NAME
    assert news.find("news:publication/news:language", NS).text == "en"
    published_at = published["fresh"].published_at
    date = news.find("news:publication_date", NS).text
    assert date.startswith(str(timezone.localtime(published_at).year))  # the site's year, not the server's
    assert datetime.fromisoformat(date) == published_at.replace(microsecond=0)


def test_robots_txt_names_the_sitemaps(client, db, settings):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text
    assert f"Sitemap: {settings.SITE_URL}/news-sitemap.xml" in text
    assert "Disallow: /admin/" in text
