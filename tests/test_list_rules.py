"""Each list's rule is one queryset method, and a tag or an author page exists only while it lists something."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.archive import archive_period
from articles.models import Article, Section
from articles.querysets import public_authors, public_tags

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_EXCLUDED_PREFIXES = ("/",)


def unlisted(state, **kwargs):
    """An article readers cannot find in any list."""
    if state == "draft":
        return ArticleFactory.draft(**kwargs)
    if state == "scheduled":
        return ArticleFactory.scheduled(**kwargs)
    return ArticleFactory(hidden=True, **kwargs)


def channels(kind, slug):
    return [f"/{kind}/{slug}/", f"/{kind}/{slug}/feed/", f"/{kind}/{slug}/feed/atom/"]


@pytest.mark.parametrize("state", ["draft", "scheduled", "hidden"])
def test_a_tag_with_no_listed_article_is_404_on_its_page_and_both_feeds(client, state):
    unlisted(state, tags=["quiet"])
    for url in channels("tag", "quiet"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("state", ["draft", "scheduled", "hidden"])
def test_an_author_with_no_listed_article_is_404_on_its_page_and_both_feeds(client, state):
    author = AuthorFactory(name="Quiet Writer", bio="Writes **long** features.")
    unlisted(state, bylines=[author])
    for url in channels("author", author.slug):
        assert client.get(url).status_code == 404, url


def test_an_author_with_a_bio_and_no_article_at_all_has_no_page():
    """Readers never see an empty author page, however complete the profile."""
    author = AuthorFactory(name="New Hire", bio="Joined this week.", job_title="Reporter")
    assert author not in public_authors()


def test_a_tag_and_an_author_with_one_listed_article_answer_on_their_page_and_both_feeds(client):
    author = AuthorFactory(name="Mara Jones")
    ArticleFactory(bylines=[author], tags=["river"])
    for url in channels("tag", "river") + channels("author", author.slug):
        assert client.get(url).status_code == 200, url


def test_the_sitemaps_list_the_same_tags_and_authors_that_have_pages(client):
    shown, quiet = AuthorFactory(name="Shown Writer"), AuthorFactory(name="Quiet Writer")
    ArticleFactory(bylines=[shown], tags=["river"])
    ArticleFactory.draft(bylines=[quiet], tags=["secret"])
    assert [tag.slug for tag in public_tags()] == ["river"]
    assert list(public_authors()) == [shown]
    assert "/tag/river/" in client.get("/sitemap-tags.xml").content.decode()
    assert "/tag/secret/" not in client.get("/sitemap-tags.xml").content.decode()
    assert quiet.slug not in client.get("/sitemap-authors.xml").content.decode()


def test_in_section_holds_primary_and_other_sections_and_its_sources_split_them():
    news, sport = SectionFactory(slug="news"), SectionFactory(slug="sport")
    own = ArticleFactory(section=news)
    filed = ArticleFactory(section=sport)
    filed.extra_sections.add(news)
    ArticleFactory(section=sport)
    listed = Article.objects.listed()
    assert set(listed.in_section(news)) == {own, filed}
    own_source, extra_source = listed.in_section_sources(news)
    assert list(own_source) == [own]
    assert list(extra_source) == [filed]


def test_tagged_by_author_and_published_between_narrow_the_listed_articles():
    author = AuthorFactory()
    now = timezone.now()
    old = ArticleFactory(bylines=[author], tags=["river"], published_at=now - timedelta(days=40))
    new = ArticleFactory(tags=["river"], published_at=now - timedelta(days=1))
    unlisted("hidden", bylines=[author], tags=["river"])
    listed = Article.objects.listed()
    assert list(listed.tagged(old.tags.get())) == [new, old]
    assert list(listed.by_author(author)) == [old]
    assert list(listed.published_between(now - timedelta(days=2), now)) == [new]
    assert list(listed.published_between(old.published_at, new.published_at)) == [old]


def test_section_blocks_hold_the_newest_of_each_section_leaving_out_those_shown():
    news, sport, empty = SectionFactory(slug="news"), SectionFactory(slug="sport"), SectionFactory(slug="empty")
    now = timezone.now()
    stories = [ArticleFactory(section=news, published_at=now - timedelta(hours=n)) for n in range(6)]
    match = ArticleFactory(section=sport, published_at=now - timedelta(days=3))
    unlisted("hidden", section=sport)
    blocks = Article.objects.listed().section_blocks([sport, news, empty], exclude=[stories[0].pk], per_section=3)
    assert blocks == [(sport, [match]), (news, stories[1:4])]
    assert Article.objects.listed().section_blocks([]) == []


@pytest.mark.parametrize("count", [2, 12])
def test_section_blocks_cost_the_same_statements_whatever_the_number_of_sections(count, django_assert_num_queries):
    """The sections with their newest keys, the articles, their bylines: three statements for 2 or 12 sections."""
    now = timezone.now()
    for n in range(count):
        section = SectionFactory(slug=f"section-{n}", nav_order=count - n)
        for hours in range(3):
            ArticleFactory(section=section, published_at=now - timedelta(hours=hours + n))
    sections = Section.objects.filter(slug__startswith="section-")
    with django_assert_num_queries(3):
        blocks = Article.objects.listed().for_listing().section_blocks(sections, per_section=2)
    assert [section.slug for section, _ in blocks] == [f"section-{n}" for n in reversed(range(count))]
    for section, articles in blocks:
        assert articles == list(Article.objects.filter(section=section).order_by("-published_at")[:2])
        assert all(article.section is section for article in articles)


def test_related_to_prefers_shared_tags_then_the_newest_in_the_section():
    news = SectionFactory(slug="news")
    article = ArticleFactory(section=news, tags=["river", "budget"])
    both = ArticleFactory(tags=["river", "budget"], published_at=timezone.now() - timedelta(days=5))
    one = ArticleFactory(tags=["river"])
    neighbour = ArticleFactory(section=news)
    unlisted("draft", section=news, tags=["river", "budget"])
    assert Article.objects.listed().related_to(article) == [both, one, neighbour]
    assert Article.objects.listed().related_to(article, limit=1) == [both]


def test_archive_periods_are_importable_without_the_views():
    title, start, end = archive_period(2024, 2)
    assert title == "February 2024"
    assert (end - start).days == 29
