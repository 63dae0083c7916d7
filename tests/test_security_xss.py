"""Hostile text in every field, read back through every channel: pages, metadata, JSON-LD, feeds, sitemaps, admin.

Extends tests/test_rendering.py (the sanitizer on its own) to the whole site: each payload from
tests/xss_payloads.py is typed into every field a writer, editor or importer fills, and every page or
document that shows those fields is checked the way a browser or feed reader would read it.
"""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the site's own output
from urllib.parse import urlencode

import html5lib
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from articles.models import ArticleImage, Author, Correction, Section
from articles.rendering import _render_markdown

from .factories import ArticleFactory, image_bytes
from .xss_payloads import (
    CONTROL_BODY,
    MARKDOWN_ONLY,
    PAYLOADS,
    PROBES,
    X,
    assert_inert_html,
    json_ld_blocks,
    problems_in,
)

pytestmark = pytest.mark.django_db


# The admin's own form actions: these, and the live panel's (quick-post, start and end live coverage).
ADMIN_FORMS = (None, "", "/admin/logout/", re.compile(r"/admin/articles/article/\d+/live/(post|start|end)/"))


ADMIN_PAGE = {
    "allowed_script_src": ("/static/", "/admin/jsi18n/"),
    "allowed_scripts": ("application/json",),
    "allowed_forms": ADMIN_FORMS,
    "allow_inert_svg": True,
}
HTML_IN_XML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded", "{http://www.w3.org/2005/Atom}content",
               "{http://www.w3.org/2005/Atom}summary"}  # fmt: skip


def hostile_site(payload, number=0):
    """An article, its section, author, tag, photo, body image and correction, every field holding the payload.

    The Markdown fields (body, bio, correction note) open with a marker paragraph (``Bodymark1``, ...), since
    the sanitizer rightly drops whatever follows an unclosed tag; the markers prove those fields were shown.
    """
    section = Section.objects.create(
        name=f"{payload[:96]}{number or ''}", slug=f"hostile-{number}", description=payload
    )
    author = Author.objects.create(name=payload[:150], job_title=payload[:150], bio=f"Biomark{number}\n\n{payload}")
    article = ArticleFactory(
        headline=payload[:200],
        standfirst=payload,
        body=f"Bodymark{number} zebra\n\n{payload}\n\n[[image:1]]\n\nzebra crossing",
        section=section,
        bylines=[author],
        tags=[f"{payload[:90]} zebra {number}"],
        meta_description=payload[:300],
        hero_alt=payload[:300],
        hero_caption=payload[:500],
        hero_credit=payload[:200],
        hero_image=ContentFile(TINY_JPEG, name="hero.jpg"),
    )
    ArticleImage.objects.create(
        article=article,
        ref="1",
        image=ContentFile(TINY_JPEG, name="body.jpg"),
        alt=payload[:300],
        caption=payload[:500],
        credit=payload[:200],
    )
    article.rerender()
    Correction.objects.create(article=article, note=f"Notemark{number}\n\n{payload}")
    return article


TINY_JPEG = image_bytes(size=(16, 10))


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def assert_inert_xml(text):
    """Feeds and sitemaps: well-formed XML, and any element a feed reader shows as HTML is inert HTML."""
    root = ET.fromstring(  # noqa: S314
        text.encode()
    )
    for element in root.iter():
        if element.tag in HTML_IN_XML and element.text:
            assert_inert_html(element.text, allowed_forms=())


def shown(html):
    """What a browser reads from a page: every text and attribute value, whitespace collapsed, one a line."""
    pieces = []
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        if isinstance(element.tag, str):
            pieces += [element.text, *element.attrib.values()]
        pieces.append(element.tail)
    return "\n".join(" ".join(piece.split()) for piece in pieces if piece and piece.strip())


def feed_shows(text):
    """What a feed reader shows: element texts and attributes, and the HTML parts read as HTML."""
    pieces = []
    for element in ET.fromstring(text.encode()).iter():  # noqa: S314
        pieces += element.attrib.values()
        if element.text and element.text.strip():
            pieces.append(shown(element.text) if element.tag in HTML_IN_XML else " ".join(element.text.split()))
    return "\n".join(pieces)


def assert_shown(text, values, where):
    """Each value reached the reader as typed: escaped text parses back to it, so markup never does."""
    missing = [value for value in values if " ".join(value.split()) not in text]
    assert not missing, (where, missing)


def article_texts(article):
    """The plain-text fields of an article and of what it links to, as typed."""
    author = article.byline_authors[0]
    return {
        "headline": article.headline,
        "standfirst": article.standfirst,
        "meta": article.meta_description,
        "section": article.section.name,
        "section_description": article.section.description,
        "author": author.name,
        "job_title": author.job_title,
        "tag": article.tags.get().name,
        "hero": article.hero_alt,
        "caption": article.hero_caption,
        "credit": article.hero_credit,
    }


