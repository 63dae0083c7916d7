# ruff: noqa: S603, S310 - starts the proxies it tests and talks only to 127.0.0.1
"""The shipped proxy configurations (deploy/), run for real: nginx serving files and passing pages on, and
Varnish caching pages and dropping exactly those a change purges.

Each proxy is started from the file in deploy/ with only the addresses and paths changed, in front of the
test server. CI installs both (``.ci/run``); without the binary the tests skip and CI fails on the skip.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from articles.models import Article

from .factories import ArticleFactory, SectionFactory

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX_PORT, VARNISH_PORT = 8141, 8142

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_port(port, process, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the proxy exited with status {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, method="GET", data=None, **headers):
    """``(status, headers, body)``; errors are answers too."""
    request = urllib.request.Request(url, method=method, data=data, headers=headers)
    try:
        response = urllib.request.build_opener(NoRedirects).open(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read()


def backend_port(live_server):
    return int(live_server.url.rsplit(":", 1)[1])


@pytest.fixture
def nginx(tmp_path, live_server):
    """nginx on 127.0.0.1:8141 from deploy/nginx/newsroom.conf, with static and media files of its own."""
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed: apt-get install nginx")
    root = tmp_path / "srv"
    (root / "staticfiles" / "css").mkdir(parents=True)
    (root / "staticfiles" / "css" / "site.0123abcd.css").write_text("body { color: black; }\n")
    (root / "media" / "photos").mkdir(parents=True)
    (root / "media" / "photos" / "a1b2.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    (root / "media" / "photos" / "page.html").write_text("<script>alert(1)</script>")
    site = (DEPLOY / "nginx" / "newsroom.conf").read_text()
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{backend_port(live_server)};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{NGINX_PORT};").replace("/srv/newsroom/", f"{root}/")
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {temp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi"))
        + f"  scgi_temp_path {temp}/scgi;\n"
        + f"  include {tmp_path}/site.conf;\n}}\n"
    )  # fmt: skip
    process = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(NGINX_PORT, process)
    except RuntimeError:
        stop(process)
        raise RuntimeError(process.stderr.read().decode()) from None
    yield f"http://127.0.0.1:{NGINX_PORT}"
    stop(process)


def test_nginx_serves_static_files_for_good_with_nosniff(nginx):
    status, headers, body = fetch(f"{nginx}/static/css/site.0123abcd.css")
    assert status == 200 and body == b"body { color: black; }\n"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Content-Type"] == "text/css"


def test_nginx_serves_uploaded_photos_and_nothing_else_from_media(nginx):
    status, headers, _ = fetch(f"{nginx}/media/photos/a1b2.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"] and "immutable" in headers["Cache-Control"]
    assert fetch(f"{nginx}/media/photos/page.html")[0] == 404
    assert fetch(f"{nginx}/media/photos/missing.jpg")[0] == 404


def test_nginx_passes_pages_to_the_application_with_its_headers(nginx):
    article = ArticleFactory(headline="Through the proxy")
    status, headers, body = fetch(f"{nginx}{article.get_absolute_url()}")
    assert status == 200 and "Through the proxy" in body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"] and headers["X-Cache"] == "MISS"
    assert fetch(f"{nginx}{article.get_absolute_url()}")[1]["X-Cache"] == "HIT"
    assert fetch(f"{nginx}/admin/login/")[0] == 200


def test_nginx_refuses_an_upload_over_the_limit(nginx):
    status, _, _ = fetch(f"{nginx}/admin/login/", method="POST", data=b"x" * (26 * 1024 * 1024))
    assert status == 413


@pytest.fixture
def varnish(tmp_path, live_server, settings):
    """Varnish on 127.0.0.1:8142 from deploy/varnish/newsroom.vcl; the application purges it on every change."""
    if not shutil.which("varnishd"):
        pytest.skip("Varnish is not installed: apt-get install varnish varnish-modules")
    vcl = (DEPLOY / "varnish" / "newsroom.vcl").read_text()
    (tmp_path / "newsroom.vcl").write_text(vcl.replace('.port = "8000";', f'.port = "{backend_port(live_server)}";'))
    process = subprocess.Popen(
        ["varnishd", "-F", "-j", "none", "-n", str(tmp_path / "varnish"), "-a", f"127.0.0.1:{VARNISH_PORT}",
         "-T", "127.0.0.1:0", "-f", str(tmp_path / "newsroom.vcl"), "-s", "malloc,32m"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(VARNISH_PORT, process, timeout=30)
    except RuntimeError:
        stop(process)
        raise RuntimeError(process.stdout.read().decode()) from None
    settings.PAGE_CACHE_PURGE_URLS = [f"http://127.0.0.1:{VARNISH_PORT}/"]
    yield f"http://127.0.0.1:{VARNISH_PORT}"
    stop(process)


def test_varnish_caches_pages_and_hides_the_surrogate_keys(varnish):
    article = ArticleFactory(headline="Cached at the edge")
    url = f"{varnish}{article.get_absolute_url()}"
    status, headers, body = fetch(url, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["X-Proxy-Cache"] == "MISS"
    status, headers, _ = fetch(url, **{"Accept-Encoding": "gzip"})
    assert headers["X-Proxy-Cache"] == "HIT" and headers["Content-Encoding"] == "gzip"
    assert "Surrogate-Key" not in headers and "xkey" not in headers
    assert fetch(f"{url}?utm_source=newsletter")[1]["X-Proxy-Cache"] == "HIT"  # the tracking parameter is dropped


def test_a_change_purges_exactly_its_pages_at_varnish(varnish):
    politics, sport = SectionFactory(slug="politics"), SectionFactory(slug="sport")
    vote = ArticleFactory(section=politics, headline="Council vote")
    match = ArticleFactory(section=sport, headline="Cup final")
    pages = [vote.get_absolute_url(), politics.get_absolute_url(), match.get_absolute_url(), sport.get_absolute_url()]
    for path in pages * 2:
        fetch(f"{varnish}{path}")
    assert {fetch(f"{varnish}{path}")[1]["X-Proxy-Cache"] for path in pages} == {"HIT"}
    vote.headline = "Council vote postponed"
    vote.save()  # committed at once: the purge reaches Varnish before save() returns
    for path in pages[:2]:
        _, headers, body = fetch(f"{varnish}{path}")
        assert headers["X-Proxy-Cache"] == "MISS" and "Council vote postponed" in body.decode(), path
    for path in pages[2:]:
        assert fetch(f"{varnish}{path}")[1]["X-Proxy-Cache"] == "HIT", path


def test_a_new_story_reaches_the_front_page_through_varnish(varnish):
    ArticleFactory(headline="Morning story")
    fetch(f"{varnish}/")
    assert fetch(f"{varnish}/")[1]["X-Proxy-Cache"] == "HIT"
    story = ArticleFactory.draft(headline="Breaking story")
    story.status = Article.Status.PUBLISHED
    story.save()
    assert "Breaking story" in fetch(f"{varnish}/")[2].decode()


def test_varnish_passes_staff_and_the_desk_to_the_application(varnish, client_for):
    ArticleFactory()
    fetch(f"{varnish}/")
    session = client_for("editor").cookies[django_settings.SESSION_COOKIE_NAME].value
    status, headers, _ = fetch(f"{varnish}/", Cookie=f"sessionid={session}")
    assert status == 200 and headers["X-Proxy-Cache"] == "MISS" and "X-Cache" not in headers
    assert fetch(f"{varnish}/admin/login/")[1]["X-Proxy-Cache"] == "MISS"
    assert fetch(f"{varnish}/admin/login/")[1]["X-Proxy-Cache"] == "MISS"


def test_varnish_wants_the_keys_to_purge(varnish):
    assert fetch(f"{varnish}/", method="PURGE")[0] == 400
    assert fetch(f"{varnish}/", method="PURGE", **{"xkey-purge": "all"})[0] == 200
