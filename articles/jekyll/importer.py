"""Importing Jekyll posts into Newsroom: one code path for ``import_jekyll`` and the admin upload page.

An import reads every file first (nothing is written for a file that cannot be read), plans each new
article's address (so ``{% post_url %}`` links between imported posts resolve), then writes each file in
its own transaction. Articles are matched to their file by ``source_file``, a path relative to the site
root, so importing again updates them. What the import wrote is fingerprinted in ``source_data``; when an
article no longer matches its fingerprint an editor has changed it, and the file is reported as a conflict
instead of overwriting that work (unless ``force``).
"""

import hashlib
import html
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify as django_slugify
from taggit.models import Tag

from .. import search
from ..images import UploadPath, clean_image
from ..models import (
    RESERVED_SLUGS,
    Article,
    ArticleImage,
    ArticleRedirect,
    Author,
    Byline,
    Section,
    TaggedArticle,
)
from . import liquid
from .dates import DateError, filename_date, jekyll_date
from .frontmatter import FrontMatterError, Plain, as_bool, decode, jsonable, split, text_of, typed
from .report import CONFLICT, CREATED, FAILED, UNCHANGED, UPDATED, FileResult, ImportReport
from .site import DATED_NAME, Site, SiteError, find_site_root

FORMAT_VERSION = 1

# Keys the importer turns into article fields; every other front matter key is kept in source_data.
READ_KEYS = {
    "title", "date", "slug", "author", "authors", "categories", "category", "tags", "tag", "excerpt",
    "excerpt_separator", "description", "image", "published", "featured", "hidden", "last_modified_at",
    "permalink", "canonical_url", "redirect_from", "render_with_liquid", "status",
}  # fmt: skip
SKIP_FOLDERS = {"_site", ".git", ".jekyll-cache", ".sass-cache", "node_modules", "vendor", "__MACOSX", ".bundle"}
STATIC_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".pdf", ".css",
    ".scss", ".sass", ".js", ".map", ".json", ".xml", ".yml", ".yaml", ".rb", ".lock", ".woff", ".woff2",
    ".ttf", ".eot", ".otf", ".mp3", ".mp4", ".mov", ".webm", ".zip", ".gz", ".csv", ".gemspec", ".py",
}  # fmt: skip
IMAGE_LINE = re.compile(
    r"""^[ \t]{0,3}!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<src>[^)\s>]+)>?"""
    r"""(?:\s+(?:"(?P<t1>[^"\n]*)"|'(?P<t2>[^'\n]*)'))?\s*\)[ \t]*(?:\{:[^}\n]*\})?[ \t]*$""",
    re.MULTILINE,
)
INLINE_IMAGE = re.compile(r"(!\[[^\]\n]*\]\(\s*<?)([^)\s>]+)")
HTML_IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE)
REFERENCE_IMAGE = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?)(\S+?\.(?:jpe?g|png|gif|webp))(>?)", re.I | re.M)
TWITTER = re.compile(r"(?:twitter\.com|x\.com)/@?([A-Za-z0-9_]{1,15})", re.IGNORECASE)


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


@dataclass
class Plan:
    slug: str
    url: str
    existing: Article | None = None


@dataclass
class Entry:
    path: Path
    key: str
    site: Site | None
    draft: bool
    display: str


def titleize(slug):
    return " ".join(word.capitalize() for word in slug.split("-"))


def plain_text(markdown_text):
    """Markdown (an excerpt, a first paragraph) as one line of plain text."""
    markdown_text = re.sub(r"\[\^[^\]]+\]", "", markdown_text)
    rendered = markdown.markdown(markdown_text, extensions=["attr_list"])
    return " ".join(html.unescape(strip_tags(rendered)).split())


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


def _unique(values, key=lambda value: value):
    seen, out = set(), []
    for value in values:
        if key(value) not in seen:
            seen.add(key(value))
            out.append(value)
    return out


