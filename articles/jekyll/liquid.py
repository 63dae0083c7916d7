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

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from liquid import Environment, Mode
from liquid.ast import Node
from liquid.builtin.expressions import parse_primitive, tokenize
from liquid.context import RenderContext
from liquid.exceptions import LiquidError, LiquidSyntaxError, LoopIterationLimitError, ResourceLimitError
from liquid.lex import compile_liquid_rules
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.template import BoundTemplate
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from .. import rendering
from .links import token_for
from .liquid_filters import FILTERS
from .report import warning

MAX_INCLUDE_DEPTH = 10
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
# Jekyll's include parameters: key=value, the value quoted (literal) or a variable.
PARAMETER = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([\w.\[\]"'-]+))""")
DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "button", "link", "meta",
                  "base", "svg", "math", "frame", "frameset", "applet", "template", "textarea"}  # fmt: skip
HTML_TAG = re.compile(r"<\s*([A-Za-z][\w-]*)")
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


@dataclass
class LiquidResult:
    text: str
    warnings: list = field(default_factory=list)
    post_links: list = field(default_factory=list)  # the new address of each post linked, by token number


def short(text):
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "…"


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


def tag_text(token):
    """The whole ``{% … %}`` a tag token came from, to keep it as written."""
    source, start = token.source, token.start_index
    begin = source.rfind("{%", 0, start)
    end = source.find("%}", start)
    return source[begin : end + 2] if begin >= 0 and end >= 0 else token.value


def reason(error):
    """A Liquid error's message without the template excerpt."""
    return str(error.message) if isinstance(error, LiquidError) and error.message else str(error)


def render_markup(markup, context):
    """Tag arguments with ``{{ … }}`` in them (``{% link {{ page.other }} %}``), rendered."""
    if "{{" not in markup:
        return markup.strip()
    buffer = context.get_buffer()
    context.env.from_string(markup).render_with_context(context, buffer, partial=True)
    return buffer.getvalue().strip()


class MarkupNode(Node):
    """A Jekyll tag whose arguments are read as Jekyll reads them, not as a Liquid expression."""

    __slots__ = ("markup", "text")

    def __init__(self, token, markup):
        super().__init__(token)
        self.markup = markup
        self.text = tag_text(token)
        self.blank = False

    async def render_to_output_async(self, context, buffer):
        return self.render_to_output(context, buffer)

    def kept(self, context, buffer, why):
        context.env.state.warn(f"{short(self.text)}: {why}; kept as text")
        buffer.write(self.text)
        return True


class MarkupTag(Tag):
    block = False

    def parse(self, stream):
        token = stream.eat(TOKEN_TAG)
        stream.expect(TOKEN_EXPRESSION)
        return self.node_class(token, stream.current.value)


class PostUrlNode(MarkupNode):
    def render_to_output(self, context, buffer):
        name = render_markup(self.markup, context)
        placeholder = context.env.state.link(name)
        if placeholder is None:
            return self.kept(context, buffer, "no imported post of that name")
        buffer.write(placeholder)
        return True


class LinkNode(MarkupNode):
    def render_to_output(self, context, buffer):
        path = render_markup(self.markup, context).lstrip("/")
        if not re.match(r"(?:.*/)?_(?:posts|drafts)/", path):
            return self.kept(context, buffer, "links to a page the import does not bring")
        placeholder = context.env.state.link(path)
        if placeholder is None:
            return self.kept(context, buffer, "no imported post of that name")
        buffer.write(placeholder)
        return True


class PostUrlTag(MarkupTag):
    name = "post_url"
    node_class = PostUrlNode


class LinkTag(MarkupTag):
    name = "link"
    node_class = LinkNode