def marker(field, article):
    """The marker paragraph that opens a Markdown field of a hostile site (see hostile_site)."""
    return re.match(rf"({field}mark\d+)", {"Body": article.body, "Note": article.corrections.get().note,
                                           "Bio": article.byline_authors[0].bio}[field]).group(1)  # fmt: skip


# The change form escapes every field with the same widget code, so a sample of the families that try to
# break out of an attribute or a textarea stands for the rest (the admin lists see the whole corpus).
ADMIN_FORM_SAMPLE = [
    (name, payload)
    for name, payload in PAYLOADS
    if "breakout" in name or name in {"xss-locator", "img-onerror", "svg-onload", "comment-breakout", "rtl-override"}
]


@pytest.mark.parametrize(("name", "payload"), ADMIN_FORM_SAMPLE, ids=[name for name, _ in ADMIN_FORM_SAMPLE])
def test_hostile_text_is_inert_in_the_admin_change_form_and_preview(admin_client_, name, payload):
    article = hostile_site(payload)
    assert_inert_html(get_ok(admin_client_, reverse("admin:articles_article_preview", args=[article.pk])))
    assert_inert_html(get_ok(admin_client_, reverse("admin:articles_article_change", args=[article.pk])), **ADMIN_PAGE)


@pytest.mark.parametrize(("name", "payload"), PAYLOADS, ids=[name for name, _ in PAYLOADS])
def test_hostile_text_is_inert_on_the_pages_and_feeds_of_its_own_article(client, name, payload):
    """Article, section, tag and author pages and their feeds; each shows the payload, escaped or sanitized."""
    article = hostile_site(payload)
    article.refresh_from_db()
    tag, author, note = article.tags.get(), article.byline_authors[0], article.corrections.get()
    text = article_texts(article)
    card = [text["headline"], text["standfirst"], text["hero"]]
    pages = {
        article.get_absolute_url(): [
            *(text[key] for key in ("headline", "standfirst", "meta", "section", "author", "tag", "hero")),
            text["caption"], text["credit"], marker("Body", article), marker("Note", article),
        ],
        article.section.get_absolute_url(): [*card, text["section"], text["section_description"]],
        reverse("articles:tag", args=[tag.slug]): [*card, text["tag"]],
        author.get_absolute_url(): [*card, text["author"], text["job_title"], marker("Bio", article)],
    }  # fmt: skip
    for url, values in pages.items():
        html = get_ok(client, url)
        assert_inert_html(html)
        assert_shown(shown(html), values, url)
    html = get_ok(client, article.get_absolute_url())
    assert article.body_html in html and note.note_html in html
    assert json_ld_blocks(html)[0]["headline"] == text["headline"][:110]  # schema.org's limit
    assert author.bio_html in get_ok(client, author.get_absolute_url())
    feed = [text["headline"], text["standfirst"], marker("Body", article)]
    for url in (
        reverse("articles:section_feed", args=[article.section.slug]),
        reverse("articles:tag_atom_feed", args=[tag.slug]),
        reverse("articles:author_feed", args=[author.slug]),
    ):
        document = get_ok(client, url)
        assert_inert_xml(document)
        assert_shown(feed_shows(document), feed, url)


def follow(client, url, **check):
    """Every page of a list, from ``url`` through its rel=next links: each inert; what they show, joined."""
    seen = []
    while url:
        html = get_ok(client, url)
        assert_inert_html(html, **check)
        seen.append(shown(html))
        after = html5lib.parse(html, namespaceHTMLElements=False).find(".//a[@rel='next']")
        url = after is not None and (url.split("?")[0] + after.get("href"))
        assert len(seen) <= 10, "a list that never ends"
    return "\n".join(seen)


