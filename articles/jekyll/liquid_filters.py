"""Jekyll's own Liquid filters, the ones that mean something outside a Jekyll build.

Each takes the site's settings from the environment (``environment.site``). Filters that depend on the
build (``sample``, ``where_exp``, ``find_exp``) or on plugins are left out: a post using one keeps the
statement as text, with a warning.
"""

import datetime
import html
import json
import re
from urllib.parse import quote, quote_plus

import markdown
from liquid.filter import int_arg, with_environment

from .. import rendering
from .site import slugify as jekyll_slugify


def _text(value):
    return "" if value is None or type(value).__name__.endswith("Undefined") else str(value)


def _url_of(value):
    value = value.get("url", "") if isinstance(value, dict) else value
    return _text(value)


def _absolute(url):
    return bool(re.match(r"\A[a-zA-Z][a-zA-Z0-9+.-]*:", url))


@with_environment
def relative_url(value, *, environment):
    """``baseurl`` in front of a site path (Jekyll's ``relative_url``); full addresses are kept."""
    url = _url_of(value)
    if _absolute(url):
        return url
    if url and not url.startswith("/"):
        url = "/" + url
    return environment.site.baseurl + url


@with_environment
def absolute_url(value, *, environment):
    url = _url_of(value)
    if _absolute(url):
        return url
    return environment.site.url + relative_url(url, environment=environment)


def _date(value):
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    try:
        return datetime.datetime.fromisoformat(_text(value))
    except ValueError:
        return None


def _ordinal(day):
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date_string(value, month_format, kind=None, style=None):
    date = _date(value)
    if date is None:
        return _text(value)
    month = date.strftime(month_format)
    if kind == "ordinal":
        day = _ordinal(date.day)
        return f"{month} {day}, {date.year}" if style == "US" else f"{day} {month} {date.year}"
    return f"{date:%d} {month} {date.year}"


def date_to_string(value, kind=None, style=None):
    return _date_string(value, "%b", kind, style)


def date_to_long_string(value, kind=None, style=None):
    return _date_string(value, "%B", kind, style)


def date_to_xmlschema(value):
    date = _date(value)
    return date.isoformat() if date else _text(value)


def date_to_rfc822(value):
    date = _date(value)
    return date.strftime("%a, %d %b %Y %H:%M:%S %z").strip() if date else _text(value)


def xml_escape(value):
    return html.escape(_text(value), quote=True).replace("&#x27;", "'")


def cgi_escape(value):
    return quote_plus(_text(value))


def uri_escape(value):
    return quote(_text(value), safe="!#$&'()*+,/:;=?@[]~")


def markdownify(value):
    """Markdown to HTML through the site's own renderer and sanitizer."""
    return rendering.render_plain(_text(value))


def smartify(value):
    converted = markdown.markdown(html.escape(_text(value), quote=False), extensions=["smarty"])
    return html.unescape(re.sub(r"\A<p>|</p>\Z", "", converted))


def slugify(value, mode="default"):
    return jekyll_slugify(_text(value), mode if mode in {"default", "pretty"} else "default")


def jsonify(value):
    return json.dumps(value, ensure_ascii=False, default=str)


def inspect(value):
    return jsonify(value)


def number_of_words(value, mode=None):
    return len(_text(value).split())


def normalize_whitespace(value):
    return " ".join(_text(value).split())


def array_to_sentence_string(value, connector="and"):
    items = [_text(item) for item in (value if isinstance(value, list | tuple) else [value])]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {connector} {items[1]}"
    return ", ".join(items[:-1]) + f", {connector} {items[-1]}"


def group_by(value, key):
    groups = {}
    for item in value if isinstance(value, list | tuple) else []:
        name = _text(item.get(key)) if isinstance(item, dict) else ""
        groups.setdefault(name, []).append(item)
    return [{"name": name, "items": items, "size": len(items)} for name, items in groups.items()]


def push(value, item):
    return [*(value if isinstance(value, list | tuple) else []), item]


def unshift(value, item):
    return [item, *(value if isinstance(value, list | tuple) else [])]


def _count(count):
    return int_arg(count, default=1)


def pop(value, count=1):
    items = list(value) if isinstance(value, list | tuple) else []
    return items[: max(len(items) - _count(count), 0)]


def shift(value, count=1):
    items = list(value) if isinstance(value, list | tuple) else []
    return items[max(_count(count), 0) :]


FILTERS = {
    "relative_url": relative_url,
    "absolute_url": absolute_url,
    "date_to_string": date_to_string,
    "date_to_long_string": date_to_long_string,
    "date_to_xmlschema": date_to_xmlschema,
    "date_to_rfc822": date_to_rfc822,
    "xml_escape": xml_escape,
    "cgi_escape": cgi_escape,
    "uri_escape": uri_escape,
    "markdownify": markdownify,
    "smartify": smartify,
    "slugify": slugify,
    "jsonify": jsonify,
    "inspect": inspect,
    "number_of_words": number_of_words,
    "normalize_whitespace": normalize_whitespace,
    "array_to_sentence_string": array_to_sentence_string,
    "group_by": group_by,
    "push": push,
    "pop": pop,
    "shift": shift,
    "unshift": unshift,
}
