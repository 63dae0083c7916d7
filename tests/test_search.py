"""Full-text search: SQLite FTS5 or PostgreSQL tsvector, the same results and pages on both."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from articles import search
from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_EXCLUDED_PREFIXES = ("/",)


@pytest.fixture
def news():
    return SectionFactory(name="News", slug="news")


def found(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [article.headline for article, _ in response.context["results"].items]


def test_finds_words_in_headline_standfirst_body_tags_and_author_names(client, news):
    ArticleFactory(headline="Otters return to the mill", section=news)
    ArticleFactory(headline="Standfirst story", standfirst="Kingfishers nest by the weir.", section=news)
    ArticleFactory(headline="Body story", body="A heron stood in the shallows for an hour.", section=news)
    ArticleFactory(headline="Tagged story", tags=["salmon"], section=news)
    ArticleFactory(headline="Bylined story", bylines=[AuthorFactory(name="Priya Shahrazad")], section=news)
    assert found(client, "otters") == ["Otters return to the mill"]
    assert found(client, "kingfishers") == ["Standfirst story"]
    assert found(client, "heron") == ["Body story"]
    assert found(client, "salmon") == ["Tagged story"]
    assert found(client, "Shahrazad") == ["Bylined story"]


def test_stems_and_the_last_word_as_a_prefix(client, news):
    ArticleFactory(headline="Volunteers count otters", section=news)
    assert found(client, "otter") == ["Volunteers count otters"]
    assert found(client, "volunteers ott") == ["Volunteers count otters"]
    assert found(client, "counting") == ["Volunteers count otters"]


def test_every_word_must_match(client, news):
    ArticleFactory(headline="Bridge closed for repairs", section=news)
    ArticleFactory(headline="Bridge club wins trophy", section=news)
    assert found(client, "bridge repairs") == ["Bridge closed for repairs"]


def test_a_headline_match_ranks_above_a_passing_mention(client, news):
    ArticleFactory(
        headline="Council meets",
        body="Among many items the brewery was mentioned once. " + "Other business. " * 40,
        section=news,
        published_at=timezone.now() - timedelta(minutes=5),
    )
    ArticleFactory(
        headline="Brewery expands",
        body="The brewery will add a canning line.",
        section=news,
        published_at=timezone.now() - timedelta(days=3),
    )
    assert found(client, "brewery") == ["Brewery expands", "Council meets"]


def test_matching_words_are_highlighted_and_text_is_escaped(client, news):
    ArticleFactory(
        headline="Flood <b>defences</b> & the river",
        body="The flood defences held overnight, the agency said.",
        section=news,
    )
    html = client.get("/search/", {"q": "flood"}).content.decode()
    assert "<mark>Flood</mark> &lt;b&gt;defences&lt;/b&gt; &amp; the river" in html
    assert "The <mark>flood</mark> defences held" in html
    assert "<b>defences</b>" not in html


def test_the_query_is_escaped_wherever_it_is_shown(client, news):
    html = client.get("/search/", {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_an_empty_query_gets_a_helpful_page(client, news):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Type a word or two above" in response.content.decode()
    assert "Type a word or two above" in client.get("/search/", {"q": "   "}).content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "!!!",
        '"',
        "*",
        "'",
        "\\",
        "-",
        ":",
        "(",
        "a:*",
        "_",
        "___ ___",
        "NEAR(",
        "AND OR NOT",
        "budget AND",
        "the of and",
        "café",
        "naïve résumé",
        "日本語",
        "x" * 40,
        "x" * 41,
        "word " * 30,
        "%",
        "%%",
        "' OR 1=1 --",
        "budget\x00",
        "😀",
    ],
)
def test_odd_queries_never_fail(client, news, query):
    ArticleFactory(headline="The budget is set", section=news)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_an_overlong_query_is_explained(client, news):
    html = client.get("/search/", {"q": "word " * 100}).content.decode()
    assert "That search is too long" in html


def test_a_query_without_words_is_explained(client, news):
    assert "couldn't find any words" in client.get("/search/", {"q": "!!! ???"}).content.decode()


def test_no_results_suggests_what_to_do(client, news):
    ArticleFactory(headline="The budget is set", section=news)
    html = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "No stories match “zebra”" in html


def test_results_are_paged(client, news):
    for n in range(search.PER_PAGE + 5):
        ArticleFactory(headline=f"Harbour story {n}", section=news)
    first = client.get("/search/", {"q": "harbour"})
    assert len(first.context["results"].items) == search.PER_PAGE
    assert 'rel="next" href="?q=harbour&amp;page=2"' in first.content.decode()
    second = client.get("/search/", {"q": "harbour", "page": 2})
    assert len(second.context["results"].items) == 5
    assert 'start="21"' in second.content.decode()
    first_ids = {a.pk for a, _ in first.context["results"].items}
    assert not first_ids & {a.pk for a, _ in second.context["results"].items}
    assert client.get("/search/", {"q": "harbour", "page": 3}).status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", str(search.MAX_PAGES + 1)])
def test_bad_page_numbers_are_404(client, news, page):
    assert client.get("/search/", {"q": "harbour", "page": page}).status_code == 404


def test_the_index_follows_edits_tags_bylines_and_unpublishing(client, news):
    author = AuthorFactory(name="Alex Original")
    article = ArticleFactory(headline="Market day", section=news, bylines=[author])
    article.headline = "Market day moves to Saturday"
    article.save()
    assert found(client, "saturday") == ["Market day moves to Saturday"]
    article.tags.add("farmers")
    assert found(client, "farmers") == ["Market day moves to Saturday"]
    author.name = "Alex Renamed"
    author.save()
    assert found(client, "renamed") == ["Market day moves to Saturday"]
    article.status = Article.Status.DRAFT
    article.save()
    assert found(client, "saturday") == []
    article.status = Article.Status.PUBLISHED
    article.save()
    assert found(client, "saturday") == ["Market day moves to Saturday"]
    article.delete()
    assert found(client, "saturday") == []


def test_search_results_are_kept_out_of_search_engines(client, news):
    html = client.get("/search/", {"q": "anything"}).content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html


def test_the_search_backend_is_the_one_for_the_database_and_is_made_once():
    assert search.backend().vendor == connection.vendor
    assert search.backend() is search.backend()


def test_drafts_scheduled_and_hidden_matches_never_appear_and_pages_stay_full(client, news):
    """Matches readers may not see outrank the public ones in the index, yet are skipped without gaps."""
    for n in range(search.PER_PAGE + 5):
        ArticleFactory(headline=f"Harbour story {n}", section=news, bylines=[])
        if n % 3 == 0:  # 27 of them, more than a page
            ArticleFactory.draft(headline=f"Harbour harbour draft {n}", section=news, bylines=[])
            ArticleFactory.scheduled(headline=f"Harbour harbour scheduled {n}", section=news, bylines=[])
            ArticleFactory(headline=f"Harbour harbour hidden {n}", hidden=True, section=news, bylines=[])
    first = client.get("/search/", {"q": "harbour"}).context["results"]
    second = client.get("/search/", {"q": "harbour", "page": 2}).context["results"]
    assert len(first.items) == search.PER_PAGE
    assert first.has_next
    assert len(second.items) == 5
    assert not second.has_next
    headlines = [article.headline for article, _ in first.items + second.items]
    assert sorted(headlines) == sorted(f"Harbour story {n}" for n in range(search.PER_PAGE + 5))
    assert client.get("/search/", {"q": "harbour", "page": 3}).status_code == 404


MARKDOWN_BODY = (
    "Neighbours signed [the sluicegate petition](https://example.org/zzunique).\n\n"
    "![zzphoto](/media/weir.jpg)\n\nThe council meets on Monday."
)


def test_only_the_text_readers_read_is_indexed_not_the_markdown_syntax(client, news):
    ArticleFactory(headline="Weir appeal", body=MARKDOWN_BODY, section=news)
    assert found(client, "sluicegate petition") == ["Weir appeal"]
    assert found(client, "zzunique") == []
    assert found(client, "zzphoto") == []


def test_migration_0006_reindexes_articles_from_their_rendered_text(client, news):
    """Migration 0004 filled the SQLite index from the Markdown source; 0006 indexes what the app indexes."""
    article = ArticleFactory(headline="Weir appeal", body=MARKDOWN_BODY, section=news)
    search.backend().write(article.pk, {**search.document(article), "body": article.body})  # as 0004 did
    assert found(client, "zzphoto") == ["Weir appeal"]
    name = "0006_search_index_from_rendered_text"
    migration = importlib.import_module(f"articles.migrations.{name}")
    migration.reindex(MigrationLoader(connection).project_state(("articles", name)).apps, None)
    assert found(client, "zzphoto") == []
    assert found(client, "zzunique") == []
    assert found(client, "sluicegate petition") == ["Weir appeal"]
    assert search.snippet(article, ["sluicegate"]).startswith("A short summary of the story. Neighbours signed the")
