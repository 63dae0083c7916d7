# ruff: noqa: F811 - the page-cache fixtures are shared with tests/test_caching.py by import
"""Page-cache hits answered in front of Django (newsroom/pagecache_app.py), through real WSGI calls."""

import secrets
from io import BytesIO

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from newsroom.pagecache_app import PageCacheApp

from .factories import ArticleFactory
from .test_caching import page_cache  # noqa: F401 - the locmem and Redis variants

pytestmark = pytest.mark.django_db


class CountingDjango:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.handler, self.calls = WSGIHandler(), 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def site():
    """``site(path, **headers) -> (status, headers, body)``: one request through the wrapped application."""
    django = CountingDjango()
    application = PageCacheApp(django)
    # Django closes the database connection when a request starts and ends (as the test client prevents);
    # the test's transaction must outlive both.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def call(path, method="GET", **headers):
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": BytesIO(b""),
            "wsgi.errors": BytesIO(), "HTTP_ACCEPT_ENCODING": "gzip",
            **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
        }  # fmt: skip
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), response_headers

        chunks = application(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return answer["status"], dict(answer["headers"]), body

    call.django = django
    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_hit_is_answered_before_django_with_no_query(site, page_cache, django_assert_num_queries):
    article = ArticleFactory(headline="Breaking story")
    url = article.get_absolute_url()
    status, headers, _ = site(url)
    assert status == 200 and headers["X-Cache"] == "MISS" and site.django.calls == 1
    with django_assert_num_queries(0):
        status, headers, body = site(url)
    assert status == 200 and headers["X-Cache"] == "HIT"
    assert site.django.calls == 1  # no request object, no middleware, no view
    assert body.startswith(b"\x1f\x8b")  # the gzip body Django made, as it was


def test_a_hit_carries_exactly_the_headers_django_sent(site, page_cache):
    """Security headers, CSP, Permissions-Policy, Vary, ETag, Cache-Control and Surrogate-Key included."""
    ArticleFactory()
    for url in ("/", "/feed/", "/sitemap.xml", "/no-such-page/"):
        _, rendered, rendered_body = site(url)
        _, served, served_body = site(url)
        assert served.pop("X-Cache") == "HIT" and rendered.pop("X-Cache") == "MISS", url
        assert served == rendered, url
        assert served_body == rendered_body, url
    expected = ["Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options", "Referrer-Policy",
                "Cross-Origin-Opener-Policy", "X-Frame-Options", "ETag", "Cache-Control", "Surrogate-Key"]  # fmt: skip
    for name in expected:
        assert name in served, name
    assert "Cookie" in served["Vary"] and "Accept-Encoding" in served["Vary"]


def test_if_none_match_gets_a_304_from_the_hit_layer(site, page_cache, django_assert_num_queries):
    ArticleFactory()
    _, first, _ = site("/")
    with django_assert_num_queries(0):
        status, headers, body = site("/", If_None_Match=first["ETag"])
        assert site("/", If_None_Match='"something-else"')[0] == 200
    assert status == 304 and body == b"" and site.django.calls == 1
    assert headers["ETag"] == first["ETag"] and headers["Cache-Control"] == first["Cache-Control"]
    assert "Content-Length" not in headers


def test_a_head_request_gets_the_headers_and_no_body(site, page_cache):
    ArticleFactory()
    site("/")
    status, headers, body = site("/", method="HEAD")
    assert status == 200 and headers["X-Cache"] == "HIT" and body == b""


def test_tracking_parameters_hit_the_bare_address_in_front_of_django(site, page_cache):
    article = ArticleFactory()
    url = article.get_absolute_url()
    site(url)
    status, headers, _ = site(f"{url}?utm_source={secrets.token_hex(4)}&fbclid=x")
    assert status == 200 and headers["X-Cache"] == "HIT" and site.django.calls == 1
    assert site("/search/?q=otters")[1]["X-Cache"] == "MISS"  # a parameter the page reads has its own entry
    assert site("/search/?q=otters&utm_medium=mail")[1]["X-Cache"] == "HIT"


def test_a_404_asked_for_again_is_answered_in_front_of_django(site, page_cache):
    ArticleFactory()
    assert site("/wp-login.php")[0] == 404
    status, headers, _ = site("/wp-login.php")
    assert status == 404 and headers["X-Cache"] == "HIT" and site.django.calls == 1


def test_a_live_session_goes_to_django_and_gets_a_fresh_page(site, page_cache, editor_client):
    ArticleFactory()
    site("/")
    session = editor_client.cookies["sessionid"].value
    status, headers, _ = site("/", Cookie=f"sessionid={session}")
    assert status == 200 and "X-Cache" not in headers and site.django.calls == 2


def test_a_made_up_session_cookie_is_still_served_from_the_cache(site, page_cache):
    ArticleFactory()
    site("/")
    status, headers, _ = site("/", Cookie=f"sessionid={secrets.token_hex(16)}")
    assert status == 200 and headers["X-Cache"] == "HIT"  # Django asked the session store, then the cache


def test_with_the_cache_off_every_request_goes_to_django(site, settings):
    settings.PAGE_CACHE_ENABLED = False
    ArticleFactory()
    site("/")
    status, headers, _ = site("/")
    assert status == 200 and "X-Cache" not in headers and site.django.calls == 2


def test_admin_and_static_addresses_go_straight_to_django(site, page_cache):
    assert site("/admin/login/")[0] == 200
    assert site("/admin/login/")[0] == 200
    assert site.django.calls == 2