class IncludeNode(MarkupNode):
    """Jekyll's ``{% include file.html key="value" other=variable %}``, from ``_includes/`` only."""

    __slots__ = ("parameters",)

    def __init__(self, token, markup, parameters=()):
        super().__init__(token, markup)
        self.parameters = list(parameters)

    def render_to_output(self, context, buffer):
        env, state = context.env, context.env.state
        name = render_markup(self.markup, context)
        template, problem = env.includes.load(name)
        if template is None:
            return self.kept(context, buffer, problem)
        if state.depth >= MAX_INCLUDE_DEPTH:
            raise ResourceLimitError(f"includes nested more than {MAX_INCLUDE_DEPTH} deep", token=None)
        values = {key: value if isinstance(value, str) else value.evaluate(context) for key, value in self.parameters}
        output = context.get_buffer(buffer)
        state.depth += 1
        try:
            with context.extend({"include": values}, template=template):
                template.render_with_context(context, output, partial=True)
        except ResourceLimitError as error:
            if state.depth > 1:
                raise
            return self.kept(context, buffer, f"stopped: {reason(error)}")
        finally:
            state.depth -= 1
        text = output.getvalue()
        if state.depth == 0:
            text = self.cleaned(text, context)
        buffer.write(text)
        return True

    def cleaned(self, text, context):
        """The include's HTML through the site's sanitizer, with a warning for anything dangerous removed."""
        if not re.search(r"<[A-Za-z!/?]", text):
            return text
        cleaned = re.sub(r"^([ \t]*)&gt;", r"\1>", rendering.sanitize(text), flags=re.MULTILINE)
        cleaned = cleaned.replace(' class=""', "")
        before, after = (Counter(name.lower() for name in HTML_TAG.findall(html)) for html in (text, cleaned))
        removed = sorted(name for name in DANGEROUS_TAGS if before[name] > after[name])
        if EVENT_HANDLER.search(text):
            removed.append("event handler attributes")
        if re.search(r"(?:href|src)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):", text, re.IGNORECASE):
            removed.append("script addresses")
        if removed:
            what = ", ".join(f"<{name}>" if name in DANGEROUS_TAGS else name for name in removed)
            context.env.state.warn(f"{short(self.text)}: removed {what} from its output")
        return cleaned


class IncludeTag(MarkupTag):
    name = "include"

    def parse(self, stream):
        token = stream.eat(TOKEN_TAG)
        stream.expect(TOKEN_EXPRESSION)
        markup = stream.current.value.strip()
        if markup.startswith("{{"):  # {% include {{ page.kind }}.html key=value %}
            end = markup.find("}}") + 2
            end = end + len(re.match(r"\S*", markup[end:]).group(0)) if end > 1 else len(markup)
            name, rest = markup[:end], markup[end:]
        else:
            name, _, rest = markup.partition(" ")
        parameters = []
        for match in PARAMETER.finditer(rest):
            key, double, single, variable = match.groups()
            if variable is not None:
                tokens = TokenStream(tokenize(variable, parent_token=stream.current))
                parameters.append((key, parse_primitive(self.env, tokens)))
            else:
                parameters.append((key, re.sub(r"\\(.)", r"\1", double if double is not None else single)))
        return IncludeNode(token, name, parameters)


class IncludeRelativeNode(MarkupNode):
    def render_to_output(self, context, buffer):
        return self.kept(context, buffer, "only the site's _includes/ folder is read")


class IncludeRelativeTag(MarkupTag):
    name = "include_relative"
    node_class = IncludeRelativeNode


class HighlightNode(MarkupNode):
    __slots__ = ("block",)

    def __init__(self, token, markup, block):
        super().__init__(token, markup)
        self.block = block

    def render_to_output(self, context, buffer):
        code = context.get_buffer(buffer)
        self.block.render(context, code)
        code = code.getvalue().strip("\n")
        language = (re.match(r"\s*([\w+#.-]*)", self.markup).group(1)).lower()
        if context.env.state.depth > 0:  # inside an include, whose output is HTML
            css = f' class="language-{language}"' if language else ""
            buffer.write(f"<pre><code{css}>{html.escape(code, quote=False)}</code></pre>")
            return True
        longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
        fence = "`" * (longest + 1)
        before = "\n" if buffer.getvalue()[-1:] not in {"", "\n"} else ""
        buffer.write(f"{before}{fence}{language}\n{code}\n{fence}")
        return True


class HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"

    def parse(self, stream):
        token = stream.eat(TOKEN_TAG)
        markup = ""
        if stream.current.kind == TOKEN_EXPRESSION:
            markup = stream.current.value
            next(stream)
        block = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return HighlightNode(token, markup, block)


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
