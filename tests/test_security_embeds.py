"""Video embeds: an iframe's address is read as a browser reads it, and only listed players get through.

Browsers parse an iframe's ``src`` by the WHATWG URL rules, not RFC 3986: a backslash is a slash in an
``https`` address, tabs and newlines vanish, hosts are percent-decoded, case-folded and IDNA-mapped, and
leading or trailing controls and spaces are dropped. ``https://evil.example\\@www.youtube.com/embed/x``
is a YouTube address to Python's ``urlsplit`` and ``evil.example`` to a browser. Each form below goes
through every Markdown field (body, author bio, correction note) and every channel that shows it (pages,
RSS and Atom feeds, the corrections feed); a refused iframe must leave no trace, not even an empty shell.
"""

import xml.etree.ElementTree as ET  # noqa: S405 - parses the site's own output

import html5lib
import pytest
from ada_url import URL
from django.conf import settings
from django.urls import reverse

from articles.models import Author, Correction
from articles.rendering import embed_url, render_body, render_plain, sanitize

from .factories import ArticleFactory

SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"

# (name, src as written in the HTML source): none of these may become an iframe.
REFUSED = [
    ("backslash-userinfo", r"https://evil.example\@www.youtube.com/embed/x"),
    ("backslash-userinfo-entity", "https://evil.example&#92;@www.youtube.com/embed/x"),
    ("backslash-userinfo-tab", "https://evil.example\t\\@www.youtube.com/embed/x"),
    ("backslash-userinfo-newline", "https://evil.example\n\\@www.you\ntube.com/embed/x"),
    ("backslashes-for-slashes", r"https:\\evil.example\embed\x"),
    ("backslash-after-listed-host", r"https://www.youtube.com\@evil.example/embed/x"),
    ("percent-encoded-backslash", "https://evil.example%5C@www.youtube.com/embed/x"),
    ("userinfo", "https://user:secret@www.youtube.com/embed/x"),
    ("listed-host-as-userinfo", "https://www.youtube.com@evil.example/embed/x"),
    ("listed-host-as-userinfo-percent", "https://www.youtube.com%2F@evil.example/embed/x"),
    ("scheme-relative", "//www.youtube.com/embed/x"),
    ("scheme-relative-backslash", r"\\www.youtube.com/embed/x"),
    ("scheme-relative-spaced", "  //www.youtube.com/embed/x"),
    ("path-relative", "/embed/x"),
    ("triple-slash", "https:///evil.example/embed/x"),
    ("javascript", "javascript:alert(1)"),
    ("javascript-tab", "java\tscript:alert(1)"),
    ("javascript-entity", "javascript&#58;alert(1)"),
    ("data", "data:text/html,<script>alert(1)</script>"),
    ("data-base64", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("http", "http://www.youtube.com/embed/x"),
    ("http-upper", "HTTP://www.youtube.com/embed/x"),
    ("ftp", "ftp://www.youtube.com/embed/x"),
    ("other-host", "https://evil.example/embed/x"),
    ("lookalike-suffix", "https://www.youtube.com.evil.example/embed/x"),
    ("lookalike-ideographic-dot", "https://www.youtube.com\u3002evil.example/embed/x"),
    ("lookalike-percent-dot", "https://www.youtube.com%2Eevil.example/embed/x"),
    ("unlisted-apex", "https://youtube.com/embed/x"),
    ("trailing-dot", "https://www.youtube.com./embed/x"),
    ("other-port", "https://www.youtube.com:8443/embed/x"),
    ("ip-address", "https://142.250.0.1/embed/x"),
    ("youtube-open-redirect", "https://www.youtube.com/redirect?q=https://evil.example/"),
    ("youtube-dot-segments", "https://www.youtube.com/embed/../redirect?q=https://evil.example/"),
    ("youtube-encoded-dot-segments", "https://www.youtube.com/embed/%2e%2e/redirect?q=x"),
    ("youtube-watch-page", "https://www.youtube.com/watch?v=x"),
    ("youtube-embed-extra-segment", "https://www.youtube.com/embed/x/y"),
    ("youtube-embed-empty-id", "https://www.youtube.com/embed/"),
    ("nocookie-other-path", "https://www.youtube-nocookie.com/redirect?q=x"),
    ("vimeo-non-numeric", "https://player.vimeo.com/video/abc"),
    ("vimeo-other-path", "https://player.vimeo.com/api/x"),
    ("empty", ""),
    ("spaces", "   "),
    ("not-a-url", "https://"),
]

# (name, src as written, the address the page must carry): what a browser loads, and so what is kept.
ALLOWED = [
    ("youtube", "https://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ"),
    ("nocookie-query", "https://www.youtube-nocookie.com/embed/a_b-c?start=30&rel=0",
     "https://www.youtube-nocookie.com/embed/a_b-c?start=30&rel=0"),
    ("vimeo", "https://player.vimeo.com/video/76979871?h=8272103f6e", "https://player.vimeo.com/video/76979871?h=8272103f6e"),
    ("mixed-case", "HTTPS://WWW.YouTube.COM/embed/x", "https://www.youtube.com/embed/x"),
    ("default-port", "https://www.youtube.com:443/embed/x", "https://www.youtube.com/embed/x"),
    ("tab-in-host", "https://www.you&#9;tube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("newline-in-scheme", "ht\ntps://www.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("percent-encoded-host", "https://www%2Eyoutube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("fullwidth-host", "https://\uff57\uff57\uff57.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("spaces-and-controls-around", " \x01https://www.youtube.com/embed/x\x1f ", "https://www.youtube.com/embed/x"),
    ("userinfo-empty", "https://:@www.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("entity-encoded", "https&#58;//www.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
]  # fmt: skip

REFUSED_IDS = [name for name, _ in REFUSED]
ALLOWED_IDS = [name for name, _, _ in ALLOWED]


def iframe(src):
    escaped = src.replace('"', "&quot;")
    return f'<iframe src="{escaped}" width="560" height="315" title="Video" allowfullscreen></iframe>'


def iframes_as_a_browser_reads(html, base="https://news.example.org/"):
    """(src as the browser resolves it, the iframe element) for every iframe in an HTML fragment or page."""
    found = []
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter("iframe"):
        src = element.get("src")
        try:
            resolved = URL(src, base=base) if src is not None else None
        except ValueError:
            resolved = None
        found.append((resolved, element))
    return found


def assert_only_listed_players(html, base="https://news.example.org/"):
    for resolved, element in iframes_as_a_browser_reads(html, base):
        assert resolved is not None, element.attrib
        assert resolved.protocol == "https:" and resolved.hostname in settings.VIDEO_EMBED_HOSTS, resolved.href
        assert not resolved.username and not resolved.password and not resolved.port, resolved.href
        assert element.get("sandbox") == SANDBOX


# The rule on its own


@pytest.mark.parametrize(("name", "src"), REFUSED, ids=REFUSED_IDS)
def test_embed_url_refuses_what_a_browser_would_load_from_elsewhere(name, src):
    from html import unescape

    assert embed_url(unescape(src)) is None


@pytest.mark.parametrize(("name", "src", "expected"), ALLOWED, ids=ALLOWED_IDS)
def test_embed_url_gives_the_address_a_browser_would_load(name, src, expected):
    from html import unescape

    assert embed_url(unescape(src)) == expected


@pytest.mark.parametrize(("name", "src"), REFUSED, ids=REFUSED_IDS)
def test_a_refused_iframe_is_dropped_whole(name, src):
    html = sanitize(f"<p>before</p>{iframe(src)}<p>after</p>")
    assert "<iframe" not in html.lower()
    assert html == "<p>before</p><p>after</p>"


@pytest.mark.parametrize(("name", "src", "expected"), ALLOWED, ids=ALLOWED_IDS)
def test_an_allowed_iframe_carries_the_address_the_browser_loads(name, src, expected):
    html = sanitize(iframe(src))
    [(resolved, element)] = iframes_as_a_browser_reads(html)
    assert element.get("src") == expected == resolved.href
    assert element.get("sandbox") == SANDBOX
    assert element.get("title") == "Video" and element.get("allowfullscreen") == ""


def test_an_iframe_without_a_source_is_dropped():
    assert sanitize("<p>a</p><iframe></iframe><iframe title=x>fallback</iframe><p>b</p>") == "<p>a</p><p>b</p>"


def test_an_iframe_keeps_no_fallback_text():
    """Fallback content is never shown by a browser, but a feed reader that is not an HTML5 parser might."""
    html = sanitize('<iframe src="https://www.youtube.com/embed/x"><script>alert(1)</script>text</iframe>')
    assert "<script" not in html and "text" not in html


def test_dropping_a_refused_iframe_leaves_its_neighbours_intact():
    html = sanitize(
        '<p><a title="<iframe src=x>" href="https://example.org/">link</a></p>'
        f"{iframe('https://evil.example/')}<p>mid</p>{iframe('https://www.youtube.com/embed/ok')}<p>end</p>"
    )
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    assert tree.find(".//a").get("title") == "<iframe src=x>"
    assert [p.text for p in tree.iter("p")][1:] == ["mid", "end"]
    assert [element.get("src") for element in tree.iter("iframe")] == ["https://www.youtube.com/embed/ok"]


def test_markdown_fields_drop_refused_embeds():
    evil = iframe(r"https://evil.example\@www.youtube.com/embed/x")
    for render in (render_body, render_plain):
        html = render(f"Text.\n\n{evil}\n\nMore.")
        assert "<iframe" not in html and "evil.example" not in html
        assert "<p>Text.</p>" in html and "<p>More.</p>" in html


# Through every field and channel


def embedding_site(src):
    """An article whose body, author bio and correction note each embed ``src``."""
    author = Author.objects.create(name="Embed Author", bio=f"Biomark\n\n{iframe(src)}\n\nBio end.")
    article = ArticleFactory(headline="Embeds", body=f"Bodymark\n\n{iframe(src)}\n\nBody end.", bylines=[author])
    Correction.objects.create(article=article, note=f"Notemark\n\n{iframe(src)}\n\nNote end.")
    return article, author


def channels(client, article, author):
    """Every page and feed that shows the body, the bio or the note: (name, kind, text)."""
    pages = [
        ("article", article.get_absolute_url()),
        ("author", author.get_absolute_url()),
        ("corrections", reverse("articles:corrections")),
    ]
    feeds = [
        ("rss", reverse("articles:feed")),
        ("atom", reverse("articles:atom_feed")),
        ("author-rss", reverse("articles:author_feed", args=[author.slug])),
        ("corrections-rss", reverse("articles:corrections_feed")),
    ]
    for name, url in pages + feeds:
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        yield name, "feed" if (name, url) in feeds else "page", response.content.decode()


def html_parts(kind, text):
    """A page is HTML; a feed's descriptions and content are HTML inside XML, as feed readers read them."""
    if kind == "page":
        return [text]
    return [element.text for element in ET.fromstring(text.encode()).iter() if element.text]  # noqa: S314


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "src"), REFUSED, ids=REFUSED_IDS)
def test_refused_embeds_reach_no_page_or_feed(client, name, src):
    article, author = embedding_site(src)
    seen = set()
    for channel, kind, text in channels(client, article, author):
        parts = html_parts(kind, text)
        for part in parts:
            assert not iframes_as_a_browser_reads(part), (channel, part)
        seen |= {mark for mark in ("Bodymark", "Biomark", "Notemark") if mark in text}
    assert seen == {"Bodymark", "Biomark", "Notemark"}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "src", "expected"), ALLOWED, ids=ALLOWED_IDS)
def test_allowed_embeds_reach_pages_and_feeds_as_the_browser_reads_them(client, name, src, expected):
    article, author = embedding_site(src)
    found, addresses = {}, set()
    for channel, kind, text in channels(client, article, author):
        for part in html_parts(kind, text):
            assert_only_listed_players(part)
            frames = iframes_as_a_browser_reads(part)
            found[channel] = found.get(channel, 0) + len(frames)
            addresses |= {element.get("src") for _, element in frames}
    assert addresses == {expected}
    # the article page shows the body and the note; the author page the bio; the corrections page the note
    assert found["article"] == 2 and found["author"] == 1 and found["corrections"] == 1
    assert found["rss"] == found["atom"] == found["author-rss"] == found["corrections-rss"] == 1
