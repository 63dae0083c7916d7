"""Reading a post file: the front matter split from the body, and YAML read the way Jekyll reads it.

Jekyll (through SafeYAML) turns unquoted scalars into booleans, numbers, dates and times by its own rules,
which differ from PyYAML's. The loader here keeps every scalar as the text that was written, marking the
unquoted ones, so that each key can be typed as Jekyll would (``typed``) or kept as written (a title such
as ``no`` or ``1984``). Only plain YAML is accepted: no Python or Ruby object tags, few aliases (which
defeats "billion laughs" bombs) and a size cap on the whole file.
"""

import datetime
import re

import yaml
from django.conf import settings

MAX_ALIASES = 20
MAX_NODES = 10_000
MAX_DEPTH = 30

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n?)^(?:---|\.\.\.)[ \t]*$\n?", re.DOTALL | re.MULTILINE)

# SafeYAML's rules (Jekyll 4): what an unquoted scalar becomes.
YAML_DATE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})\Z")
YAML_TIME = re.compile(
    r"\A\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?\s*(?:Z|[-+]\d{1,2}(?::\d{2})?)?\Z"
)
TRUE = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
FALSE = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
NULL = {"", "~", "null", "Null", "NULL"}
INTEGER = re.compile(r"\A[-+]?(?:0|[1-9][0-9_,]*)\Z")
FLOAT = re.compile(r"\A[-+]?(?:\d[\d_,]*)?\.\d*(?:[eE][-+]?\d+)?\Z")


class FrontMatterError(ValueError):
    """The file cannot be read as a post; the message says why, for the import report."""


class Plain(str):
    """A scalar written without quotes, so YAML typing rules apply to it."""

    __slots__ = ()


class FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that resolves no implicit types, counts aliases and stops nesting at MAX_DEPTH.

    PyYAML composes nested collections by recursion, so a few kilobytes of ``[[[[...`` would otherwise
    end in RecursionError long before ``_check_size`` could see the result.
    """

    yaml_implicit_resolvers = {}

    def __init__(self, stream, what="front matter"):
        super().__init__(stream)
        self.what = what
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise FrontMatterError(f"{self.what} uses more than {MAX_ALIASES} YAML aliases and was refused")
        if self.depth > MAX_DEPTH:
            raise FrontMatterError(too_large(self.what))
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_text(self, node):
        value = self.construct_scalar(node)
        return Plain(value) if node.style is None else str(value)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:str", FrontMatterLoader.construct_text)


def too_large(what):
    return f"{what} is too large or too deeply nested and was refused"


def load_yaml(text, what="front matter"):
    """Load YAML text into plain Python values (see ``Plain``); raise FrontMatterError when it cannot."""
    loader = FrontMatterLoader(text, what)
    try:
        data = loader.get_single_data()
    except FrontMatterError:
        raise
    except yaml.constructor.ConstructorError as error:
        tag = getattr(error, "problem", "") or ""
        raise FrontMatterError(f"{what} uses a YAML type that is not allowed ({tag.strip()})") from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FrontMatterError(f"{what} is not valid YAML{where}: {error.problem or error}") from error
    except yaml.YAMLError as error:
        raise FrontMatterError(f"{what} is not valid YAML: {error}") from error
    finally:
        loader.dispose()
    _check_size(data, what)
    return data


def _check_size(data, what):
    """Refuse structures that aliases blow up (or make recursive) before anything walks them."""
    count = 0
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            raise FrontMatterError(too_large(what))
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


def check_file_size(size, max_bytes=None):
    """Refuse a post file of ``size`` bytes over the limit (the ``JEKYLL_MAX_FILE_BYTES`` setting)."""
    limit = max_bytes or settings.JEKYLL_MAX_FILE_BYTES
    if size > limit:
        raise FrontMatterError(f"file is {size // 1024} KB; posts may be at most {limit // 1024} KB")


def decode(data, max_bytes=None):
    """Bytes of a post file to text: UTF-8 (with or without BOM), LF line endings. Returns (text, warning)."""
    check_file_size(len(data), max_bytes)
    if b"\x00" in data[:8192]:
        raise FrontMatterError("binary content, not a text file")
    warning = ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warning = "file is not UTF-8; it was read as Windows-1252"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, warning


def split(text):
    """Split a post's text into its front matter (a dict) and its body."""
    match = FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---"):
            raise FrontMatterError("front matter is not closed by a line of three dashes")
        raise FrontMatterError("no front matter (a post starts with a line of three dashes)")
    data = load_yaml(match.group(1)) if match.group(1).strip() else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a set of keys and values")
    return {str(key): value for key, value in data.items()}, text[match.end() :]


def typed(value):
    """The value Jekyll would see: unquoted scalars typed by SafeYAML's rules, recursively."""
    if isinstance(value, dict):
        return {str(key): typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if not isinstance(value, Plain):
        return value
    text = str(value)
    if text in NULL:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    if INTEGER.match(text):
        return int(text.replace("_", "").replace(",", ""))
    if FLOAT.match(text) and text not in {".", "-.", "+."}:
        return float(text.replace("_", "").replace(",", ""))
    if YAML_DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return text
    return text


def text_of(value):
    """A scalar as it was written (for titles and names); None for a missing or empty value."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, Plain) and str(value) in NULL:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def as_bool(value, default=False):
    value = typed(value)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return bool(value)


def jsonable(value):
    """Front matter values in a form a JSONField keeps (dates as ISO text)."""
    value = typed(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        return str(value)
    return value
