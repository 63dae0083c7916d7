"""Bug 6: `make run` with another HOST or PORT prints and serves links on that address, not on port 8000."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from .factories import ArticleFactory

ROOT = Path(__file__).resolve().parent.parent


def make(*args):
    env = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "HOST", "PORT", "MAKEFLAGS"}}
    result = subprocess.run(["make", "-s", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def exported_site_url(*args):
    """SITE_URL as the commands `make run` starts see it."""
    return make("--eval=site-url: ; @echo $$SITE_URL", "site-url", *args).strip()


def test_make_run_serves_and_prints_the_chosen_port():
    plan = make("-n", "run", "PORT=8123", "HOST=0.0.0.0")
    assert "runserver 0.0.0.0:8123" in plan
    assert "Serving http://127.0.0.1:8123/ (admin at http://127.0.0.1:8123/admin/)" in plan
    assert ":8000" not in plan


def test_make_run_starts_a_task_worker_that_stops_with_the_server():
    plan = make("-n", "run")
    assert "manage.py db_worker & worker=$!" in plan
    assert "trap 'kill $worker" in plan
    assert plan.index("db_worker") < plan.index("runserver")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "http://127.0.0.1:8000"),
        (("PORT=8123",), "http://127.0.0.1:8123"),
        (("HOST=192.168.1.20", "PORT=9000"), "http://192.168.1.20:9000"),
        (("SITE_URL=https://news.example.org",), "https://news.example.org"),
    ],
)
def test_the_commands_make_run_starts_get_a_site_url_from_host_and_port(args, expected):
    assert exported_site_url(*args) == expected


def test_settings_read_site_url_and_answer_on_its_host_in_debug():
    code = "from django.conf import settings; print(settings.SITE_URL, settings.ALLOWED_HOSTS[-1])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings.base", "SITE_URL": "http://192.168.1.20:9000/"}
    env.pop("DJANGO_ALLOWED_HOSTS", None)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.split() == ["http://192.168.1.20:9000", "192.168.1.20"]


def test_ensure_admin_prints_logins_on_the_site_address(db, settings, tmp_path, capsys):
    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("ensure_admin", password_file=str(tmp_path / "passwords"))
    out = capsys.readouterr().out
    assert "Logins for http://127.0.0.1:8123/admin/" in out
    assert "8000" not in out


def test_canonical_feed_and_open_graph_links_use_the_site_address(db, client, settings, no_page_cache):
    settings.SITE_URL = "http://127.0.0.1:8123"
    article = ArticleFactory()
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8123{article.get_absolute_url()}">' in page
    assert f'<meta property="og:url" content="http://127.0.0.1:8123{article.get_absolute_url()}">' in page
    feed = client.get(reverse("articles:feed")).content.decode()
    assert "http://127.0.0.1:8123/" in feed and ":8000" not in feed
