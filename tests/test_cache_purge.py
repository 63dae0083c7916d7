# ruff: noqa: F811 - the page-cache fixtures are shared with tests/test_caching.py by import
"""A change purges only the pages that show it; a stale page is rebuilt by one reader while others get the copy."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse

from articles.models import Article

from .factories import ArticleFactory, CorrectionFactory, SectionFactory
from .test_caching import commit, get, page_cache  # noqa: F401 - fixtures and the identity-encoded GET

pytestmark = pytest.mark.django_db


def warm(client, urls):
    for url in urls:
        get(client, url)
    return {url: get(client, url)["X-Cache"] for url in urls}


def cache_states(client, urls):
    return {url: get(client, url)["X-Cache"] for url in urls}


@pytest.fixture
def newsroom(db):
    """Two sections, each with a story of its own tags and author."""
    politics, sport = SectionFactory(slug="politics"), SectionFactory(slug="sport")
    vote = ArticleFactory(section=politics, tags=["council"], headline="Council vote")
    match = ArticleFactory(section=sport, tags=["football"], headline="Cup final")
    return politics, sport, vote, match


def test_publishing_a_story_purges_its_lists_and_leaves_other_pages_cached(client, page_cache, commit, newsroom):
    politics, sport, vote, match = newsroom
    untouched = [match.get_absolute_url(), sport.get_absolute_url(), reverse("articles:tag", args=["football"])]
    touched = ["/", politics.get_absolute_url(), reverse("articles:tag", args=["council"]), "/feed/"]
    assert set(warm(client, [*untouched, *touched, "/sitemap-articles.xml"]).values()) == {"HIT"}
    new = commit(lambda: ArticleFactory.draft(section=politics, tags=["council"], headline="Budget passed"))
    new.status = Article.Status.PUBLISHED
    commit(new.save)
    for url in touched:
        response = get(client, url)
        assert response["X-Cache"] == "MISS" and "Budget passed" in response.content.decode(), url
    assert new.get_absolute_url() in get(client, "/sitemap-articles.xml").content.decode()
    assert set(cache_states(client, untouched).values()) == {"HIT"}


def test_editing_a_headline_purges_its_page_and_the_pages_that_list_it(client, page_cache, commit, newsroom):
    politics, sport, vote, match = newsroom
    urls = [vote.get_absolute_url(), politics.get_absolute_url(), "/", match.get_absolute_url()]
    warm(client, urls)
    vote.headline = "Council vote postponed"
    commit(vote.save)
    for url in urls[:3]:
        assert "Council vote postponed" in get(client, url).content.decode(), url
    assert get(client, match.get_absolute_url())["X-Cache"] == "HIT"


def test_a_story_moved_to_another_section_leaves_the_old_one(client, page_cache, commit, newsroom):
    politics, sport, vote, match = newsroom
    warm(client, [politics.get_absolute_url(), sport.get_absolute_url()])
    vote.section = sport
    commit(vote.save)
    assert "Council vote" not in get(client, politics.get_absolute_url()).content.decode()
    assert "Council vote" in get(client, sport.get_absolute_url()).content.decode()


def test_a_removed_tag_purges_the_old_tag_page(client, page_cache, commit, newsroom):
    politics, sport, vote, match = newsroom
    tag_page = reverse("articles:tag", args=["council"])
    warm(client, [tag_page])
    commit(lambda: vote.tags.remove("council"))
    assert get(client, tag_page).status_code == 404  # no public story carries it any more


def test_a_correction_purges_the_article_and_the_corrections_log(client, page_cache, commit, newsroom):
    politics, sport, vote, match = newsroom
    warm(client, [vote.get_absolute_url(), "/corrections/", match.get_absolute_url()])
    commit(lambda: CorrectionFactory(article=vote, note="The vote was on Tuesday."))
    assert "The vote was on Tuesday." in get(client, vote.get_absolute_url()).content.decode()
    assert "The vote was on Tuesday." in get(client, "/corrections/").content.decode()
    assert get(client, match.get_absolute_url())["X-Cache"] == "HIT"


def test_pages_name_what_they_show_in_a_surrogate_key_header(client, page_cache, newsroom):
    politics, sport, vote, match = newsroom
    keys = get(client, vote.get_absolute_url())["Surrogate-Key"].split()
    assert {"all", f"article-{vote.pk}", "section-politics", "tag-council"} <= set(keys)
    assert get(client, politics.get_absolute_url())["Surrogate-Key"].split() == ["all", "section-politics"]
    assert "missing" in get(client, "/no-such-page/")["Surrogate-Key"].split()


def test_while_one_reader_rebuilds_a_page_the_others_get_the_previous_copy(
    client, page_cache, commit, newsroom, django_assert_num_queries
):
    from newsroom import pagecache

    politics, sport, vote, match = newsroom
    url = vote.get_absolute_url()
    warm(client, [url])
    vote.headline = "Council vote, updated"
    commit(vote.save)
    key = pagecache.cache_key(client.get(url).wsgi_request.META)  # the request above rebuilt it: re-stale it
    vote.headline = "Council vote, updated again"
    commit(vote.save)
    caches["default"].add(f"page-lock:{key}", 1, 5)  # another reader is rebuilding it
    with django_assert_num_queries(0):
        stale = get(client, url)
    assert stale["X-Cache"] == "STALE" and "Council vote, updated again" not in stale.content.decode()
    caches["default"].delete(f"page-lock:{key}")  # that reader is done (or gave up)
    fresh = get(client, url)
    assert fresh["X-Cache"] == "MISS" and "Council vote, updated again" in fresh.content.decode()


def test_a_stale_copy_is_never_served_past_the_grace(client, page_cache, commit, newsroom, settings):
    from newsroom import pagecache

    politics, sport, vote, match = newsroom
    url = vote.get_absolute_url()
    key = pagecache.cache_key(get(client, url).wsgi_request.META)
    vote.headline = "Council vote, much later"
    commit(vote.save)
    caches["default"].add(f"page-lock:{key}", 1, 60)
    with time_machine.travel(timedelta(seconds=settings.PAGE_CACHE_STALE_SECONDS + 1)):
        assert "Council vote, much later" in get(client, url).content.decode()


class PurgeRecorder(BaseHTTPRequestHandler):
    received = []

    def do_PURGE(self):  # noqa: N802 - the HTTP method
        PurgeRecorder.received.append((self.path, self.headers.get("xkey-purge")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_every_change_is_sent_to_the_proxies_with_its_keys(page_cache, commit, newsroom, settings):
    politics, sport, vote, match = newsroom
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    PurgeRecorder.received.clear()
    settings.PAGE_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    try:
        vote.headline = "Council vote, recounted"
        commit(vote.save)
    finally:
        server.shutdown()
    assert len(PurgeRecorder.received) == 1  # one purge per committed change, however many rows it touched
    keys = set(PurgeRecorder.received[0][1].split())
    assert {f"article-{vote.pk}", "section-politics", "tag-council", "home", "feeds", "any"} <= keys
    assert f"article-{match.pk}" not in keys and "section-sport" not in keys


def test_an_unreachable_proxy_does_not_fail_the_save(page_cache, commit, newsroom, settings, caplog):
    politics, sport, vote, match = newsroom
    settings.PAGE_CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens there
    vote.headline = "Saved anyway"
    commit(vote.save)
    assert Article.objects.get(pk=vote.pk).headline == "Saved anyway"
    assert "could not be purged" in caplog.text


def test_renaming_a_section_purges_every_page(client, page_cache, commit, newsroom):
    politics, sport, vote, match = newsroom
    urls = [match.get_absolute_url(), sport.get_absolute_url(), "/"]
    warm(client, urls)
    politics.name = "Politics and power"
    commit(politics.save)
    assert set(cache_states(client, urls).values()) == {"MISS"}  # the navigation is on every page


def test_a_page_purged_while_it_was_rendered_is_rebuilt_on_the_next_request(client, page_cache, newsroom):
    from django.test.signals import template_rendered

    from newsroom import pagecache

    politics, sport, vote, match = newsroom
    url = vote.get_absolute_url()

    def purge_once(**kwargs):
        template_rendered.disconnect(purge_once)
        pagecache.purge([f"article-{vote.pk}"])  # an editor's save lands while the page is being built

    template_rendered.connect(purge_once)
    assert get(client, url)["X-Cache"] == "MISS"
    assert get(client, url)["X-Cache"] == "MISS"  # what was stored may predate the save: built again
    assert get(client, url)["X-Cache"] == "HIT"


def test_a_purge_elsewhere_while_a_page_is_rendered_does_not_make_it_stale(client, page_cache, newsroom):
    from django.test.signals import template_rendered

    from newsroom import pagecache

    politics, sport, vote, match = newsroom

    def purge_once(**kwargs):
        template_rendered.disconnect(purge_once)
        pagecache.purge([f"article-{match.pk}", "section-sport"])

    template_rendered.connect(purge_once)
    assert get(client, vote.get_absolute_url())["X-Cache"] == "MISS"
    assert get(client, vote.get_absolute_url())["X-Cache"] == "HIT"


def test_an_unusable_stamp_file_means_pages_served_uncached_not_errors(client, settings, commit, caplog):
    settings.PAGE_CACHE_STAMP_FILE = "/proc/no-such-folder/stamp"  # can be neither made nor written
    article = ArticleFactory(headline="Still served")
    assert "Still served" in get(client, article.get_absolute_url()).content.decode()
    article.headline = "Still saved"
    commit(article.save)
    assert "Still saved" in get(client, article.get_absolute_url()).content.decode()
    assert "Page cache unavailable" in caplog.text
