"""Markdown to safe HTML, done once when an article is saved.

Editors write Markdown with the extensions news writers use (tables, footnotes, smart quotes, heading
anchors, attribute lists, fenced code). The output is sanitized by nh3 against the allowlist below, so
nothing an editor types can run script on a reader's page. Body images are placed with a line of its own
reading ``[[image:REF]]``, where REF is the reference shown beside the image in the admin.
"""

import re
import threading
from html import escape, unescape

import markdown
import nh3
from ada_url import URL
from django.conf import settings
from django.template.loader import render_to_string

IMAGE_REFERENCE = re.compile(r"^\[\[image:([\w-]+)\]\]\s*$", re.MULTILINE)

ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "small", "source", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "li": {"id"},
    "sup": {"id"},
    "ol": {"start"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"srcset", "type", "sizes"},
    "iframe": {"src", "width", "height", "title", "allowfullscreen"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
}

ALLOWED_CLASSES = {
    "p": {"lead", "note"},
    "div": {"footnote", "embed"},
    "a": {"footnote-ref", "footnote-backref"},
    "figure": {"body-image", "lead"},
    "blockquote": {"pullquote"},
    "table": {"data"},
    "code": {f"language-{lang}" for lang in (
        "python", "javascript", "js", "html", "css", "sql", "bash", "shell", "json", "yaml", "r", "ruby",
        "text", "csv", "xml", "markdown", "go", "rust", "java", "c", "cpp",
    )},
}  # fmt: skip

URL_SCHEMES = {"http", "https", "mailto", "tel"}

SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"


def embed_url(src):
    """The address a browser loads for an iframe whose ``src`` is ``src``, if it is a listed video player.

    Read by the WHATWG URL rules, as browsers read it (a backslash is a slash, tabs and newlines vanish,
    hosts are percent-decoded, lower-cased and IDNA-mapped), so what is checked is what loads. Allowed:
    ``https`` on a host in ``VIDEO_EMBED_HOSTS``, no user name or password, the default port, and a path
    matching the host's pattern in ``VIDEO_EMBED_PATHS``. Returns the normalized address, or None.
    """
    try:
        url = URL(src)
    except ValueError:  # not an absolute URL (a scheme-relative "//host" one included); or unencodable text
        return None
    host = url.hostname
    pattern = settings.VIDEO_EMBED_PATHS.get(host) if host in settings.VIDEO_EMBED_HOSTS else None
    if url.protocol != "https:" or url.username or url.password or url.port or pattern is None:
        return None
    return url.href if re.fullmatch(pattern, url.pathname) else None


def _filter_attribute(tag, attribute, value):
    if tag == "iframe" and attribute == "src":
        return embed_url(value)
    return value


# nh3's output is regular: attribute values are double-quoted with ``"``, ``<`` and ``>`` escaped, and an
# iframe's content is raw text that cannot hold ``</iframe>``.
IFRAME = re.compile(r"<iframe((?:\s+[^\s\"'>/=]+(?:=\"[^\"]*\")?)*)\s*>.*?</iframe>", re.DOTALL)
ATTRIBUTE_NAME = re.compile(r"\s+([^\s\"'>/=]+)(?:=\"[^\"]*\")?")


def _embeds_only(html):
    """Drop every iframe left without a source (its address was refused), and every iframe's fallback text."""

    def keep(match):
        names = ATTRIBUTE_NAME.findall(match.group(1))
        return f"<iframe{match.group(1)}></iframe>" if "src" in names else ""

    return IFRAME.sub(keep, html) if "<iframe" in html else html


def sanitize(html):
    """Reduce HTML to the allowlist: no script, no event handlers, no dangerous URLs, no foreign frames."""
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "title", "xmp"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        set_tag_attribute_values={
            "iframe": {"sandbox": SANDBOX, "loading": "lazy", "referrerpolicy": "strict-origin"},
        },
        strip_comments=True,
    )
    return _embeds_only(html)


ATX_HEADING = re.compile(r"^(#{1,6})[ \t]", re.MULTILINE)
SETEXT_TOP_HEADING = re.compile(r"^\S.*\n=+[ \t]*$", re.MULTILINE)
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _heading_base_level(text):
    """Shift headings so the body's biggest one is an <h2> under the page's <h1>, whichever level it was typed at."""
    text = FENCED_CODE.sub("", text)
    levels = [len(match.group(1)) for match in ATX_HEADING.finditer(text)]
    if SETEXT_TOP_HEADING.search(text):
        levels.append(1)
    return 3 - min(levels) if levels else 2


_converters = threading.local()


def _converter(baselevel):
    """A Markdown converter per heading base level, built once per thread (building one is costly)."""
    cache = _converters.__dict__.setdefault("by_level", {})
    if baselevel not in cache:
        cache[baselevel] = markdown.Markdown(
            extensions=[
                "tables",
                "footnotes",
                "smarty",
                "attr_list",
                "fenced_code",
                "sane_lists",
                "def_list",
                "abbr",
                "toc",
            ],
            extension_configs={
                "toc": {"baselevel": baselevel, "permalink": False},
                "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
            },
            output_format="html",
        )
    return cache[baselevel]


def _render_markdown(text):
    baselevel = _heading_base_level(text)
    md = _converter(baselevel)
    try:
        return md.reset().convert(text)
    except RecursionError:
        # Python-Markdown recurses on nesting (emphasis, lists); text nested past Python's limit is shown as
        # typed rather than failing the save or the import, and the converter it broke is thrown away.
        _converters.by_level.pop(baselevel, None)
        return _as_typed(text)
    finally:
        md.reset()


def _as_typed(text):
    """Text as escaped paragraphs, one for each run of lines between blank lines."""
    blocks = re.split(r"\n[ \t]*\n", text.strip())
    return "\n".join(f"<p>{escape(block.strip())}</p>" for block in blocks if block.strip())


def image_references(text):
    """The body image references a body places, in order (the admin refuses a save that names a missing one)."""
    return IMAGE_REFERENCE.findall(text or "")


def _place_images(text, images):
    """Swap ``[[image:REF]]`` lines for figures. A reference to no image shows readers nothing."""
    by_ref = {image.ref: image for image in images}

    def figure(match):
        image = by_ref.get(match.group(1))
        if image is None or not image.image:
            return ""
        html = render_to_string("articles/includes/body_image.html", {"image": image})
        # Collapse to one line so Markdown keeps it as a single raw HTML block.
        return "\n" + " ".join(html.split()) + "\n"

    return IMAGE_REFERENCE.sub(figure, text)


def render_body(text, images=()):
    """Render an article body (Markdown) to sanitized HTML."""
    if not text:
        return ""
    return sanitize(_render_markdown(_place_images(text, images)))


def render_plain(text):
    """Render a short Markdown field (a correction note, a bio) to sanitized HTML."""
    return sanitize(_render_markdown(text or ""))


TAG = re.compile(r"<[^>]*>")


def plain_text(html):
    """The words of rendered body HTML, as readers read them: no tags, entities decoded, spaces collapsed."""
    # The HTML is our own sanitized output, so dropping its tags with a pattern is exact and much faster
    # than a general HTML parser.
    return " ".join(unescape(TAG.sub(" ", html or "")).split())
