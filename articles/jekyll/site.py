"""A Jekyll site's settings (``_config.yml``, ``_data/authors.yml``) and Jekyll's own URL rules."""

import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .frontmatter import FrontMatterError, decode, jsonable, load_yaml, text_of, typed

DEFAULT_PERMALINK = "/:categories/:year/:month/:day/:title:output_ext"
PERMALINK_STYLES = {
    "date": DEFAULT_PERMALINK,
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".mdown", ".html", ".htm"}
# Folders that are never part of a site's content (build output, caches, dependencies, archive debris).
SKIP_FOLDERS = {"_site", ".git", ".jekyll-cache", ".sass-cache", "node_modules", "vendor", "__MACOSX", ".bundle"}
# Jekyll's file name rule for posts: YYYY-MM-DD-slug.ext
DATED_NAME = re.compile(r"\A(\d{2,4}-\d{1,2}-\d{1,2})-(.*?)(\.[^.]+)?\Z")


class SiteError(ValueError):
    pass


def slugify(text, mode="default", cased=False):
    """Jekyll's ``Utils.slugify`` in its "default" and "pretty" modes."""
    if text is None:
        return ""
    text = str(text)
    pattern = r"(?:[^\w.~!$&'()+,;=@]|_)+" if mode == "pretty" else r"[\W_]+"
    text = re.sub(pattern, "-", text)
    text = text.strip("-")
    return text if cased else text.lower()


def find_site_root(path):
    """The nearest folder at or above ``path`` holding a ``_config.yml``, or None."""
    path = Path(path).resolve()
    for folder in [path, *path.parents] if path.is_dir() else path.parents:
        if (folder / "_config.yml").is_file():
            return folder
    return None


@dataclass
class Site:
    root: Path | None = None
    timezone: zoneinfo.ZoneInfo = None
    permalink: str = DEFAULT_PERMALINK
    baseurl: str = ""
    url: str = ""
    excerpt_separator: str = "\n\n"
    authors: dict = field(default_factory=dict)
    defaults: list = field(default_factory=list)
    config: dict = field(default_factory=dict)  # _config.yml as Liquid's ``site`` sees it
    sections: dict = field(default_factory=dict)  # slug and description by category name (lower case)

    @classmethod
    def load(cls, root):
        site = cls(root=Path(root).resolve() if root else None)
        site.timezone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        if site.root is None:
            return site
        config = _read_yaml(site.root, "_config.yml")
        site.config = {str(key): value for key, value in jsonable(config).items()}
        zone = text_of(config.get("timezone"))
        if zone:
            try:
                site.timezone = zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
                raise SiteError(f"_config.yml: “{zone}” is not a time zone") from error
        permalink = text_of(config.get("permalink")) or "date"
        site.permalink = PERMALINK_STYLES.get(permalink, permalink)
        baseurl = (text_of(config.get("baseurl")) or "").strip("/")
        site.baseurl = f"/{baseurl}" if baseurl else ""
        site.url = (text_of(config.get("url")) or "").rstrip("/")
        separator = config.get("excerpt_separator")
        if separator is not None:
            site.excerpt_separator = str(separator)
        site.authors = _authors(config.get("authors"), _read_yaml(site.root, "_data/authors.yml"))
        site.sections = _sections(_read_yaml(site.root, "_data/sections.yml", kind=list))
        defaults = typed(config.get("defaults")) or []
        site.defaults = [item for item in defaults if isinstance(item, dict) and isinstance(item.get("values"), dict)]
        return site

    def defaults_for(self, relative_path, draft):
        """Front matter defaults (``defaults:`` in _config.yml) that apply to a post, raw values."""
        values = {}
        for item in self.defaults:
            scope = item.get("scope") or {}
            prefix = str(scope.get("path") or "").strip("/")
            kind = scope.get("type")
            if prefix and not (relative_path == prefix or relative_path.startswith(prefix + "/")):
                continue
            if kind and kind not in {"posts", "drafts" if draft else "posts"}:
                continue
            values.update(item["values"])
        return values

    def old_url(self, template, *, date, slug, basename, categories, extension):
        """A post's URL as Jekyll builds it (``URL#to_s``), under the site's ``baseurl``, not %-encoded."""
        local = date.astimezone(self.timezone) if date else None
        placeholders = {
            "title": slugify(slug, "pretty", cased=True) or slugify(basename, "pretty", cased=True),
            "slug": slugify(slug) or slugify(basename),
            "name": slugify(basename),
            "categories": "/".join(dict.fromkeys(str(c).lower() for c in categories)),
            "output_ext": ".html" if extension.lower() in MARKDOWN_EXTENSIONS or not extension else extension,
            "collection": "posts",
            "path": "",
        }
        if local is not None:
            iso_year, iso_week, iso_day = local.isocalendar()
            placeholders |= {
                "year": f"{local:%Y}", "month": f"{local:%m}", "day": f"{local:%d}", "hour": f"{local:%H}",
                "minute": f"{local:%M}", "second": f"{local:%S}", "i_day": str(local.day),
                "i_month": str(local.month), "short_month": f"{local:%b}", "long_month": f"{local:%B}",
                "short_year": f"{local:%y}", "y_day": f"{local:%j}", "w_year": str(iso_year),
                "week": f"{iso_week:02d}", "w_day": str(iso_day), "short_day": f"{local:%a}",
                "long_day": f"{local:%A}",
            }  # fmt: skip

        def replace(match):
            name = match.group(1)
            for key in (name, name.rstrip("_")):
                if key in placeholders:
                    return placeholders[key]
            return match.group(0)

        url = re.sub(r":([a-z_]+)", replace, template)
        # Jekyll's URL#sanitize_url
        url = ("/" + url).replace("..", "/").replace("./", "")
        url = re.sub(r"/{2,}", "/", url)
        return (self.baseurl + url) if self.baseurl else url

    def site_path(self, path):
        """A URL path of this site as a path under its root (``{{ site.baseurl }}`` removed)."""
        if self.baseurl and (path == self.baseurl or path.startswith(self.baseurl + "/")):
            return path[len(self.baseurl) :]
        return path


