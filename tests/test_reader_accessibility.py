"""WCAG 2.2 AA checks that do not need a browser: colour contrast, landmarks, headings, images, byte weight."""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from .factories import ArticleFactory, AuthorFactory, CorrectionFactory, SectionFactory, image_file

CSS = Path(settings.BASE_DIR, "static", "css", "site.css").read_text()


def palette(block):
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", block))


def schemes():
    light = palette(CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))])
    dark_start = CSS.index("@media (prefers-color-scheme: dark)")
    dark = {**light, **palette(CSS[dark_start : CSS.index("}", dark_start)])}
    return {"light": light, "dark": dark}


def luminance(colour):
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT_PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("link", "bg"),
    ("accent", "bg"),
    ("fg", "soft"),
    ("muted", "soft"),
    ("link", "soft"),
    ("fg", "mark"),
    ("bg", "fg"),  # buttons and the skip link
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_meet_aa_contrast(scheme, text, background):
    colours = schemes()[scheme]
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{scheme}: --{text} on --{background} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_and_borders_stand_out(scheme):
    colours = schemes()[scheme]
    assert contrast(colours["focus"], colours["bg"]) >= 3
    assert contrast(colours["muted"], colours["bg"]) >= 3  # form field borders


def without_media_blocks(text):
    """The stylesheet less its @media blocks (dark colours come from schemes(); the rest is layout and print)."""
    kept, position = [], 0
    while (start := text.find("@media", position)) != -1:
        kept.append(text[position:start])
        depth, end = 0, text.index("{", start)
        while True:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        position = end + 1
    kept.append(text[position:])
    return "".join(kept)


def rules():
    """{selector: declarations} for every rule of the stylesheet outside @media blocks."""
    text = without_media_blocks(re.sub(r"/\*.*?\*/", "", CSS, flags=re.S))
    return {
        selector.strip(): {name: value.strip() for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", block)}
        for selector, block in re.findall(r"([^{}]+)\{([^{}]*)\}", text)
    }


def colour(value, scheme):
    """A declared colour as hex in the scheme, or None for inherit and the like."""
    value = value.strip()
    if found := re.fullmatch(r"var\(--([\w-]+)\)", value):
        return schemes()[scheme][found.group(1)]
    return value if re.fullmatch(r"#[0-9a-fA-F]{3,6}", value) else None


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_preview_banner_is_readable(scheme):
    banner = rules()[".preview-banner"]
    ratio = contrast(colour(banner["color"], scheme), colour(banner["background"], scheme))
    assert ratio >= 4.5, f"{scheme}: the preview banner is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_rule_that_sets_text_and_background_keeps_them_readable(scheme):
    checked = set()
    for selector, declarations in rules().items():
        text = colour(declarations.get("color", "inherit"), scheme)
        background = colour(declarations.get("background", "inherit"), scheme)
        if text and background:
            checked.add(selector)
            ratio = contrast(text, background)
            assert ratio >= 4.5, f"{scheme}: {selector} is {ratio:.2f}:1"
    assert {"body", ".skip-link", "button", ".preview-banner"} <= checked


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_colour_is_readable_on_the_page_background(scheme):
    page = colour(rules()["body"]["background"], scheme)
    checked = set()
    for selector, declarations in rules().items():
        text = colour(declarations.get("color", "inherit"), scheme)
        if text and "background" not in declarations:
            checked.add(selector)
            ratio = contrast(text, page)
            assert ratio >= 4.5, f"{scheme}: {selector} is {ratio:.2f}:1 on the page"
    assert {"a", ".meta", ".kicker", ".standfirst"} <= checked


def test_there_is_a_dark_scheme_and_a_print_stylesheet():
    assert "@media (prefers-color-scheme: dark)" in CSS
    assert "@media print" in CSS
    assert ":focus-visible" in CSS


class Outline(HTMLParser):
    """Collects what the structural checks need from a page."""

    def __init__(self):
        super().__init__()
        self.tags, self.headings, self.images, self.links, self.ids = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(attrs)
        if tag == "a":
            self.links.append(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])


