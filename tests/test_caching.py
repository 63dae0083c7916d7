"""The page cache: anonymous pages from the cache, never stale after a change, never for staff."""

import os
import secrets
from datetime import timedelta

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.urls import reverse

from articles.models import Article

from .admin_forms import article_post_data
from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory

pytestmark = pytest.mark.django_db


REDIS_DB = 15
# Other test runs may share this Redis database: this process keeps to keys under its own prefix and
# clears only those, never the whole database.
REDIS_PREFIX = f"newsroom-test-{os.getpid()}-{secrets.token_hex(4)}"


def redis_client():
    return redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=0.3)


def redis_available():
    try:
        return redis_client().ping()
    except redis.RedisError:
        return False


def clear_own_redis_keys():
    """Delete this process's keys (Django stores each as PREFIX:VERSION:KEY)."""
    client = redis_client()
    for key in client.scan_iter(match=f"{REDIS_PREFIX}:*", count=1000):
        client.delete(key)


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """Run each test with the local-memory cache and with the machine's Redis."""
    from newsroom import pagecache, pagecache_versions

    if request.param == "redis":
        if not redis_available():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:6379/{REDIS_DB}",
                "KEY_PREFIX": REDIS_PREFIX,
            }
        }
        clear_own_redis_keys()
    else:
        caches["default"].clear()
        versions = pagecache_versions.store(shared=False)
        versions.map[:] = bytes(len(versions.map))  # no purge stamps from another test (time travel included)
    pagecache._bump_pending = False  # no retry left over from another test
    yield request.param
    if request.param == "redis":
        clear_own_redis_keys()
    else:
        caches["default"].clear()
    pagecache._bump_pending = False  # and none handed on to the next


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change and its on-commit hooks, as a real committed transaction would."""

    def run(change=None):
        with django_capture_on_commit_callbacks(execute=True):
            return change() if change else None

    return run


def get(client, url, **headers):
    return client.get(url, HTTP_ACCEPT_ENCODING="identity", **headers)


def test_second_anonymous_request_is_a_cache_hit_with_no_queries(client, page_cache, django_assert_num_queries):
    article = ArticleFactory(headline="Cached story")
    url = article.get_absolute_url()
    assert get(client, url)["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        response = get(client, url)
    assert response["X-Cache"] == "HIT"
    assert "Cached story" in response.content.decode()


def test_cacheable_pages_carry_cdn_friendly_headers(client, page_cache):
    ArticleFactory()
    response = get(client, "/")
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage=" in control and "stale-while-revalidate=" in control
    assert "Cookie" in response["Vary"]


def test_conditional_get_on_a_cache_hit_answers_304_without_a_body(client, page_cache):
    ArticleFactory()
    for url in ("/", "/feed/"):
        first = get(client, url)
        again = get(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""


def test_logged_in_staff_always_get_a_fresh_page(editor_client, page_cache):
    ArticleFactory()
    get(editor_client, "/")
    response = get(editor_client, "/")
    assert "X-Cache" not in response


def test_previews_are_never_cached(editor_client, page_cache):
    draft = ArticleFactory.draft()
    response = get(editor_client, reverse("admin:articles_article_preview", args=[draft.pk]))
    assert "no-store" in response["Cache-Control"]
    assert "X-Cache" not in response


def every_page_showing(article):
    tag = article.tags.first()
    author = article.byline_authors[0]
    year = article.published_at.year
    return [
        "/",
        article.section.get_absolute_url(),
        reverse("articles:tag", args=[tag.slug]),
        author.get_absolute_url(),
        reverse("articles:archive_year", args=[year]),
        "/feed/",
        "/feed/atom/",
        "/sitemap-articles.xml",
        "/search/?q=otters",
    ]


def test_publishing_refreshes_every_page_that_shows_the_article(client, page_cache, commit):
    existing = ArticleFactory(tags=["river"], headline="Older otters story")
    pages = every_page_showing(existing)
    for url in pages:
        get(client, url)  # fill the cache
    new = commit(
        lambda: ArticleFactory.draft(headline="Otters are back", tags=["river"], bylines=[existing.byline_authors[0]])
    )
    new.status = Article.Status.PUBLISHED
    commit(new.save)
    for url in pages:
        assert new.get_absolute_url() in get(client, url).content.decode(), url


def test_an_edit_made_in_the_admin_shows_at_once(client, editor_client, editor, page_cache, commit):
    article = ArticleFactory(headline="First headline", bylines=[editor.author])
    url = article.get_absolute_url()
    get(client, url)
    response = commit(
        lambda: editor_client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            article_post_data(article, headline="Second headline"),
        )
    )
    assert response.status_code == 302
    content = get(client, url).content.decode()
    assert "Second headline" in content and "First headline" not in content


def test_an_unpublished_article_is_never_served_from_the_cache(client, page_cache, commit):
    article = ArticleFactory(headline="Withdrawn story")
    url = article.get_absolute_url()
    assert get(client, url).status_code == 200
    assert "Withdrawn story" in get(client, "/").content.decode()
    article.status = Article.Status.DRAFT
    commit(article.save)
    assert get(client, url).status_code == 404
    assert "Withdrawn story" not in get(client, "/").content.decode()
    assert "Withdrawn story" not in get(client, "/feed/").content.decode()


def test_a_deleted_article_disappears(client, page_cache, commit):
    article = ArticleFactory(headline="Deleted story")
    url = article.get_absolute_url()
    get(client, url)
    get(client, "/")
    commit(article.delete)
    assert get(client, url).status_code == 404
    assert "Deleted story" not in get(client, "/").content.decode()


def test_renaming_an_author_section_or_tag_refreshes_pages(client, page_cache, commit):
    author = AuthorFactory(name="Old Name")
    section = SectionFactory(name="Old Section", slug="old-section")
    article = ArticleFactory(bylines=[author], section=section, tags=["oldtag"])
    url = article.get_absolute_url()
    get(client, url)
    author.name = "New Name"
    commit(author.save)
    section.name = "New Section"
    commit(section.save)
    tag = article.tags.get()
    tag.name = "newtag"
    commit(tag.save)
    content = get(client, url).content.decode()
    assert "New Name" in content and "New Section" in content and "newtag" in content


def test_a_new_correction_shows_at_once(client, page_cache, commit):
    article = ArticleFactory()
    url = article.get_absolute_url()
    get(client, url)
    commit(lambda: CorrectionFactory(article=article, note="We got the date wrong."))
    assert "We got the date wrong." in get(client, url).content.decode()


def test_a_scheduled_article_appears_on_time_with_the_cache_on(client, page_cache, commit):
    ArticleFactory(headline="Already out")
    scheduled = commit(lambda: ArticleFactory.scheduled(headline="Goes out later"))
    assert "Goes out later" not in get(client, "/").content.decode()
    assert get(client, "/")["X-Cache"] == "HIT"
    with time_machine.travel(scheduled.published_at + timedelta(seconds=1)):
        assert "Goes out later" in get(client, "/").content.decode()
        assert get(client, scheduled.get_absolute_url()).status_code == 200


def test_a_change_made_while_redis_was_down_is_not_hidden_by_older_cached_pages(
    client, page_cache, commit, monkeypatch
):
    if page_cache != "redis":
        pytest.skip("only a shared cache can be unreachable")
    from newsroom import pagecache

    article = ArticleFactory(headline="Before the outage")
    url = article.get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Cache"] == "HIT"
    real_set_many = caches["default"].set_many

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("Redis went away")

    monkeypatch.setattr(caches["default"], "set_many", unreachable)
    article.status = Article.Status.DRAFT
    commit(article.save)  # the bump cannot reach Redis
    monkeypatch.setattr(caches["default"], "set_many", real_set_many)
    assert pagecache._bump_pending
    assert get(client, url).status_code == 404  # Redis is back: the next request bumps first


# Cache busting: what a visitor can vary freely must not make new entries, nor push real pages out.


def random_token():
    return secrets.token_hex(6)


def stored_entries(page_cache):
    if page_cache == "redis":
        return sum(1 for _ in redis_client().scan_iter(match=f"{REDIS_PREFIX}:*", count=1000))
    return len(caches["default"]._cache)


def test_random_tracking_parameters_are_served_from_the_entry_of_the_bare_address(
    client, page_cache, django_assert_num_queries
):
    article = ArticleFactory(tags=["river"])
    pages = ["/", article.get_absolute_url(), article.section.get_absolute_url(), "/feed/", "/sitemap-articles.xml"]
    for url in pages:
        assert get(client, url)["X-Cache"] == "MISS"
    for url in pages:
        noise = f"utm_source={random_token()}&utm_campaign=spring&fbclid={random_token()}&{random_token()}=1"
        with django_assert_num_queries(0):
            response = get(client, f"{url}?{noise}")
        assert response["X-Cache"] == "HIT", url


def test_no_page_repeats_an_ignored_parameter(client, page_cache):
    """Pages are shared across every query string the cache ignores, so none may depend on it."""
    article = ArticleFactory(tags=["river"])
    marker = f"utm{random_token()}"
    slash_less = article.get_absolute_url().rstrip("/")
    urls = [
        "/",
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        reverse("articles:tag", args=["river"]),
        article.byline_authors[0].get_absolute_url(),
        reverse("articles:archive_year", args=[article.published_at.year]),
        "/search/?q=otters",
        "/corrections/",
        "/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/no-such-page/",
        slash_less,
    ]
    for url in urls:
        joiner = "&" if "?" in url else "?"
        response = get(client, f"{url}{joiner}utm_source={marker}")
        assert marker not in response.content.decode(), url
        assert marker not in response.get("Location", ""), url


def test_parameters_a_page_uses_still_get_their_own_entry(client, page_cache, django_assert_num_queries):
    from articles.pagination import encode_cursor

    articles = [ArticleFactory(headline=f"Story number {n}") for n in range(12)]
    oldest = min(articles, key=lambda a: (a.published_at, a.pk))
    newest = max(articles, key=lambda a: (a.published_at, a.pk))
    assert get(client, "/")["X-Cache"] == "MISS"
    older = get(client, f"/?before={encode_cursor(newest)}")
    assert older["X-Cache"] == "MISS"
    assert newest.headline not in older.content.decode() and oldest.headline in older.content.decode()
    assert get(client, "/search/?q=Story")["X-Cache"] == "MISS"
    assert get(client, "/search/?q=number")["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        again = get(client, f"/search/?utm_source={random_token()}&q=number")
    assert again["X-Cache"] == "HIT"


def test_random_404s_are_not_stored_and_do_not_push_real_pages_out(
    client, page_cache, settings, monkeypatch, django_assert_num_queries
):
    from newsroom import pagecache

    if page_cache == "locmem":  # a small cache, so that any growth evicts
        settings.CACHES = {"default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 30}}}
    monkeypatch.setattr(pagecache, "BOUNDED_SLOTS", 4, raising=False)
    article = ArticleFactory()
    url = article.get_absolute_url()
    assert get(client, url)["X-Cache"] == "MISS"
    before = stored_entries(page_cache)
    for _ in range(40):
        assert get(client, f"/{random_token()}/").status_code == 404
        assert get(client, f"/{random_token()}/{article.slug}/").status_code == 301
        assert get(client, f"/{random_token()}/{random_token()}").status_code == 301
    assert stored_entries(page_cache) <= before + 4 + 1  # the slots, and the one 404 page every address shares
    with django_assert_num_queries(0):
        assert get(client, url)["X-Cache"] == "HIT"


def test_a_404_asked_for_again_is_served_from_the_bounded_entries(client, page_cache, django_assert_num_queries):
    ArticleFactory()
    get(client, "/wp-login.php")
    with django_assert_num_queries(0):
        response = get(client, "/wp-login.php")
    assert response.status_code == 404 and response["X-Cache"] == "HIT"


def test_a_bogus_session_cookie_is_served_from_the_cache(client, page_cache, django_assert_num_queries):
    ArticleFactory(headline="Cached story")
    assert get(client, "/")["X-Cache"] == "MISS"
    client.cookies["sessionid"] = secrets.token_hex(16)
    with django_assert_num_queries(1):  # is there such a session? no
        response = get(client, "/")
    assert response["X-Cache"] == "HIT" and "Cached story" in response.content.decode()
    client.cookies["sessionid"] = "x"
    with django_assert_num_queries(0):  # not even the shape of a session key
        assert get(client, "/")["X-Cache"] == "HIT"


def test_a_page_rendered_for_a_bogus_session_cookie_is_stored_for_everyone(client, page_cache):
    ArticleFactory()
    client.cookies["sessionid"] = secrets.token_hex(16)
    first = get(client, "/")
    assert first["X-Cache"] == "MISS" and not first.cookies
    del client.cookies["sessionid"]
    assert get(client, "/")["X-Cache"] == "HIT"


def test_a_real_session_still_gets_a_fresh_page(editor_client, client, page_cache):
    ArticleFactory(headline="Cached story")
    get(client, "/")
    assert get(client, "/")["X-Cache"] == "HIT"
    response = get(editor_client, "/")
    assert "X-Cache" not in response and "Cached story" in response.content.decode()


def test_an_address_that_answered_404_shows_the_article_once_it_is_published(client, page_cache, commit):
    draft = commit(lambda: ArticleFactory.draft(headline="Not yet"))
    url = draft.get_absolute_url()
    assert get(client, url).status_code == 404
    assert get(client, url)["X-Cache"] == "HIT"
    draft.status = Article.Status.PUBLISHED
    commit(draft.save)
    assert get(client, url).status_code == 200
