"""Links in an imported body: to other posts, and to the old site's own addresses.

``{% post_url %}`` and ``{% link %}`` render as a placeholder path (``token_for``); ``replace_placeholders``
swaps the placeholder *and whatever address prefix surrounds it* (``{{ site.baseurl }}``, ``site.url``,
``relative_url``, ``absolute_url``) for the linked article's new address, so Jekyll 3's
``{{ site.baseurl }}{% post_url … %}`` and Jekyll 4's bare ``{% post_url … %}`` both land on the article.

``resolve`` then looks at every other link (Markdown, reference definitions, ``<a href>``) that points into
the old site (a path under its ``baseurl``, or a full address on its ``url``): one that is a post's old
address becomes the post's new address; one that Newsroom already answers is kept; the rest are kept as
written and reported.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings

from .report import warning

PLACEHOLDER_TEXT = "newsroompostlink"
PLACEHOLDER = re.compile(r"""[^\s"'<>()\[\]]*/""" + PLACEHOLDER_TEXT + r"""(\d+)x/""")
MARKDOWN_LINK = re.compile(r"(?<!!)(\[(?:[^\[\]\n]|\[[^\]\n]*\])*\]\(\s*<?)([^)\s>]+)")
REFERENCE = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?)([^\s>]+)", re.MULTILINE)
HTML_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*["'])([^"'<>]*)""", re.IGNORECASE)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")


def token_for(number):
    """The placeholder a post link renders as, until its new address replaces it."""
    return f"/{PLACEHOLDER_TEXT}{number}x/"


def replace_placeholders(text, urls):
    """Each placeholder, with the address prefix written around it, becomes the linked article's address."""
    if PLACEHOLDER_TEXT not in text:
        return text

    def replace(match):
        number = int(match.group(1))
        return urls[number] if number < len(urls) else match.group(0)

    return PLACEHOLDER.sub(replace, text)


def old_site_path(url, site):
    """(path, rest) when ``url`` points into the old site, else None. ``rest`` is its query and fragment."""
    if PLACEHOLDER_TEXT in url or url.startswith("#"):
        return None
    parts = urlsplit(url if not url.startswith("//") else "https:" + url)
    if parts.scheme or parts.netloc:
        own = urlsplit(site.url) if site.url else None
        if own is None or parts.scheme not in {"http", "https"} or parts.hostname != own.hostname:
            return None
        path = parts.path or "/"
    elif url.startswith("/"):
        path = parts.path
    else:
        return None
    if site.baseurl and not (path == site.baseurl or path.startswith(site.baseurl + "/")):
        return None
    if path.startswith((settings.MEDIA_URL, settings.STATIC_URL)) or path.lower().endswith(IMAGE_SUFFIXES):
        return None
    rest = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return path, rest


def resolve(text, site, lookup):
    """Links into the old site pointed at their new addresses; returns (text, warnings).

    ``lookup(path)`` gives the Newsroom address for an old path (the path itself when Newsroom answers it as
    it is), or None.
    """
    warnings = []

    def fix(url):
        found = old_site_path(url, site)
        if found is None:
            return url
        path, rest = found
        target = lookup(path)
        if target is None:
            text = f"link to {url} (an address of the old site) leads to nothing imported; kept as written"
            if text not in warnings:
                warnings.append(warning("Links", text))
            return url
        return target + rest

    if "/" not in text:
        return text, warnings
    for pattern in (MARKDOWN_LINK, REFERENCE, HTML_LINK):
        text = pattern.sub(lambda match: match.group(1) + fix(match.group(2)), text)
    return text, warnings