@pytest.fixture
def pages(client, db, no_page_cache):
    news = SectionFactory(name="News", slug="news")
    author = AuthorFactory(name="Mara Jones", bio="Reporter.", photo=image_file("m.jpg", size=(200, 200)))
    article = ArticleFactory(
        headline="Council approves the budget",
        body="Intro.\n\n## Details\n\nMore.\n\n### Small print\n\nEnd.",
        section=news,
        featured=True,
        bylines=[author],
        tags=["budget"],
        hero_image=image_file("r.jpg", size=(1200, 800)),
        hero_alt="The river",
    )
    CorrectionFactory(article=article)
    for n in range(6):
        ArticleFactory(section=news, tags=["budget"], hero_image=image_file(f"{n}.jpg"), hero_alt=f"Photo {n}")
    urls = ["/", article.get_absolute_url(), "/section/news/", "/tag/budget/", author.get_absolute_url()]
    urls += ["/archive/", "/corrections/", "/search/?q=budget", "/search/", "/nowhere/at-all/"]
    return {url: client.get(url).content.decode() for url in urls}


def outline(html):
    parser = Outline()
    parser.feed(html)
    return parser


def test_every_page_has_landmarks_and_a_working_skip_link(pages):
    for url, html in pages.items():
        page = outline(html)
        tags = [tag for tag, _ in page.tags]
        assert tags.count("main") == 1, url
        assert "header" in tags and "footer" in tags and "nav" in tags, url
        assert page.links[0].get("href") == "#main" and page.links[0].get("class") == "skip-link", url
        assert "main" in page.ids, url
        html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
        assert html_tag.get("lang"), url
        for tag, attrs in page.tags:
            if tag == "nav":
                assert attrs.get("aria-label"), f"{url}: every nav is named"


def test_headings_start_at_one_h1_and_never_skip_a_level(pages):
    for url, html in pages.items():
        levels = outline(html).headings
        assert levels[0] == 1 and levels.count(1) == 1, (url, levels)
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (url, levels)


def test_every_image_has_alt_text_and_dimensions(pages):
    for url, html in pages.items():
        for image in outline(html).images:
            assert image.get("alt"), (url, image)
            assert image.get("width") and image.get("height"), (url, image)


def test_form_fields_have_labels(pages):
    for url, html in pages.items():
        page = outline(html)
        labelled = {attrs.get("for") for tag, attrs in page.tags if tag == "label"}
        for tag, attrs in page.tags:
            if tag == "input" and attrs.get("type") != "hidden":
                assert attrs.get("id") in labelled, (url, attrs)


def test_links_that_open_elsewhere_are_plain_links_without_scripts(pages, settings):
    elsewhere = {}
    for url, html in pages.items():
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all('type="application/ld+json"' in script for script in scripts), url
        for link in outline(html).links:
            href = link.get("href") or ""
            assert href, (url, link)
            assert not href.lower().startswith(("javascript:", "data:", "vbscript:")), (url, link)
            assert not [name for name in link if name.startswith("on")], (url, link)
            if href.startswith(("http://", "https://")) and not href.startswith(settings.SITE_URL + "/"):
                elsewhere.setdefault(url, []).append(href)
                assert "target" not in link, (url, link)  # the reader decides where it opens
                assert "noopener" in (link.get("rel") or "").split(), (url, link)
    article_url = next(url for url in pages if url.startswith("/news/"))
    shared_on = {urlsplit(href).netloc for href in elsewhere.get(article_url, [])}
    assert {"bsky.app", "www.facebook.com", "x.com", "www.linkedin.com", "wa.me"} <= shared_on


def test_an_article_page_is_light(client, pages):
    """HTML and CSS together, gzipped, stay well under 15 KB; there is no JavaScript to send."""
    article_url = next(url for url in pages if url.startswith("/news/"))
    html = pages[article_url].encode()
    weight = len(gzip.compress(html)) + len(gzip.compress(CSS.encode()))
    assert weight < 15_000, weight
    assert "<script src" not in pages[article_url]
