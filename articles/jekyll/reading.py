"""Reading Jekyll post files into ``Post`` records, by Jekyll's rules, before anything touches the database.

``Reader.discover`` finds the post files under the paths given (a site's ``_posts/`` and ``_drafts/``, or
loose files) and ``read_post`` turns one into a ``Post``: title, date, status, categories, tags, authors,
excerpt, image and the addresses Jekyll gave it. A file that cannot be read raises ``PostError`` (or a
front matter or date error) whose message is the reason given in the report.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..models import Article
from .dates import DateError, filename_date, jekyll_date
from .frontmatter import FrontMatterError, Plain, as_bool, check_file_size, decode, jsonable, split, text_of, typed
from .site import DATED_NAME, SKIP_FOLDERS, Site, SiteError, find_site_root

# Keys that become article fields; every other front matter key is kept in source_data.
READ_KEYS = {
    "title", "date", "slug", "author", "authors", "categories", "category", "tags", "tag", "excerpt",
    "excerpt_separator", "description", "image", "published", "featured", "hidden", "last_modified_at",
    "permalink", "canonical_url", "redirect_from", "render_with_liquid", "status",
}  # fmt: skip
STATIC_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".pdf", ".css",
    ".scss", ".sass", ".js", ".map", ".json", ".xml", ".yml", ".yaml", ".rb", ".lock", ".woff", ".woff2",
    ".ttf", ".eot", ".otf", ".mp3", ".mp4", ".mov", ".webm", ".zip", ".gz", ".csv", ".gemspec", ".py",
}  # fmt: skip


class PostError(ValueError):
    """A file that cannot be imported; the message is the reason given in the report."""


@dataclass
class Post:
    """What one file says, read and checked, before anything is written."""

    path: Path
    key: str
    site: Site
    title: str
    slug_source: str
    jekyll_slug: str
    date: object
    status: str
    categories: list
    tags: list
    authors: list
    body: str
    excerpt: str | None
    excerpt_separator: str
    description: str
    image: dict | None
    featured: bool
    hidden: bool
    revised_at: object
    canonical_url: str
    old_paths: list
    source_url: str
    extra: dict
    render_liquid: bool
    warnings: list = field(default_factory=list)
    page: dict = field(default_factory=dict)  # what Liquid's ``page`` holds


@dataclass
class Entry:
    """A post file found, before it is read: its key is the path relative to the site root."""

    path: Path
    key: str
    site: Site | None
    draft: bool
    display: str


def titleize(slug):
    return " ".join(word.capitalize() for word in slug.split("-"))


def _scalar(value):
    """A list item or a value as written: text stays text (``no`` is a tag, not false), nulls are dropped."""
    if isinstance(value, Plain):
        return None if typed(value) is None else str(value)
    return value


def _words(value):
    """A list, or a string split on spaces (Jekyll's rule for ``categories`` and ``tags``)."""
    value = _scalar(value)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in (_scalar(item) for item in value) if item is not None]
    return [] if value is None or isinstance(value, dict) else [value]


def _flatten(values):
    for value in values:
        if isinstance(value, list):
            yield from _flatten(value)
        elif isinstance(value, dict):
            continue
        elif value is not None and value != "":
            yield _scalar(value)


def _pluralized(data, singular, plural):
    """Jekyll's ``Utils.pluralized_array_from_hash``: the singular key wins, the plural one is split."""
    value = _scalar(data[singular]) if singular in data else None
    if value is None and plural in data:
        value = _words(data[plural])
    return list(_flatten([value]))


def unique(values, key=lambda value: value):
    """The values in order, each once (by ``key``)."""
    seen, out = set(), []
    for value in values:
        if key(value) not in seen:
            seen.add(key(value))
            out.append(value)
    return out


WEB_ADDRESS = URLValidator(schemes=["http", "https"])


def web_address(text):
    """``text`` if it is a full http(s) address by the rule the admin's URL fields use, else ""."""
    try:
        WEB_ADDRESS(text)
    except ValidationError:
        return ""
    return text