def _read_yaml(root, name, kind=dict):
    """A site file (``_config.yml``, ``_data/authors.yml``) as a dict; SiteError says why it cannot be read."""
    path = root / name
    if not path.is_file():
        return {}
    try:
        text, _ = decode(path.read_bytes())
    except (FrontMatterError, OSError) as error:
        raise SiteError(f"{name}: {error}") from error
    try:
        data = load_yaml(text, what=name)
    except FrontMatterError as error:
        raise SiteError(str(error)) from error
    if data is None:
        return kind()
    if not isinstance(data, kind):
        raise SiteError(f"{name} is not a set of keys and values" if kind is dict else f"{name} is not a list")
    return data


def _sections(entries):
    """Section slugs and descriptions by category name, from ``_data/sections.yml`` (as the export writes it)."""
    sections = {}
    for entry in typed(entries):
        if isinstance(entry, dict) and entry.get("name") and entry.get("slug"):
            details = {"slug": str(entry["slug"]), "description": str(entry.get("description") or "")}
            sections.setdefault(str(entry["name"]).lower(), details)
    return sections


def _authors(config_authors, data_authors):
    """Author details by key, from _config.yml ``authors:`` (Mediumish) and _data/authors.yml (SEO tag)."""
    authors = {}
    for source in (data_authors, config_authors):
        if not isinstance(source, dict):
            continue
        for key, details in source.items():
            if not isinstance(details, dict):
                continue
            details = typed(details)
            entry = authors.setdefault(str(key), {})
            name = details.get("display_name") or details.get("name")
            if name and not entry.get("name"):
                entry["name"] = str(name).strip()
            mapping = {
                "bio": ("description", "bio"),
                "photo": ("avatar", "picture", "image"),
                "email": ("email",),
                "website": ("web", "website", "url"),
                "twitter": ("twitter",),
                "gravatar": ("gravatar",),
            }
            for target, keys in mapping.items():
                for source_key in keys:
                    if details.get(source_key) and not entry.get(target):
                        entry[target] = str(details[source_key]).strip()
    return authors
