"""Every reader page through the test client: content, metadata, pagination, redirects and 404s."""

import json
import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article, ArticleRedirect
from newsroom.views import server_error

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory, image_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def site():
    news = SectionFactory(name="News", slug="news", nav_order=1, description="What happens in town.")
    sport = SectionFactory(name="Sport", slug="sport", nav_order=2)
    mara = AuthorFactory(name="Mara Jones", bio="Mara covers **the council**.", job_title="Reporter")
    tom = AuthorFactory(name="Tom Okafor", photo=image_file("tom.jpg", size=(300, 300)))
    lead = ArticleFactory(
        headline="Council approves the river budget",
        standfirst="Councillors voted 23 to 19.",
        body="The decision came after months of consultation. " * 60,
        section=news,
        featured=True,
        bylines=[mara, tom],
        tags=["council", "budget"],
        hero_image=image_file("river.jpg", size=(1200, 800)),
        hero_alt="The river at dusk",
        hero_caption="A view over the valley.",
        hero_credit="Courier Staff",
        revised_at=timezone.now() - timedelta(minutes=5),
    )
    budget_story = ArticleFactory(headline="What the budget means for you", section=news, tags=["budget"])
    same_section = ArticleFactory(headline="Library hours extended", section=news)
    match = ArticleFactory(headline="Rovers win away", section=sport, bylines=[tom], tags=["football"])
    CorrectionFactory(article=lead, note="An earlier version gave the vote as 23 to 18.")
    return {
        "news": news,
        "sport": sport,
        "mara": mara,
        "tom": tom,
        "lead": lead,
        "budget_story": budget_story,
        "same_section": same_section,
        "match": match,
    }


def page_urls(site):
    now = timezone.localtime(site["lead"].published_at)
    return [
        "/",
        site["lead"].get_absolute_url(),
        site["match"].get_absolute_url(),
        "/section/news/",
        "/section/sport/",
        "/tag/budget/",
        "/tag/football/",
        f"/author/{site['mara'].slug}/",
        f"/author/{site['tom'].slug}/",
        "/archive/",
        f"/archive/{now.year}/",
        f"/archive/{now.year}/{now.month}/",
        f"/archive/{now.year}/{now.month}/{now.day}/",
        "/corrections/",
        "/search/?q=budget",
        "/search/",
    ]


def head(html, pattern):
    found = re.search(pattern, html)
    return unescape(found.group(1)) if found else None


def test_every_page_type_renders_with_its_own_title_description_and_canonical(client, site, settings):
    titles, descriptions = {}, {}
    for url in page_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        title = head(html, r"<title>([^<]+)</title>")
        description = head(html, r'<meta name="description" content="([^"]*)">')
        canonical = head(html, r'<link rel="canonical" href="([^"]+)">')
        assert title and description, url
        assert canonical.startswith(settings.SITE_URL + "/"), url
        assert head(html, r'<meta property="og:title" content="([^"]+)">'), url
        assert title not in titles, f"{url} has the same title as {titles.get(title)}"
        titles[title] = url
        if "/search/" not in url:
            assert description not in descriptions, f"{url} shares its description with {descriptions.get(description)}"
            descriptions[description] = url


def test_canonical_link_drops_tracking_parameters_but_keeps_the_page_cursor(client, site, settings):
    html = client.get("/section/news/?utm_source=mail").content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}/section/news/">' in html


def test_article_page_shows_everything_a_reader_needs(client, site):
    lead = site["lead"]
    html = client.get(lead.get_absolute_url()).content.decode()
    assert '<nav aria-label="Breadcrumb" class="breadcrumb">' in html
    assert '<a href="/section/news/">News</a>' in html
    assert f'<a href="{site["mara"].get_absolute_url()}" rel="author">Mara Jones</a>' in html
    assert f'<a href="{site["tom"].get_absolute_url()}" rel="author">Tom Okafor</a>' in html
    assert html.count("<time datetime=") >= 3  # published, updated, correction
    assert "Updated <time" in html
    assert "min read" in html
    assert '<source type="image/webp" srcset="' in html
    assert re.search(r'srcset="[^"]+ 400w, [^"]+ 800w, [^"]+ 1200w"', html)
    assert 'alt="The river at dusk" width="1200" height="800"' in html
    assert "A view over the valley." in html and "Photo: Courier Staff" in html
    assert '<a href="/tag/budget/" rel="tag">budget</a>' in html
    assert "An earlier version gave the vote as 23 to 18." in html
    assert "Corrections and updates" in html
    assert "https://www.facebook.com/sharer/sharer.php?u=" in html
    assert "<script" not in html.replace('<script type="application/ld+json">', "")