class Importer:
    """Import Jekyll posts. ``run(paths)`` returns an ImportReport."""

    def __init__(self, *, site_root=None, dry_run=False, force=False, user=None, progress=None, display="path"):
        self.site_root = Path(site_root).resolve() if site_root else None
        self.dry_run = dry_run
        self.force = force
        self.user = user
        self.progress = progress
        self.display = display
        self.report = ImportReport(dry_run=dry_run)
        self.sites = {}
        self._reset_caches()

    def _reset_caches(self):
        self.authors = {}
        self.categories = None
        self.tags = {}
        self.images = {}
        self.digests = {}
        self.linked = {}

    # Finding and reading files

    def run(self, paths):
        try:
            entries = self.discover(paths)
        except SiteError as error:
            self.report.problems.append(str(error))
            return self.report
        parsed = []
        for entry in entries:
            try:
                parsed.append((entry, self.read(entry)))
            except (PostError, FrontMatterError, DateError, OSError) as error:
                parsed.append((entry, error))
        posts = [post for _, post in parsed if isinstance(post, Post)]
        plans = self.plan(posts)
        if self.dry_run:
            with transaction.atomic():
                self._write_all(parsed, plans)
                transaction.set_rollback(True)
        else:
            self._write_all(parsed, plans)
        return self.report

    def _write_all(self, parsed, plans):
        total = len(parsed)
        for number, (entry, post) in enumerate(parsed, start=1):
            if isinstance(post, Post):
                result = self.write(post, plans[post.key], entry.display)
            else:
                result = FileResult(entry.display, FAILED, reason=str(post))
            self.report.add(result)
            if self.progress:
                self.progress(result, number, total)

    def site_for(self, root):
        if root not in self.sites:
            self.sites[root] = Site.load(root)
        return self.sites[root]

    def discover(self, paths):
        entries, seen = [], set()
        for given in paths:
            path = Path(given)
            if not path.exists():
                self.report.add(FileResult(str(given), FAILED, reason="no such file or folder"))
                continue
            path = path.resolve()
            root = self.site_root or find_site_root(path)
            site = self.site_for(root)
            base = root or (path if path.is_dir() else path.parent)
            for file in self._post_files(path, explicit=path.is_file()):
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

    def _post_files(self, path, explicit):
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

    def read(self, entry):
        """Read one file into a Post, applying Jekyll's rules; raise PostError (or a parse error) if it fails."""
        path, site = entry.path, entry.site
        limit = settings.JEKYLL_MAX_FILE_BYTES
        if path.stat().st_size > limit:
            raise PostError(f"file is {path.stat().st_size // 1024} KB; posts may be at most {limit // 1024} KB")
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

        categories = self._categories(entry, data)
        tags = [str(tag).strip() for tag in _pluralized(data, "tag", "tags") if str(tag).strip()]
        authors = self._author_names(data)

        revised_at = None
        if data.get("last_modified_at") is not None:
            try:
                revised_at = jekyll_date(data["last_modified_at"], zone)
            except DateError as error:
                warnings.append(f"last_modified_at ignored: {error}")

        canonical = text_of(data.get("canonical_url")) or ""
        if canonical and not canonical.startswith(("http://", "https://")):
            warnings.append(f"canonical_url “{canonical}” is not a full web address; kept in the record only")
            canonical = ""
        description = text_of(data.get("description")) or ""
        if len(description) > 300:
            warnings.append("description is longer than 300 characters and was shortened")
            description = description[:299].rstrip() + "…"

        image = self._image_spec(data.get("image"))
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
        old_paths = _unique(old_paths)
        source_url = (site.url + old_paths[0]) if old_paths and site.url else (old_paths[0] if old_paths else "")
        separator = data.get("excerpt_separator")

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
        )

    def _categories(self, entry, data):
        """Jekyll's categories: folders above _posts/, then ``categories``, then ``category``, de-duplicated."""
        parts = Path(entry.key).parts[:-1]
        special = "_drafts" if entry.draft else "_posts"
        from_path = list(parts[: parts.index(special)]) if special in parts else []
        categories = list(from_path)
        if _scalar(data.get("categories")) is not None:
            categories += [value for value in _words(data["categories"]) if value not in categories]
        categories += _pluralized(data, "category", "categories")
        return _unique(str(value).strip() for value in _flatten(categories) if str(value).strip())

    def _author_names(self, data):
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
        return _unique(names)

    def _image_spec(self, value):
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

    # Planning addresses

    def plan(self, posts):
        keys = [post.key for post in posts]
        existing = {}
        for start in range(0, len(keys), 500):
            found = Article.objects.filter(source_file__in=keys[start : start + 500]).select_related("section")
            existing |= {article.source_file: article for article in found}
        taken = set(Article.objects.values_list("slug", flat=True))
        self._load_categories()
        plans, self.by_name = {}, {}
        for post in posts:
            article = existing.get(post.key)
            if article is not None:
                plans[post.key] = Plan(article.slug, article.get_absolute_url(), article)
            else:
                slug = self._free_slug(post.slug_source, taken, fallback=post.jekyll_slug)
                section = self._planned_category(post.categories[0]) if post.categories else None
                url = reverse("articles:article", kwargs={"section": section.slug if section else "news", "slug": slug})
                plans[post.key] = Plan(slug, url)
            stem = post.path.stem
            self.by_name.setdefault(stem, post)
            inside = post.key.split("_posts/", 1)[-1].rsplit(".", 1)[0]
            self.by_name.setdefault(inside, post)
        self.plans = plans
        return plans

    @staticmethod
    def _free_slug(text, taken, fallback=""):
        base = django_slugify(text)[:190].strip("-") or django_slugify(fallback)[:190].strip("-") or "article"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        return candidate

    def _load_categories(self):
        if self.categories is None:
            self.categories = {}
            for category in Section.objects.all():
                self.categories.setdefault(category.name.lower(), category)
                self.categories.setdefault(category.slug, category)
            self.category_slugs = {category.slug for category in Section.objects.all()}

    def _planned_category(self, name):
        name = name[:100]
        found = self.categories.get(name.lower()) or self.categories.get(django_slugify(name))
        if found is None:
            base = django_slugify(name)[:90].strip("-") or "section"
            if base in RESERVED_SLUGS or base.isdigit():
                base = f"{base}-section"
            slug, number = base, 1
            while slug in self.category_slugs:
                number += 1
                slug = f"{base}-{number}"
            self.category_slugs.add(slug)
            found = Section(name=name, slug=slug)
            self.categories[name.lower()] = found
        return found

    # Writing

    def write(self, post, plan, display):
        result = FileResult(display, FAILED, headline=post.title, warnings=list(post.warnings))
        try:
            with transaction.atomic():
                outcome = self._write(post, plan, result)
        except (DatabaseError, ValidationError, OSError, ValueError) as error:
            self._reset_caches()
            self._load_categories()
            result.outcome = FAILED
            result.reason = f"could not be saved: {error}"
            return result
        result.outcome = outcome
        if outcome == CONFLICT:
            result.reason = (
                "changed in Newsroom since it was imported; not overwritten (import again with --force "
                "to replace the editor's changes)"
            )
        return result

    def _write(self, post, plan, result):
        article = plan.existing
        previous = (article.source_data or {}).get("import", {}) if article else {}
        if article is not None:
            current = state_of(article)
            if previous.get("fingerprint") and fingerprint(current) != previous["fingerprint"] and not self.force:
                result.url, result.article_id = article.get_absolute_url(), article.pk
                return CONFLICT

        body, liquid_warnings = post.body, []
        if post.render_liquid:
            expanded = liquid.expand(post.body, post.site, self._resolve_post)
            body, liquid_warnings = expanded.text, expanded.warnings
        result.warnings += _unique(liquid_warnings)
        standfirst = self._standfirst(post, body)
        body, body_images = self._body_images(post, body.strip("\n"), previous.get("images", {}), result)
        hero = self._hero(post, previous.get("hero"), result)

        authors = [self._author(name, post, result) for name in post.authors]
        authors = _unique(authors, key=lambda author: author.pk)
        categories = [self._category(name) for name in post.categories]
        categories = _unique(categories, key=lambda category: category.pk)
        tags = _unique((self._tag(name) for name in post.tags), key=lambda tag: tag.pk)

        values = {
            "headline": post.title,
            "standfirst": standfirst,
            "body": body,
            "status": post.status,
            "published_at": post.date,
            "revised_at": post.revised_at,
            "featured": post.featured,
            "hidden": post.hidden,
            "meta_description": post.description,
            "canonical_url": post.canonical_url,
            "hero_alt": (hero or {}).get("alt", "")[:300],
            "hero_caption": (hero or {}).get("caption", "")[:500],
            "hero_credit": (hero or {}).get("credit", "")[:200],
        }
        wanted = {
            **values,
            "section": categories[0].pk if categories else None,
            "categories": sorted(category.pk for category in categories[1:]),
            "tags": sorted(tag.name.lower() for tag in tags),
            "authors": [author.pk for author in authors],
            "hero": (hero or {}).get("name", ""),
            "images": sorted([ref, img["name"], img["alt"], img["caption"]] for ref, img in body_images.items()),
        }
        wanted = _comparable(wanted)
        if article is not None and fingerprint(wanted) == fingerprint(current):
            result.url, result.article_id = article.get_absolute_url(), article.pk
            self._redirects(article, post, result)
            return UNCHANGED

        created = article is None
        if created:
            article = Article(source_file=post.key, slug=plan.slug, created_by=self.user)
        for name, value in values.items():
            setattr(article, name, value)
        article.section = categories[0] if categories else None
        if hero and not self.dry_run:
            if article.hero_image.name != hero["name"]:
                article.hero_image = hero["name"]
        elif not hero:
            article.hero_image = ""
        article.source_url = post.source_url
        article.source_data = {
            "front_matter": post.extra,
            "import": {
                "version": FORMAT_VERSION,
                "fingerprint": fingerprint(wanted),
                "hero": hero and {key: hero[key] for key in ("source", "sha", "name")},
                "images": {ref: {k: image[k] for k in ("source", "sha", "name")} for ref, image in body_images.items()},
                "old_paths": post.old_paths,
                "imported_at": timezone.now().isoformat(timespec="seconds"),
            },
        }
        if self.user is not None:
            article._history_user = self.user
        if not created:
            article.revision += 1
        article._defer_search_index = True  # indexed below, once tags and bylines are set
        article.save()

        self._set_relations(article, created, authors, categories[1:], tags)
        if self._save_images(article, body_images, previous.get("images", {})):
            article.rerender()
        self._redirects(article, post, result)
        search.index_article(article)
        result.url, result.article_id = article.get_absolute_url(), article.pk
        return CREATED if created else UPDATED

    def _set_relations(self, article, created, authors, extra_categories, tags):
        if not created:
            Byline.objects.filter(article=article).delete()
            TaggedArticle.objects.filter(content_object=article).delete()
            article.extra_sections.clear()
        Byline.objects.bulk_create(
            [Byline(article=article, author=author, position=position) for position, author in enumerate(authors)]
        )
        through = Article.extra_sections.through
        through.objects.bulk_create([through(article=article, section=section) for section in extra_categories])
        TaggedArticle.objects.bulk_create([TaggedArticle(content_object=article, tag=tag) for tag in tags])

    def _redirects(self, article, post, result):
        """Make the old Jekyll addresses answer with a redirect; True if any was added."""
        new_path = article.get_absolute_url()
        wanted = [path for path in post.old_paths if path != new_path]
        if not wanted:
            return False
        known = {r.old_path: r.article_id for r in ArticleRedirect.objects.filter(old_path__in=wanted)}
        for path in wanted:
            if path in known and known[path] != article.pk:
                result.warnings.append(f"old address {path} already redirects to another article; left as it was")
        missing = [ArticleRedirect(old_path=path, article=article) for path in wanted if path not in known]
        ArticleRedirect.objects.bulk_create(missing)
        return bool(missing)

    def _standfirst(self, post, body):
        if post.excerpt:
            return plain_text(post.excerpt)
        separator = post.excerpt_separator
        if separator and separator != "\n\n" and separator in body:
            text = plain_text(body.split(separator, 1)[0])
            if text:
                return text
        skip = ("#", "```", "~~~", "|", "<", "{%", "[^", "![", "[[image", "---", "***", ">")
        for paragraph in re.split(r"\n[ \t]*\n", body.strip())[:6]:
            if paragraph.lstrip().startswith(skip):
                continue
            text = plain_text(paragraph)
            if text:
                return text
        return ""

    # Authors, sections and tags, looked up once per run

    def _author(self, name, post, result):
        details = post.site.authors.get(name) or {}
        display = (details.get("name") or name)[:150]
        author = self.authors.get(display.lower())
        if author is not None:
            return author
        author = Author.objects.filter(name__iexact=display).order_by("pk").first()
        if author is None and details.get("email"):
            author = Author.objects.filter(email__iexact=details["email"]).order_by("pk").first()
        if author is None:
            author = Author(name=display)
            twitter = details.get("twitter", "")
            match = TWITTER.search(twitter)
            if match:
                author.twitter = match.group(1)
            elif re.fullmatch(r"@?\w{1,15}", twitter):
                author.twitter = twitter.lstrip("@")
            author.bio = details.get("bio", "")
            email = details.get("email", "")
            author.email = email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else ""
            website = details.get("website", "")
            author.website = website if website.startswith(("http://", "https://")) else ""
            if details.get("photo"):
                photo = self._image(post, details["photo"], "authors", result, what="author photo")
                if photo and not self.dry_run:
                    author.photo = photo["name"]
            author.save()
        self.authors[display.lower()] = author
        return author

    def _category(self, name):
        category = self._planned_category(name)
        if category.pk is None:
            category.save()
        return category

    def _tag(self, name):
        name = name[:100]
        tag = self.tags.get(name.lower())
        if tag is None:
            tag = Tag.objects.filter(name__iexact=name).order_by("pk").first() or Tag.objects.create(name=name)
            self.tags[name.lower()] = tag
        return tag

    # Links between posts

    def _resolve_post(self, name):
        name = name.strip()
        if name.startswith("_posts/"):
            name = name[len("_posts/") :].rsplit(".", 1)[0]
        elif "/_posts/" in name:
            name = name.split("/_posts/", 1)[1].rsplit(".", 1)[0]
        target = self.by_name.get(name) or self.by_name.get(name.rsplit("/", 1)[-1])
        if target is not None:
            return self.plans[target.key].url
        if name not in self.linked:
            stem = name.rsplit("/", 1)[-1]
            candidates = Article.objects.filter(source_file__contains=stem).select_related("section")
            match = next((a for a in candidates if Path(a.source_file).stem == stem), None)
            self.linked[name] = match.get_absolute_url() if match else None
        return self.linked[name]

    # Images

    def _locate(self, post, reference):
        """The local file an image reference names, or raise PostError with the reason."""
        site = post.site
        parts = urlsplit(reference)
        path = unquote(parts.path)
        if not path:
            raise PostError("empty image path")
        if site.root is not None:
            base = site.root
            path = site.site_path(path)
        else:
            base = post.path.parent
        candidate = (base / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(base.resolve()):
            raise PostError("outside the site folder; not copied")
        if not candidate.is_file():
            raise PostError("not found")
        return candidate

    def _image(self, post, reference, folder, result, what="image"):
        """Copy a local image into media through clean_image; None (and a warning) when it cannot be."""
        try:
            source = self._locate(post, reference)
            size = source.stat().st_size
            if size > settings.IMAGE_MAX_BYTES:
                raise PostError(f"{size // 1_048_576} MB is over the image size limit")
            data = source.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            stored = self.images.get((digest, folder))
            if stored is None:
                cleaned = clean_image(SimpleUploadedFile(source.name, data))
                if self.dry_run:
                    stored = f"{folder}/dry-run/{digest[:16]}"
                else:
                    stored = default_storage.save(UploadPath(folder)(None, cleaned.name), cleaned)
                self.images[(digest, folder)] = stored
        except PostError as error:
            result.warnings.append(f"{what} “{reference}”: {error}")
            return None
        except ValidationError as error:
            result.warnings.append(f"{what} “{reference}”: {' '.join(error.messages)}")
            return None
        except OSError as error:
            result.warnings.append(f"{what} “{reference}”: could not be read ({error.strerror or error})")
            return None
        root = post.site.root or post.path.parent
        return {"source": str(source.relative_to(root.resolve())), "sha": digest, "name": stored}

    def _reuse_or_copy(self, post, reference, previous, folder, result, what):
        """Keep the file stored last time when the source image has not changed."""
        if previous:
            try:
                source = self._locate(post, reference)
                digest = self.digests.get(source) or hashlib.sha256(source.read_bytes()).hexdigest()
                self.digests[source] = digest
            except (PostError, OSError):
                digest = None
            if digest and digest == previous.get("sha") and previous.get("name"):
                return dict(previous)
        return self._image(post, reference, folder, result, what)

    def _hero(self, post, previous, result):
        if not post.image:
            return None
        stored = self._reuse_or_copy(post, post.image["path"], previous, "photos", result, "photo")
        if stored is None:
            return None
        if not post.image.get("alt"):
            result.warnings.append("photo has no alt text; add it in the admin before the next edit")
        return {**stored, **{key: post.image.get(key, "") for key in ("alt", "caption", "credit")}}

    def _body_images(self, post, body, previous, result):
        """Copy local body images; a line holding only an image becomes [[image:REF]], others get the media URL."""
        images, refs_by_source = {}, {}

        def store(src, alt, caption):
            if src.startswith(("http://", "https://", "//", "data:", "mailto:")) or src.startswith("[[image"):
                return None
            key = unquote(urlsplit(src).path)
            if key in refs_by_source:
                return refs_by_source[key]
            ref = django_slugify(Path(key).stem)[:40].strip("-") or "image"
            base, number = ref[:36], 1
            while ref in images:
                number += 1
                ref = f"{base}-{number}"
            stored = self._reuse_or_copy(post, src, previous.get(ref), "photos", result, "body image")
            if stored is None:
                refs_by_source[key] = None
                return None
            images[ref] = {**stored, "alt": alt[:300], "caption": caption[:500], "position": len(images)}
            refs_by_source[key] = ref
            return ref

        def whole_line(match):
            ref = store(match.group("src"), match.group("alt"), match.group("t1") or match.group("t2") or "")
            return f"[[image:{ref}]]" if ref else match.group(0)

        def url_of(ref, fallback):
            if not ref:
                return fallback
            name = images[ref]["name"]
            return f"{settings.MEDIA_URL}{name}" if self.dry_run else default_storage.url(name)

        def rewrite(src):
            return url_of(store(html.unescape(src), "", ""), src)

        body = IMAGE_LINE.sub(whole_line, body)
        body = INLINE_IMAGE.sub(lambda m: m.group(1) + rewrite(m.group(2)), body)
        body = HTML_IMAGE.sub(lambda m: m.group(1) + m.group(2) + rewrite(m.group(3)) + m.group(2), body)
        body = REFERENCE_IMAGE.sub(lambda m: m.group(1) + rewrite(m.group(2)) + m.group(3), body)
        return body, images

    def _save_images(self, article, images, previous):
        """Create or update the article's body images; True if the body needs rendering again."""
        if self.dry_run:
            return False
        existing = {image.ref: image for image in ArticleImage.objects.filter(article=article)}
        for ref in set(previous) - set(images):
            if ref in existing:
                existing.pop(ref).delete()
        for ref, details in images.items():
            image = existing.get(ref) or ArticleImage(article=article, ref=ref)
            if image.image.name != details["name"]:
                image.image = details["name"]
            image.alt, image.caption, image.position = details["alt"], details["caption"], details["position"]
            image.save()
        return bool(images) or bool(previous)


def _iso(value):
    if value is None:
        return None
    return value.astimezone(UTC).isoformat()


def _comparable(values):
    return {key: _iso(value) if hasattr(value, "astimezone") else value for key, value in values.items()}


def state_of(article):
    """The import-controlled values of an article as they are in the database now."""
    return _comparable(
        {
            "headline": article.headline,
            "standfirst": article.standfirst,
            "body": article.body,
            "status": article.status,
            "published_at": article.published_at,
            "revised_at": article.revised_at,
            "featured": article.featured,
            "hidden": article.hidden,
            "meta_description": article.meta_description,
            "canonical_url": article.canonical_url,
            "hero_alt": article.hero_alt,
            "hero_caption": article.hero_caption,
            "hero_credit": article.hero_credit,
            "section": article.section_id,
            "categories": sorted(article.extra_sections.values_list("pk", flat=True)),
            "tags": sorted(name.lower() for name in article.tags.values_list("name", flat=True)),
            "authors": list(article.bylines.order_by("position", "pk").values_list("author_id", flat=True)),
            "hero": article.hero_image.name or "",
            "images": sorted([i.ref, i.image.name, i.alt, i.caption] for i in article.images.all()),
        }
    )


def fingerprint(values):
    encoded = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(unicodedata.normalize("NFC", encoded).encode()).hexdigest()


def import_paths(paths, **options):
    """Import post files and folders; see Importer for the options. Returns an ImportReport."""
    return Importer(**options).run(paths)
