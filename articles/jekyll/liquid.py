"""The Liquid a Jekyll post body may contain, turned into plain Markdown without running any template.

Handled: ``{{ site.baseurl }}``, ``{{ site.url }}``, ``{{ "/path" | relative_url }}`` and ``absolute_url``,
``{% highlight lang %}`` (to fenced code), ``{% raw %}`` (its content kept literally), ``{% comment %}``
(dropped), ``{% post_url name %}`` and ``{% link _posts/... %}`` (to the imported article's new address).
Any other tag or output is kept as text, and reported, so an editor can decide what to do with it.
"""

import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}|\{\{-?(.*?)-?\}\}", re.DOTALL)
QUOTED = re.compile(r"""\A\s*(?:"([^"]*)"|'([^']*)')\s*\|\s*(relative_url|absolute_url)\s*\Z""")


def _end(name):
    return re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}")


@dataclass
class LiquidResult:
    text: str
    warnings: list = field(default_factory=list)
    post_links: list = field(default_factory=list)


def expand(text, site, resolve_post=None):
    """Expand the Liquid that has a sound meaning outside Jekyll; keep and report the rest.

    ``resolve_post(name)`` returns the new address of the post a ``post_url`` names, or None.
    """
    out, warnings, links = [], [], []
    position = 0
    while True:
        match = TOKEN.search(text, position)
        if match is None:
            out.append(text[position:])
            break
        out.append(text[position : match.start()])
        position = match.end()
        tag, arguments, expression = match.group(1), (match.group(2) or "").strip(), match.group(3)
        if expression is not None:
            value = _output(expression.strip(), site)
            if value is None:
                warnings.append(f"Liquid {_short(match.group(0))} kept as text")
                out.append(match.group(0))
            else:
                out.append(value)
            continue
        if tag in {"raw", "comment", "highlight"}:
            end = _end(tag).search(text, position)
            if end is None:
                warnings.append(f"Liquid {{% {tag} %}} is not closed; kept as text")
                out.append(match.group(0))
                continue
            inner = text[position : end.start()]
            position = end.end()
            if tag == "raw":
                out.append(inner)
            elif tag == "highlight":
                language = arguments.split()[0] if arguments else ""
                before = "" if not out or out[-1].endswith("\n") or not "".join(out) else "\n"
                out.append(f"{before}```{language}\n{inner.strip(chr(10))}\n```")
            continue
        if tag in {"post_url", "link"}:
            name = arguments.strip().strip("'\"")
            url = resolve_post(name) if resolve_post else None
            if url is None:
                warnings.append(f"Liquid {_short(match.group(0))}: no imported post of that name; kept as text")
                out.append(match.group(0))
            else:
                links.append(name)
                out.append(url)
            continue
        warnings.append(f"Liquid {_short(match.group(0))} kept as text")
        out.append(match.group(0))
    return LiquidResult("".join(out), warnings, links)


def _output(expression, site):
    base = site.baseurl
    if expression in {"site.baseurl", "site.base_url"}:
        return base
    if expression in {"site.url", "site.github.url"}:
        return site.url
    if expression in {"site.url | append: site.baseurl", "site.url }}{{ site.baseurl"}:
        return site.url + base
    match = QUOTED.match(expression)
    if match:
        path = match.group(1) if match.group(1) is not None else match.group(2)
        path = base + "/" + path.lstrip("/") if not path.startswith(("http://", "https://")) else path
        return (site.url + path) if match.group(3) == "absolute_url" and path.startswith("/") else path
    return None


def _short(token):
    token = " ".join(token.split())
    return token if len(token) <= 80 else token[:77] + "…"


def escape(text):
    """Protect Liquid-looking text in a body so Jekyll shows it as written (the inverse of ``raw``)."""
    return re.sub(r"(\{\{|\{%)", lambda match: "{% raw %}" + match.group(1) + "{% endraw %}", text)