def test_the_hero_loads_eagerly_and_everything_below_lazily_with_dimensions(client, site):
    html = client.get("/").content.decode()
    images = re.findall(r"<img [^>]+>", html)
    assert images
    assert "loading=" not in images[0]  # the lead photo is the page's largest paint
    for image in images[1:]:
        assert 'loading="lazy"' in image
    for image in images:
        assert 'width="' in image and 'height="' in image


def test_related_articles_share_tags_first_then_the_section(client, site):
    response = client.get(site["lead"].get_absolute_url())
    related = response.context["related"]
    assert related[0] == site["budget_story"]
    assert site["same_section"] in related
    assert site["match"] not in related


def test_article_structured_data_describes_a_news_article(client, site, settings):
    html = client.get(site["lead"].get_absolute_url()).content.decode()
    data = json.loads(head(html, r'<script type="application/ld\+json">(.+?)</script>'))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Council approves the river budget"
    assert [a["name"] for a in data["author"]] == ["Mara Jones", "Tom Okafor"]
    assert data["publisher"]["logo"]["url"].startswith(settings.SITE_URL)
    assert data["image"][0].startswith(settings.SITE_URL + "/media/")
    assert data["articleSection"] == "News"
    assert set(data["keywords"]) == {"council", "budget"}
    assert data["datePublished"] and data["dateModified"]


def test_structured_data_cannot_be_broken_out_of_by_a_headline(client, db):
    article = ArticleFactory(headline="</script><script>alert(1)</script> & more")
    html = client.get(article.get_absolute_url()).content.decode()
    block = head(html, r'<script type="application/ld\+json">(.+?)</script>')
    assert "<" not in block and ">" not in block
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script> & more"
    assert "<script>alert(1)" not in html


