"""Importing posts whose bodies use Liquid: as Jekyll 4.3.1 rendered them, with links that resolve under a baseurl."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from articles.jekyll.importer import import_paths
from articles.models import Article

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
LIQUID_SITE = SAMPLES / "jekyll-liquid-site"

needs_samples = pytest.mark.skipif(not LIQUID_SITE.is_dir(), reason="shared samples not present")
pytestmark = pytest.mark.django_db


class Shape(HTMLParser):
    """HTML as its tags (without attributes) and its words: what a reader sees, and how it is built."""

    VOID = {"img", "br", "hr", "source", "input", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.tags, self.words = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.tags.append("/" + tag)

    def handle_data(self, data):
        self.words += data.split()

    @classmethod
    def of(cls, html):
        shape = cls()
        shape.feed(html)
        return shape.tags, " ".join(shape.words)


def hrefs(html):
    return re.findall(r'<a href="([^"]*)"', html)


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@needs_samples
def test_the_liquid_sample_posts_match_what_jekyll_rendered():
    """Text and structure as Jekyll 4.3.1 built them; post links go to the new address (better than Jekyll)."""
    oracle = json.loads((SAMPLES / "jekyll-oracle" / "liquid-site-4.3.1.json").read_text())["posts"]
    report = import_paths([LIQUID_SITE])
    assert len(report.created) == 3 and not report.failed
    for key, expected in oracle.items():
        article = Article.objects.get(source_file=key)
        assert Shape.of(article.body_html) == Shape.of(expected["content_html"]), key
    first = Article.objects.get(source_file="_posts/2024-03-01-bridge-survey-begins.md")
    links = Article.objects.get(source_file="_posts/2024-03-02-what-the-survey-will-look-at.md")
    new = first.get_absolute_url()
    assert hrefs(links.body_html) == [new, new, new, "/blog/about/", "https://voice.example.org/blog/archive/"]
    inside = Article.objects.get(source_file="_posts/2024-03-03-inside-the-bridge.md")
    [image] = inside.images.all()
    assert inside.body_html.count(image.image.url) == 1
    assert '<iframe src="https://www.youtube.com/embed/aqz-KE-bpKQ"' in inside.body_html
    warnings = [warning for path, warning in report.warnings]
    assert warnings == [
        "link to /blog/about/ (an address of the old site) leads to nothing imported; kept as written",
        "link to https://voice.example.org/blog/archive/ (an address of the old site) leads to nothing imported; "
        "kept as written",
    ]


@pytest.mark.parametrize("baseurl", ["", "/news"])
def test_every_way_of_linking_a_post_lands_on_its_new_address(tmp_path, baseurl):
    write(tmp_path, "_config.yml", f"url: https://old.example.org\nbaseurl: {baseurl}\npermalink: pretty\n")
    write(tmp_path, "_posts/2024-01-01-first.md", "---\ntitle: First\ncategories: [local]\n---\nFirst.\n")
    old = f"{baseurl}/local/2024/01/01/first/"
    forms = [
        "{% post_url 2024-01-01-first %}",
        "{{ site.baseurl }}{% post_url 2024-01-01-first %}",
        "{{ site.url }}{{ site.baseurl }}{% post_url 2024-01-01-first %}",
        "{% link _posts/2024-01-01-first.md %}",
        "{{ site.baseurl }}{% link _posts/2024-01-01-first.md %}",
        "{{ '/local/2024/01/01/first/' | relative_url }}",
        "{{ '/local/2024/01/01/first/' | absolute_url }}",
        "{{ site.baseurl }}/local/2024/01/01/first/",
        f"https://old.example.org{old}",
        old,
        f"{old}index.html",
    ]
    body = "\n\n".join(f"[link {number}]({form})" for number, form in enumerate(forms))
    body += "\n\n" + "\n\n".join(f'<p><a href="{form}">html {number}</a></p>' for number, form in enumerate(forms))
    body += f"\n\n[missing]({{{{ site.baseurl }}}}/about/)\n\n[ref]: {old}\n\nSee [the ref][ref].\n"
    write(tmp_path, "_posts/2024-01-02-second.md", "---\ntitle: Second\ncategories: [local]\n---\n" + body)
    report = import_paths([tmp_path])
    first, second = Article.objects.get(slug="first"), Article.objects.get(slug="second")
    new = first.get_absolute_url()
    assert hrefs(second.body_html) == [new] * (2 * len(forms)) + [f"{baseurl}/about/", new]
    assert [warning for path, warning in report.warnings] == [
        f"link to {baseurl}/about/ (an address of the old site) leads to nothing imported; kept as written"
    ]


def test_a_link_to_a_post_imported_before_resolves_through_its_redirect(tmp_path):
    write(tmp_path, "_config.yml", "url: https://old.example.org\nbaseurl: /news\n")
    write(tmp_path, "_posts/2024-01-01-first.md", "---\ntitle: First\n---\nFirst.\n")
    import_paths([tmp_path / "_posts" / "2024-01-01-first.md"])
    second = write(
        tmp_path,
        "_posts/2024-01-02-second.md",
        "---\ntitle: Second\n---\n[a]({% post_url 2024-01-01-first %}) "
        "[b]({{ site.baseurl }}/2024/01/01/first.html) [c](/news/2024/01/01/first)\n",
    )
    report = import_paths([second])
    new = Article.objects.get(slug="first").get_absolute_url()
    assert hrefs(Article.objects.get(slug="second").body_html) == [new, new, new]
    assert not report.warnings


def test_links_to_newsroom_pages_are_left_alone_on_a_site_without_baseurl(tmp_path):
    write(tmp_path, "_posts/2024-01-01-first.md", "---\ntitle: First\n---\n[all](/archive/) [s](/search/)\n")
    report = import_paths([tmp_path])
    assert hrefs(Article.objects.get().body_html) == ["/archive/", "/search/"]
    assert not report.warnings


def test_an_import_with_hostile_liquid_finishes_and_says_what_happened(tmp_path):
    write(tmp_path, "_config.yml", "title: T\n")
    write(tmp_path, "_includes/loop.html", "{% for i in (1..1000000000) %}x{% endfor %}")
    write(tmp_path, "_includes/big.html", "{% for i in (1..9999) %}{{ 'xxxxxxxxxx' | append: include.x }}{% endfor %}")
    write(tmp_path, "_includes/evil.html", "<script>alert(1)</script><p>ok</p>")
    write(
        tmp_path,
        "_posts/2024-01-01-hostile.md",
        "---\ntitle: Hostile\n---\n{% include loop.html %}\n\n{% include big.html x='"
        + "y" * 1000
        + "' %}\n\n{% include ../../etc/passwd %}\n\n{% include missing.html %}\n\n{% include evil.html %}\n",
    )
    report = import_paths([tmp_path])
    [result] = report.created
    article = Article.objects.get()
    assert "<script" not in article.body and "<script" not in article.body_html and "<p>ok</p>" in article.body
    assert len(article.body) < 10_000
    kinds = [warning.kind for warning in result.warnings]
    assert kinds == ["Liquid"] * 5
    text = "\n".join(result.warnings)
    assert "{% include loop.html %}: stopped: loop iteration limit reached; kept as text" in text
    assert re.search(r"\{% include big\.html x='y+…: stopped: output stream limit reached; kept as text", text)
    assert "../../etc/passwd %}: refused" in text and "missing.html %}: no such file" in text
    assert "removed <script>" in text