def test_the_whole_corpus_at_once_is_inert_in_every_list_feed_sitemap_and_admin_list(
    client, admin_client_, django_capture_on_commit_callbacks
):
    """Every payload in every sink, on whatever page of a list it lands; the feeds show the newest 30, so
    they are read after each batch of 20 articles (whose commit empties the page cache, as in production)."""
    articles, numbered = [], list(enumerate(PAYLOADS, start=1))
    for start in range(0, len(numbered), 20):
        with django_capture_on_commit_callbacks(execute=True):
            batch = [hostile_site(payload, number) for number, (_, payload) in numbered[start : start + 20]]
        articles += batch
        for url in (reverse("articles:feed"), reverse("articles:atom_feed")):
            document = get_ok(client, url)
            assert_inert_xml(document)
            assert_shown(feed_shows(document), [v for a in batch for v in
                         (a.headline, a.standfirst, marker("Body", a), a.byline_authors[0].name)], url)  # fmt: skip
        document = get_ok(client, reverse("articles:corrections_feed"))
        assert_inert_xml(document)
        assert_shown(feed_shows(document), [v for a in batch for v in (a.headline, marker("Note", a))], "corrections")
    year = articles[0].published_at.year
    texts = [article_texts(article) for article in articles]
    lists = {
        "/": ["headline", "author", "section"],
        reverse("articles:archive_year", args=[year]): ["headline", "standfirst", "author", "section", "hero"],
        reverse("articles:corrections"): ["headline"],
        reverse("articles:search") + "?q=zebra": ["headline", "standfirst", "section"],
    }
    seen = {url: follow(client, url) for url in lists}
    for url, keys in lists.items():
        assert_shown(seen[url], [text[key] for text in texts for key in keys], url)
    assert_shown(seen[reverse("articles:corrections")], [marker("Note", a) for a in articles], "notes")
    found = [a.get_absolute_url() for a in articles] + [marker("Body", a) for a in articles]
    assert_shown(seen[reverse("articles:search") + "?q=zebra"], found, "search found every article")
    documents = [reverse("articles:feed"), reverse("articles:atom_feed"), reverse("articles:corrections_feed"),
                 "/sitemap.xml", "/sitemap-articles.xml", "/sitemap-sections.xml", "/sitemap-tags.xml",
                 "/sitemap-authors.xml", "/news-sitemap.xml"]  # fmt: skip
    for url in documents:
        assert_inert_xml(get_ok(client, url))
    assert_shown(feed_shows(get_ok(client, "/news-sitemap.xml")), [text["headline"] for text in texts], "news")
    changelist = reverse("admin:articles_article_changelist")
    admin_lists = {
        changelist + "?q=zebra": ["headline", "section"],
        changelist + "?state=live": ["headline", "section"],
        reverse("admin:articles_author_changelist"): ["author"],
        reverse("admin:articles_section_changelist"): ["section"],
        reverse("admin:taggit_tag_changelist"): ["tag"],
    }
    for url, keys in admin_lists.items():
        assert_shown(follow(admin_client_, url, **ADMIN_PAGE), [text[key] for text in texts for key in keys], url)
    for url in (
        reverse("admin:articles_article_history", args=[articles[0].pk]),
        reverse("admin:articles_author_change", args=[articles[-1].byline_authors[0].pk]),
        reverse("admin:index"),
    ):
        assert_inert_html(get_ok(admin_client_, url), **ADMIN_PAGE)
    for _, payload in PAYLOADS:
        response = admin_client_.get(reverse("admin:articles_tag_suggestions"), {"q": payload[:5]})
        assert response["Content-Type"] == "application/json"
        response.json()


def test_hostile_search_and_page_parameters_are_inert(client):
    ArticleFactory(headline="Zebra crossing approved", body="zebra")
    search = reverse("articles:search")
    for _, payload in PAYLOADS:
        assert_inert_html(get_ok(client, search + "?" + urlencode({"q": payload})))
        for url, params in (
            (search, {"q": "zebra", "page": payload}),
            ("/", {"before": payload}),
            ("/", {"after": payload}),
        ):
            response = client.get(url, params)
            assert response.status_code in (200, 404), (url, params)
            assert_inert_html(response.content.decode())


def test_titles_and_meta_tags_hold_the_text_exactly_as_typed(client):
    payload = f'"></title><script>{X}</script><meta name="x'
    article = hostile_site(payload)
    document = html5lib.parse(get_ok(client, article.get_absolute_url()), namespaceHTMLElements=False)
    assert document.find(".//title").text.startswith(payload)
    metas = {m.get("property") or m.get("name"): m.get("content") for m in document.iter("meta")}
    assert metas["og:title"] == payload
    assert metas["description"].startswith(payload[:50])
    assert metas["og:image:alt"] == payload
    assert document.find(".//h1").text == payload


def test_json_ld_is_one_valid_data_block_that_round_trips_hostile_text(client):
    payload = f"</script><script>{X}</script><!--"
    article = hostile_site(payload)
    html = get_ok(client, article.get_absolute_url())
    [data] = json_ld_blocks(html)
    assert data["headline"] == payload
    assert data["description"] == payload
    assert data["author"][0]["name"] == payload
    assert data["articleSection"] == payload
    assert data["keywords"] == [f"{payload} zebra 0"]