def test_article_open_graph_and_twitter_cards_carry_the_photo(client, site, settings):
    html = client.get(site["lead"].get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert head(html, r'<meta property="og:image" content="([^"]+)">').startswith(settings.SITE_URL + "/media/")
    assert '<meta property="og:image:alt" content="The river at dusk">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta property="article:tag" content="budget">' in html


def test_home_leads_with_the_featured_story_then_the_latest_and_section_blocks(client, site):
    """Ten newer stories fill the latest list, so the section blocks hold what is not shown above them."""
    now = timezone.now()
    news, sport = site["news"], site["sport"]
    latest = [ArticleFactory(section=news, published_at=now - timedelta(minutes=m)) for m in range(1, 11)]
    older_news = [ArticleFactory(section=news, published_at=now - timedelta(days=d)) for d in (2, 3, 4)]
    older_sport = [ArticleFactory(section=sport, published_at=now - timedelta(days=d)) for d in (2, 3)]
    ArticleFactory(section=sport, published_at=now - timedelta(minutes=30), hidden=True)
    ArticleFactory.draft(section=sport)
    notices = SectionFactory(name="Notices", slug="notices", show_in_nav=False)
    ArticleFactory(section=notices, published_at=now - timedelta(days=1))

    response = client.get("/")
    assert response.context["lead"] == site["lead"]
    assert list(response.context["latest"]) == latest
    blocks = [(section, list(items)) for section, items in response.context["blocks"]]
    assert blocks == [
        (news, [site["same_section"], site["budget_story"], older_news[0], older_news[1]]),
        (sport, [site["match"], *older_sport]),
    ]
    html = response.content.decode()
    assert html.count(older_news[0].get_absolute_url()) == 1
    assert older_news[2].get_absolute_url() not in html  # past the block's four


def test_home_more_stories_pages_through_everything_once(client, site):
    batch = ArticleFactory.create_batch(25, section=site["news"])
    unlisted = [
        ArticleFactory(section=site["news"], hidden=True),
        ArticleFactory.draft(section=site["news"]),
        ArticleFactory.scheduled(section=site["news"]),
    ]
    seen, url = [], "/"
    response = client.get(url)
    seen += [a.pk for a in response.context["latest"]]
    url = "/?before=" + response.context["page"].older
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert "<title>More stories (from " in response.content.decode()
        seen += [a.pk for a in response.context["articles"]]
        older = response.context["page"].older
        url = f"/?before={older}" if older else None
    expected = [site[name].pk for name in ("lead", "budget_story", "same_section", "match")] + [a.pk for a in batch]
    assert sorted(seen) == sorted(expected)  # each exactly once
    assert not {a.pk for a in unlisted} & set(seen)


def test_section_pages_walk_back_and_forth_with_cursors(client, site):
    ArticleFactory.create_batch(45, section=site["news"])
    first = client.get("/section/news/")
    second = client.get(f"/section/news/?before={first.context['page'].older}")
    assert second.status_code == 200
    assert not {a.pk for a in first.context["articles"]} & {a.pk for a in second.context["articles"]}
    back = client.get(f"/section/news/?after={second.context['page'].newer}")
    assert [a.pk for a in back.context["articles"]] == [a.pk for a in first.context["articles"]]
    assert 'rel="next"' in first.content.decode()


def test_section_pages_include_articles_filed_there_as_an_extra_section_exactly_once(client, site):
    sport = SectionFactory(name="Sport", slug="sport")
    own = ArticleFactory.create_batch(15, section=sport)
    extra = ArticleFactory.create_batch(15, section=site["news"])
    for article in extra[::2]:
        article.extra_sections.add(sport, site["news"])
    seen, url = [], "/section/sport/"
    while url:
        response = client.get(url)
        seen += [a.pk for a in response.context["articles"]]
        older = response.context["page"].older
        url = f"/section/sport/?before={older}" if older else None
    expected = [site["match"], *own, *extra[::2]]
    assert sorted(seen) == sorted(a.pk for a in expected)  # each exactly once
    assert not {a.pk for a in extra[1::2]} & set(seen)
    assert len(seen) == len(set(seen))


def test_author_page_shows_bio_photo_and_stories(client, site):
    html = client.get(site["mara"].get_absolute_url()).content.decode()
    assert "<strong>the council</strong>" in html
    assert "Reporter" in html
    assert "Council approves the river budget" in html
    photo_page = client.get(site["tom"].get_absolute_url()).content.decode()
    assert 'class="author-photo"' in photo_page and 'width="120" height="120"' in photo_page


def test_archives_split_days_in_the_site_time_zone(client, db):
    news = SectionFactory(name="News", slug="news")
    late = ArticleFactory(
        headline="Late night story", section=news, published_at=datetime(2025, 6, 30, 23, 30, tzinfo=LONDON)
    )
    early = ArticleFactory(
        headline="Early story", section=news, published_at=datetime(2025, 7, 1, 0, 30, tzinfo=LONDON)
    )
    day = client.get("/archive/2025/6/30/")
    assert list(day.context["articles"]) == [late]
    july = client.get("/archive/2025/7/")
    assert list(july.context["articles"]) == [early]
    year = client.get("/archive/2025/")
    assert [(row["month"].month, row["count"]) for row in year.context["months"]] == [(6, 1), (7, 1)]
    assert client.get("/archive/").context["years"] == [2025]


def test_corrections_page_lists_every_published_correction(client, site):
    html = client.get("/corrections/").content.decode()
    assert "An earlier version gave the vote as 23 to 18." in html
    assert f'href="{site["lead"].get_absolute_url()}#note-' in html


def test_search_pages_and_empty_pages_are_kept_out_of_search_engines(client, site):
    assert '<meta name="robots" content="noindex, follow">' in client.get("/search/?q=budget").content.decode()
    empty_section = SectionFactory(name="Weather", slug="weather")
    html = client.get(empty_section.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "There are no published stories here yet." in html
    assert "noindex" not in client.get("/section/news/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/section/nowhere/",
        "/tag/nothing/",
        "/author/nobody/",
        "/news/no-such-story/",
        "/nowhere/no-such-story/",
        "/archive/2025/13/",
        "/archive/2025/2/30/",
        "/archive/2025/0/",
        "/archive/99999/",
        "/archive/0/",
        "/archive/9999/12/31/",
        "/archive/1999/",
        "/archive/1800/1/",
        "/archive/2999/12/31/",
        "/section/news/?before=garbage",
        "/section/news/?after=1-2-3",
        "/section/news/?before=99999999999999999999-1",
        "/section/news/?before=1&after=2",
        "/?before=garbage",
        "/search/?q=budget&page=abc",
        "/search/?q=budget&page=0",
        "/search/?q=budget&page=99999",
        "/corrections/?page=abc",
        "/corrections/?page=99",
        "/section/nowhere/feed/",
        "/tag/nothing/feed/atom/",
        "/author/nobody/feed/",
    ],
)
def test_unknown_addresses_are_404_never_500(client, site, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode() or "/feed/" in url


def test_a_page_past_the_end_of_a_list_is_404(client, site):
    from articles.pagination import encode_cursor

    oldest = ArticleFactory(section=site["news"], published_at=timezone.now() - timedelta(days=30))

    assert client.get(f"/section/news/?before={encode_cursor(oldest)}").status_code == 404


def test_changing_slug_or_section_keeps_old_addresses_with_a_301(client, site):
    article = site["same_section"]
    first = article.get_absolute_url()
    article.slug = "library-opening-hours"
    article.save()
    second = article.get_absolute_url()
    article.section = site["sport"]
    article.save()
    final = article.get_absolute_url()
    assert final == "/sport/library-opening-hours/"
    for old in (first, second, first.rstrip("/")):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == final
    assert client.get(final).status_code == 200
    assert ArticleRedirect.objects.filter(article=article).count() == 2


def test_an_article_under_the_wrong_section_redirects_to_its_address(client, site):
    response = client.get(f"/sport/{site['lead'].slug}/")
    assert response.status_code == 301
    assert response["Location"] == site["lead"].get_absolute_url()


def test_old_addresses_of_unpublished_articles_do_not_redirect(client, site):
    article = site["same_section"]
    old = article.get_absolute_url()
    article.slug = "moved"
    article.save()
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(old).status_code == 404


def test_the_404_page_is_styled_and_offers_search(client, db):
    response = client.get("/nowhere/at-all/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'role="search"' in html


def test_the_500_page_renders_without_the_database():
    """No database fixture here: any query would fail the test."""
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "site.css" in html


def test_a_crashing_page_gets_the_styled_500(client, site, monkeypatch):
    from articles import views

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.SectionView, "get_queryset", crash)
    client.raise_request_exception = False
    response = client.get("/section/news/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_cards_name_their_authors_without_working_out_their_addresses(client, site, monkeypatch):
    """A card's byline is plain text: no author URL is reversed for it (it costs a reverse() per author)."""
    html = client.get(f"/author/{site['tom'].slug}/").content.decode()
    assert html.count("Tom Okafor") > 2 and 'rel="author"' not in html
    monkeypatch.setattr("articles.models.Author.get_absolute_url", lambda author: pytest.fail("reversed"))
    for url in ("/", "/section/news/", "/tag/budget/"):
        html = client.get(url).content.decode()
        assert "Tom Okafor" in html and 'rel="author"' not in html, url


def test_list_cards_are_headed_one_level_below_the_page(client, site):
    for url, level in (("/section/news/", 2), ("/tag/budget/", 2), (f"/author/{site['mara'].slug}/", 3)):
        html = client.get(url).content.decode()
        assert f'<h{level} class="card-title">' in html, url
        assert f'<h{5 - level} class="card-title">' not in html, url
