"""A post body's Liquid, rendered as Jekyll renders it, in a sandbox (python-liquid).

The environment knows ``site`` (``_config.yml``), ``page`` and ``post`` (the front matter and what Jekyll
computes: date, categories, tags, url), Liquid's standard tags and filters and Jekyll's own
(``liquid_filters``), and Jekyll's tags: ``include`` (from the site's ``_includes/`` and nowhere else),
``post_url``, ``link``, ``highlight`` (to fenced code) and ``raw``. What an include produces goes through
the site's sanitizer (``rendering.sanitize``, embeds through the embed allowlist) before it joins the body.

Limits keep a hostile post or include from hanging or bloating the import: loop iterations (nested and in
all), output size, include depth, local variables' size. An include that reaches one is kept as text with
a warning; a body that reaches one keeps its Liquid as text. A tag, filter or (in the body) variable this
environment does not know is kept as text with a warning, as is an include that is missing or outside
``_includes/``. ``{% post_url %}`` and ``{% link %}`` give a placeholder (``links.TOKEN``) that
``links.resolve`` turns into the linked article's new address, whatever prefix surrounds it.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from liquid import Environment, Mode
from liquid.context import RenderContext
from liquid.exceptions import LiquidError, LiquidSyntaxError, LoopIterationLimitError, ResourceLimitError
from liquid.lex import compile_liquid_rules
from liquid.template import BoundTemplate

from .links import token_for
from .liquid_filters import FILTERS
from .liquid_tags import HighlightTag, IncludeRelativeTag, IncludeTag, LinkTag, PostUrlTag, reason, short
from .report import warning

MAX_INCLUDE_BYTES = 256 * 1024
MAX_ITERATIONS = 100_000  # loop iterations in all, in one post
# Tags that only close or divide a block, and names that are not variables.
INNER_TAGS = {"else", "elsif", "when", "endraw"}
KEYWORDS = {"true", "false", "nil", "null", "empty", "blank"}
BUILTIN_ROOTS = {"site", "page", "post", "jekyll", "paginator", "layout", "content", "include", "forloop"}
ASSIGNED = re.compile(r"\{%-?\s*(?:assign|capture|increment|decrement|for|tablerow)\s+([A-Za-z_][\w-]*)")
LEXER = compile_liquid_rules()
STRINGS = re.compile(r""""[^"]*"|'[^']*'""")
FILTER_NAME = re.compile(r"\|\s*([A-Za-z_][\w-]*)")
ROOT = re.compile(r"\s*([A-Za-z_][\w-]*)")


@dataclass
class LiquidResult:
    text: str
    warnings: list = field(default_factory=list)
    post_links: list = field(default_factory=list)  # the new address of each post linked, by token number


class State:
    """What one render collects: warnings, linked posts, how deep in includes it is."""

    def __init__(self, resolve_post):
        self.resolve_post = resolve_post
        self.warnings = []
        self.post_links = []
        self.depth = 0
        self.iterations = 0

    def warn(self, text):
        if text not in self.warnings:
            self.warnings.append(warning("Liquid", text))

    def link(self, name):
        url = self.resolve_post(name) if self.resolve_post else None
        if url is None:
            return None
        self.post_links.append(url)
        return token_for(len(self.post_links) - 1)


class JekyllContext(RenderContext):
    __slots__ = ()

    def raise_for_loop_limit(self, length=1):
        super().raise_for_loop_limit(length)
        state = self.env.state
        state.iterations += length
        if state.iterations > MAX_ITERATIONS:
            raise LoopIterationLimitError("loop iteration limit reached", token=None)


class JekyllTemplate(BoundTemplate):
    context_class = JekyllContext


class Includes:
    """The site's ``_includes/`` folder: the only place templates come from; each is read and parsed once."""

    def __init__(self, env, root):
        self.env = env
        self.folder = (Path(root) / "_includes").resolve() if root else None
        self.loaded = {}

    def load(self, name):
        """(template, None), or (None, the reason it cannot be included)."""
        if name not in self.loaded:
            self.loaded[name] = self._load(name)
        template, problem, warnings = self.loaded[name]
        for text in warnings:
            self.env.state.warn(text)
        return template, problem

    def _load(self, name):
        if self.folder is None or not self.folder.is_dir():
            return None, "the site has no _includes/ folder", []
        parts = Path(name).parts
        if not name or Path(name).is_absolute() or ".." in parts or "\\" in name or "\0" in name:
            return None, "refused: only files inside _includes/ may be included", []
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder):
            return None, "refused: only files inside _includes/ may be included", []
        if not path.is_file():
            return None, "no such file in _includes/", []
        if path.stat().st_size > MAX_INCLUDE_BYTES:
            return None, f"the include is larger than {MAX_INCLUDE_BYTES // 1024} KB", []
        source = path.read_bytes().decode("utf-8", errors="replace")
        source, warnings = protect(source, self.env, f"_includes/{name}: ")
        try:
            template = self.env.from_string(source, name=name)
        except LiquidError as error:
            return None, f"cannot be read as Liquid ({reason(error)})", []
        return template, None, warnings