def test_feed_descriptions_are_escaped_text_not_markup(client):
    payload = f"<b>Bold</b> claim <script>{X}</script>"
    article = hostile_site(payload)
    rss = ET.fromstring(  # noqa: S314
        get_ok(client, reverse("articles:feed")).encode()
    )
    item = rss.find("./channel/item")
    assert item.find("title").text == payload
    assert "<script" not in item.find("description").text
    import feedparser

    parsed = feedparser.parse(get_ok(client, reverse("articles:atom_feed")))
    assert parsed.entries[0].title == payload
    assert article.get_absolute_url() in parsed.entries[0].link


# Controls: the checks are not passing because everything was thrown away.


def test_legitimate_formatting_survives_on_the_page(client):
    article = ArticleFactory(headline="Council votes “yes” & moves on", body=CONTROL_BODY, standfirst="Less < more")
    html = get_ok(client, article.get_absolute_url())
    assert_inert_html(html)
    body = html5lib.parse(html, namespaceHTMLElements=False).find(".//div[@class='article-body']")
    assert body.find(".//strong").text == "bold"
    assert body.find(".//em").text == "italic"
    link = body.find(".//a[@title='The report']")
    assert link.get("href") == "https://example.org/report"
    assert body.find(".//blockquote") is not None and body.find(".//ol") is not None
    assert body.find(".//td[@style='text-align:left']") is not None
    iframe = body.find(".//iframe")
    assert iframe.get("src") == "https://www.youtube-nocookie.com/embed/abc123" and iframe.get("sandbox")
    assert body.find(".//sup") is not None
    assert "Council votes “yes” &amp; moves on" in html
    assert "Less &lt; more" in html


def test_every_payload_is_live_where_it_lands_unless_marked_a_probe():
    """A payload that cannot run even unescaped proves nothing: each must be caught by the checker as raw
    HTML, or (Markdown syntax) once rendered from Markdown without the sanitizer."""
    names = {name for name, _ in PAYLOADS}
    assert len(names) == len(PAYLOADS) and names >= MARKDOWN_ONLY | PROBES
    for name, payload in PAYLOADS:
        if name in PROBES:
            assert not problems_in(payload) and not problems_in(_render_markdown(payload)), name
        elif name in MARKDOWN_ONLY:
            assert not problems_in(payload) and problems_in(_render_markdown(payload)), name
        else:
            assert problems_in(payload), name


def test_the_checker_catches_what_it_is_meant_to_catch():
    assert problems_in(f"<p><img src=x onerror={X}></p>")
    assert problems_in('<a href=" java\tscript:alert(1)">x</a>')
    assert problems_in("<svg><circle/></svg>")
    assert problems_in(f"<script>{X}</script>")
    assert problems_in('<script type="application/ld+json">{not json</script>')
    assert problems_in('<iframe src="https://www.youtube.com/embed/a"></iframe>')
    assert not problems_in('<script type="application/ld+json">{"a": 1}</script><p>fine</p>')


# Video embeds: the iframe allowlist reads an address as a browser does (tests/test_security_embeds.py has
# the whole table); here the forms that fooled an RFC 3986 parser go into every field of a hostile site.
EMBED_BYPASSES = [
    ("embed-backslash-userinfo", r'<iframe src="https://evil.example\@www.youtube.com/embed/x"></iframe>'),
    ("embed-backslash-entity", '<iframe src="https://evil.example&#92;@www.youtube.com/embed/x"></iframe>'),
    ("embed-backslash-tab", '<iframe src="https://evil.example&#9;\\@www.youtube.com/embed/x"></iframe>'),
    ("embed-userinfo", '<iframe src="https://u:p@www.youtube.com/embed/x"></iframe>'),
    ("embed-scheme-relative", '<iframe src="//www.youtube.com/embed/x"></iframe>'),
    ("embed-open-redirect", '<iframe src="https://www.youtube.com/redirect?q=https://evil.example/"></iframe>'),
]


def iframe_sources(html):
    return [element.get("src") for element in html5lib.parse(html, namespaceHTMLElements=False).iter("iframe")]


@pytest.mark.parametrize(("name", "payload"), EMBED_BYPASSES, ids=[name for name, _ in EMBED_BYPASSES])
def test_embed_bypass_forms_leave_no_iframe_in_any_page_or_feed(client, name, payload):
    article = hostile_site(payload)
    author = article.byline_authors[0]
    for url in (article.get_absolute_url(), author.get_absolute_url(), reverse("articles:corrections")):
        html = get_ok(client, url)
        assert_inert_html(html)
        assert not iframe_sources(html), url
    for url in (reverse("articles:feed"), reverse("articles:atom_feed"), reverse("articles:corrections_feed")):
        root = ET.fromstring(get_ok(client, url).encode())  # noqa: S314
        for element in root.iter():
            if element.tag in HTML_IN_XML and element.text:
                assert not iframe_sources(element.text), url