class Reader:
    """Finds post files and the Jekyll site each belongs to (each site's settings are read once)."""

    def __init__(self, *, site_root=None, display="path"):
        self.site_root = Path(site_root).resolve() if site_root else None
        self.display = display
        self.sites = {}

    def site_for(self, root):
        if root not in self.sites:
            self.sites[root] = Site.load(root)
        return self.sites[root]

    def discover(self, paths, missing=None, unreadable=None):
        """Entries for the post files under ``paths``. ``missing(given)`` is called for a path that does not
        exist, and ``unreadable(given, error)`` for one whose site's settings cannot be read (a SiteError);
        the other paths go on. Without ``unreadable`` the SiteError is raised."""
        entries, seen = [], set()
        for given in paths:
            path = Path(given)
            if not path.exists():
                if missing is not None:
                    missing(given)
                continue
            path = path.resolve()
            root = self.site_root or find_site_root(path)
            try:
                site = self.site_for(root)
            except SiteError as error:
                if unreadable is None:
                    raise
                unreadable(given, error)
                continue
            base = root or (path if path.is_dir() else path.parent)
            for file in self.post_files(path, explicit=path.is_file()):
                if file in seen:
                    continue
                seen.add(file)
                inside = file.is_relative_to(base)
                relative = file.relative_to(base) if inside else Path(file.name)
                parts = relative.parts
                draft = "_drafts" in parts[:-1]
                display = str(relative).replace(os.sep, "/") if self.display == "key" else os.path.relpath(file)
                entries.append(Entry(file, str(relative).replace(os.sep, "/"), site, draft, display))
        return entries

    @staticmethod
    def post_files(path, explicit):
        if explicit:
            return [path]
        folders = [
            Path(folder)
            for folder, subfolders, _ in os.walk(path)
            if not (set(Path(folder).relative_to(path).parts) & SKIP_FOLDERS)
            and Path(folder).name in {"_posts", "_drafts"}
        ]
        if path.name in {"_posts", "_drafts"}:
            folders = [path]
        if folders:
            candidates = [file for folder in folders for file in folder.rglob("*") if file.is_file()]
        else:
            candidates = [
                file
                for file in path.rglob("*")
                if file.is_file() and not any(part.startswith(("_", ".")) for part in file.relative_to(path).parts)
            ]
        return sorted(
            file
            for file in candidates
            if file.suffix.lower() not in STATIC_EXTENSIONS and not file.name.startswith(".") and not file.is_symlink()
        )

    def read_all(self, entries):
        """Each entry with its Post, or with the error that stopped it being read."""
        parsed = []
        for entry in entries:
            try:
                parsed.append((entry, read_post(entry)))
            except (PostError, FrontMatterError, DateError, OSError) as error:
                parsed.append((entry, error))
        return parsed


