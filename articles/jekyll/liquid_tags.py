"""Jekyll's own Liquid tags, read as Jekyll reads them: ``include`` (from ``_includes/`` only, its HTML
through the site's sanitizer), ``include_relative`` (refused), ``post_url``, ``link`` and ``highlight``.

Each node finds the render's state (warnings, linked posts, include depth) and the site's includes on the
environment (``liquid.JekyllEnvironment``).
"""

import html
import re
from collections import Counter

from liquid.ast import Node
from liquid.builtin.expressions import parse_primitive, tokenize
from liquid.exceptions import LiquidError, ResourceLimitError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from .. import rendering

MAX_INCLUDE_DEPTH = 10
# Jekyll's include parameters: key=value, the value quoted (literal) or a variable.
PARAMETER = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([\w.\[\]"'-]+))""")
DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "button", "link", "meta",
                  "base", "svg", "math", "frame", "frameset", "applet", "template", "textarea"}  # fmt: skip
HTML_TAG = re.compile(r"<\s*([A-Za-z][\w-]*)")
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def short(text):
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "…"


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
