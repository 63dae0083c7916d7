"""Hardening: login lockout, Content Security Policy, production headers and cookies, Host checks, no tracebacks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.conf.urls.static import static
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.test.client import RequestFactory
from django.urls import reverse

from newsroom.middleware import client_ip
from newsroom.urls import urlpatterns as site_urlpatterns

from .factories import ArticleFactory, image_bytes

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
LOGIN = reverse("admin:login")

# Used as ROOT_URLCONF by the media test below: the site plus Django's development media view.
urlpatterns = static("/media/", document_root=django_settings.MEDIA_ROOT) + site_urlpatterns


def production_env(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="test-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="news.example.org",
        SITE_URL="https://news.example.org",
        **extra,
    )
    return env


# Login brute force


def fail_login(client, address, forwarded=None, password="wrong password"):  # noqa: S107
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": "edith", "password": password, "next": "/admin/"}, **extra)


def test_repeated_failed_logins_lock_the_address_and_the_username_out(editor, writer, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail_login(client, "203.0.113.7").status_code == 200
    assert fail_login(client, "203.0.113.7").status_code == 429
    locked = fail_login(client, "203.0.113.7", password="correct horse battery")
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    # The guessed username is locked from every address; other people elsewhere are not.
    assert fail_login(Client(), "198.51.100.20", password="correct horse battery").status_code == 429
    other = Client().post(
        LOGIN, {"username": "wendy", "password": "correct horse battery"}, REMOTE_ADDR="198.51.100.20"
    )
    assert other.status_code == 302


def test_a_forged_x_forwarded_for_neither_dodges_nor_resets_the_lockout(editor, settings):
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        fail_login(client, "203.0.113.8", forwarded=f"10.0.0.{number}")
    for forged in ("10.9.9.9", "198.51.100.20", "203.0.113.8, 10.0.0.1", ""):
        response = fail_login(client, "203.0.113.8", forwarded=forged, password="correct horse battery")
        assert response.status_code == 429, forged


def test_the_client_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our one proxy wrote, not the client's claim before it
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer hops than proxies: the header is not ours


# Content Security Policy


@pytest.mark.parametrize("path", ["/", "/search/?q=river", "/feed/"])
def test_public_pages_carry_a_csp_that_forbids_inline_script(client, path):
    ArticleFactory()
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert "https://www.youtube-nocookie.com" in directives["frame-src"]


def test_article_pages_have_no_inline_script_only_the_json_ld_data_block(client):
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    import html5lib

    scripts = html5lib.parse(html, namespaceHTMLElements=False).iter("script")
    assert [(s.get("type"), s.get("src")) for s in scripts] == [("application/ld+json", None)]


def test_the_admin_is_under_the_same_policy(editor_client):
    response = editor_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Production settings


def test_the_deployment_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_turn_on_every_transport_and_cookie_protection():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
        "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', "
        "'CSRF_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', "
        "'SECURE_CROSS_ORIGIN_OPENER_POLICY', 'ALLOWED_HOSTS', 'SECURE_PROXY_SSL_HEADER']}, default=list))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["ALLOWED_HOSTS"] == ["news.example.org"]


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    env.pop("DJANGO_SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_responses_carry_the_security_headers_and_cookies_are_secure_and_http_only(editor):
    client = Client()
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=(), " in response["Permissions-Policy"] and "geolocation=(), " in response["Permissions-Policy"]
    login_page = client.get(LOGIN, secure=True)
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    logged_in = client.post(LOGIN, {"username": "edith", "password": "correct horse battery"}, secure=True)
    session = logged_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


# Host header and error pages


@pytest.mark.parametrize("host", ["evil.example", "news.example.org.evil.example", "localhost:8000@evil.example"])
def test_a_forged_host_header_gets_400(client, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_an_unexpected_error_shows_the_styled_500_page_and_no_traceback(settings, monkeypatch):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: /srv/newsroom/settings.py password=hunter2")

    monkeypatch.setattr("articles.views.HomeView.get_queryset", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    for leak in ("Traceback", "RuntimeError", "hunter2", "/srv/newsroom", "settings.py"):
        assert leak not in body


def test_unknown_pages_show_the_styled_404(client):
    response = client.get("/no/such/page/at/all/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


# Media


@override_settings(ROOT_URLCONF=__name__)
def test_media_served_by_django_is_never_sniffed(client):
    name = default_storage.save("photos/probe.jpg", ContentFile(image_bytes(size=(8, 8))))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