def read_post(entry):
    """Read one file into a Post, applying Jekyll's rules; raise PostError (or a parse error) if it fails."""
    path, site = entry.path, entry.site
    check_file_size(path.stat().st_size)
    raw_bytes = path.read_bytes()
    text, encoding_warning = decode(raw_bytes)
    front, body = split(text)
    data = {**site.defaults_for(entry.key, entry.draft), **front}
    warnings = [encoding_warning] if encoding_warning else []
    zone = site.timezone

    dated = DATED_NAME.match(path.name)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    file_slug = re.sub(r"\.*\Z", "", dated.group(2) if dated else stem)

    title = text_of(data.get("title"))
    if not title:
        if not dated or not file_slug:
            raise PostError("no title, and the file name (not YYYY-MM-DD-slug) gives none")
        title = titleize(file_slug)

    if text_of(data.get("date")) or not isinstance(data.get("date"), str | type(None)):
        try:
            date = jekyll_date(data["date"], zone)
        except DateError as error:
            raise PostError(f"bad date: {error}") from error
    elif dated:
        try:
            date = filename_date(dated.group(1), zone)
        except DateError as error:
            raise PostError(f"bad date: {error}") from error
    else:
        date = None

    jekyll_slug = text_of(data.get("slug")) or file_slug
    # Jekyll's drafts are named without a date; elsewhere an undated file name says little about the story.
    slug_source = text_of(data.get("slug")) or (file_slug if dated or entry.draft else title)

    published = as_bool(data.get("published"), default=True)
    status = Article.Status.PUBLISHED
    if entry.draft or not published:
        status = Article.Status.DRAFT
    if str(typed(data.get("status")) or "").lower() in {"draft", "review"}:
        status = str(typed(data["status"])).lower()
    if date is None and status == Article.Status.PUBLISHED:
        status = Article.Status.DRAFT
        warnings.append("no date in the front matter or the file name: imported as a draft")

    categories = _categories(entry, data)
    tags = [str(tag).strip() for tag in _pluralized(data, "tag", "tags") if str(tag).strip()]
    authors = _author_names(data)

    revised_at = None
    if data.get("last_modified_at") is not None:
        try:
            revised_at = jekyll_date(data["last_modified_at"], zone)
        except DateError as error:
            warnings.append(f"last_modified_at ignored: {error}")

    canonical = text_of(data.get("canonical_url")) or ""
    if canonical and not web_address(canonical):
        warnings.append(f"canonical_url “{canonical}” is not a full web address; kept in the record only")
        canonical = ""
    description = text_of(data.get("description")) or ""
    if len(description) > 300:
        warnings.append("description is longer than 300 characters and was shortened")
        description = description[:299].rstrip() + "…"

    image = _image_spec(data.get("image"))
    extra = {key: jsonable(value) for key, value in front.items() if key not in READ_KEYS}
    if image and image.get("external"):
        extra["image"] = jsonable(data.get("image"))
        warnings.append(f"photo “{image['path']}” is a web address: kept as a reference, not copied")
        image = None
    if "status" in front and str(typed(front["status"]) or "").lower() not in {"draft", "review"}:
        extra["status"] = jsonable(front["status"])

    old_paths = []
    permalink = text_of(data.get("permalink"))
    if status == Article.Status.PUBLISHED and date is not None and published:
        old_paths.append(
            site.old_url(
                permalink or site.permalink,
                date=date,
                slug=jekyll_slug,
                basename=stem,
                categories=categories,
                extension=path.suffix,
            )
        )
    for old in _flatten([typed(data.get("redirect_from"))]):
        old = "/" + str(old).strip().lstrip("/")
        old_paths.append(site.baseurl + old)
    old_paths = unique(old_paths)
    source_url = (site.url + old_paths[0]) if old_paths and site.url else (old_paths[0] if old_paths else "")
    separator = data.get("excerpt_separator")
    page = {str(key): jsonable(value) for key, value in data.items()}
    page |= {
        "title": title, "date": date.astimezone(zone) if date else None, "categories": categories, "tags": tags,
        "slug": jekyll_slug, "path": entry.key, "draft": entry.draft,
        "url": site.site_path(old_paths[0]) if old_paths else "", "id": site.site_path(old_paths[0]).rstrip("/")
        if old_paths else "",
    }  # fmt: skip

    return Post(
        path=path,
        key=entry.key,
        site=site,
        title=title[:200],
        slug_source=slug_source,
        jekyll_slug=jekyll_slug,
        date=date,
        status=status,
        categories=categories,
        tags=tags,
        authors=authors,
        body=body,
        excerpt=text_of(data.get("excerpt")),
        excerpt_separator=str(separator) if separator is not None else site.excerpt_separator,
        description=description,
        image=image,
        featured=as_bool(data.get("featured")),
        hidden=as_bool(data.get("hidden")),
        revised_at=revised_at,
        canonical_url=canonical[:500],
        old_paths=[old for old in old_paths if len(old) <= 500],
        source_url=source_url[:500],
        extra=extra,
        render_liquid=as_bool(data.get("render_with_liquid"), default=True),
        warnings=warnings,
        page=page,
    )


def _categories(entry, data):
    """Jekyll's categories: folders above _posts/, then ``categories``, then ``category``, de-duplicated."""
    parts = Path(entry.key).parts[:-1]
    special = "_drafts" if entry.draft else "_posts"
    from_path = list(parts[: parts.index(special)]) if special in parts else []
    categories = list(from_path)
    if _scalar(data.get("categories")) is not None:
        categories += [value for value in _words(data["categories"]) if value not in categories]
    categories += _pluralized(data, "category", "categories")
    return unique(str(value).strip() for value in _flatten(categories) if str(value).strip())


def _author_names(data):
    value = data.get("authors")
    if value is None or typed(value) in ("", [], None):
        value = data.get("author")
    names = []
    for item in _flatten([value]):
        if isinstance(item, dict):
            item = item.get("name") or item.get("display_name")
        name = text_of(item)
        if name:
            names.append(name)
    return unique(names)


def _image_spec(value):
    value = typed(value)
    if isinstance(value, dict):
        path = next((value[key] for key in ("path", "url", "src", "feature", "file") if value.get(key)), None)
        spec = {key: str(value.get(key) or "").strip() for key in ("alt", "caption", "credit")}
    else:
        path, spec = value, {"alt": "", "caption": "", "credit": ""}
    if not path or not isinstance(path, str):
        return None
    spec["path"] = path.strip()
    spec["external"] = spec["path"].startswith(("http://", "https://", "//"))
    return spec