class JekyllEnvironment(Environment):
    """One site's Liquid: its settings, its includes, Jekyll's tags and filters, and limits."""

    loop_iteration_limit = 10_000
    output_stream_limit = 4 * 1024 * 1024
    context_depth_limit = 40
    local_namespace_limit = 1024 * 1024
    template_class = JekyllTemplate

    def __init__(self, site):
        self.site = site
        self.state = State(None)
        super().__init__(tolerance=Mode.STRICT, strict_filters=True)
        self.includes = Includes(self, site.root)
        self.site_variables = {**site.config, "url": site.url, "baseurl": site.baseurl}
        self.known_tags = set(self.tags) | INNER_TAGS | {tag.end for tag in self.tags.values() if tag.end}

    def error(self, exc, msg=None, token=None):
        """A statement that fails while rendering (a bad filter argument, say) is left out with a warning;
        syntax errors and limits stop the render (the caller keeps the text)."""
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        elif not exc.token:
            exc.token = token
        if isinstance(exc, LiquidSyntaxError | ResourceLimitError) or exc.token is None:
            raise exc
        self.state.warn(f"Liquid error in {short(exc.token.value)} ({reason(exc)}); left out")

    def setup_tags_and_filters(self, *, extra=False):
        super().setup_tags_and_filters(extra=extra)
        for name in ("render", "include"):
            del self.tags[name]
        for tag in (IncludeTag, IncludeRelativeTag, PostUrlTag, LinkTag, HighlightTag):
            self.add_tag(tag)
        for name, function in FILTERS.items():
            self.add_filter(name, function)


def protect(source, env, where="", variables=False):
    """Keep as text (inside ``raw``) each tag or statement the environment does not know; say which."""
    out, warnings, position, comment = [], [], 0, 0
    assigned = set(ASSIGNED.findall(source)) if variables else set()
    for match in LEXER.finditer(source):
        kind, text = match.lastgroup, match.group(0)
        if kind == "TAG":
            name = match.group("name")
            if name in {"comment", "endcomment"}:
                comment = comment + 1 if name == "comment" else max(comment - 1, 0)
            if comment > 0 or name == "endcomment":
                continue
            expression = match.group("expr") or ""
            unknown = None if name in env.known_tags else f"Liquid tag {{% {name} %}} is not supported"
        elif kind == "output":
            expression = match.group("stmt") or ""
            root = ROOT.match(expression)
            unknown = None
            if variables and root and root.group(1) not in KEYWORDS | BUILTIN_ROOTS | assigned:
                unknown = f"Liquid variable “{root.group(1)}” is not defined"
        else:
            continue
        if comment > 0:
            continue
        filters = [name for name in FILTER_NAME.findall(STRINGS.sub("", expression)) if name not in env.filters]
        if unknown is None and filters:
            unknown = f"Liquid filter “{filters[0]}” is not supported"
        if unknown:
            warnings.append(warning("Liquid", f"{where}{unknown}: {short(text)} kept as text"))
            out += [source[position : match.start()], "{% raw %}", text, "{% endraw %}"]
            position = match.end()
    out.append(source[position:])
    return "".join(out), warnings


class Renderer:
    """Renders post bodies for one site; ``resolve_post(name)`` gives a linked post's new address."""

    def __init__(self, site, resolve_post=None):
        self.env = JekyllEnvironment(site)
        self.resolve_post = resolve_post

    def render(self, body, page):
        if "{{" not in body and "{%" not in body:
            return LiquidResult(body)
        state = self.env.state = State(self.resolve_post)
        source, warnings = protect(body, self.env, variables=True)
        state.warnings += warnings
        scope = {"site": self.env.site_variables, "page": page, "post": page, "jekyll": {"version": "4.3.1"}}
        try:
            text = self.env.from_string(source).render(**scope)
        except (LiquidError, RecursionError) as error:
            why = warning("Liquid", f"Liquid not rendered ({reason(error)}); kept as text")
            return LiquidResult(body, [*warnings, why])
        return LiquidResult(text, state.warnings, state.post_links)


def escape(text):
    """Protect Liquid-looking text in a body so Jekyll shows it as written (the inverse of ``raw``)."""
    return re.sub(r"(\{\{|\{%)", lambda match: "{% raw %}" + match.group(1) + "{% endraw %}", text)
