"""Writing each read and planned post as an article: one transaction per post.

Each article gets its bylines, sections and tags, its images, redirects from its old Jekyll addresses and a
fingerprint (in ``source_data``) of what the import wrote. When an article no longer matches its
fingerprint an editor has changed it: the file is reported as a conflict and the article left alone
(unless ``force``). Search indexing waits until the article's tags and bylines are set.
"""

import hashlib
import html
import json
import re
import unicodedata
from datetime import UTC

import markdown
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from taggit.models import Tag

from .. import search
from ..models import Article, ArticleImage, ArticleRedirect, Author, Byline, TaggedArticle
from ..signals import search_indexing_deferred
from . import links
from .liquid import Renderer
from .reading import unique, web_address
from .report import CONFLICT, CREATED, FAILED, UNCHANGED, UPDATED, FileResult

FORMAT_VERSION = 1
TWITTER = re.compile(r"(?:twitter\.com|x\.com)/@?([A-Za-z0-9_]{1,15})", re.IGNORECASE)


class Writer:
    """Writes posts for one import; authors and tags are looked up once per import."""

    def __init__(self, *, planner, media, dry_run=False, force=False, user=None, as_drafts=False):
        self.planner = planner
        self.media = media
        self.dry_run = dry_run
        self.force = force
        self.as_drafts = as_drafts
        self.written = None  # the article the current write is about
        self.user = user
        self.authors = {}
        self.tags = {}
        self.sections_seen = set()
        self.renderers = {}

    def renderer(self, site):
        """The Liquid renderer for a site (its includes are read once per import)."""
        if id(site) not in self.renderers:
            self.renderers[id(site)] = (site, Renderer(site, self.planner.resolve_post))
        return self.renderers[id(site)][1]

    def reset(self):
        """Forget every row cached in this import (after a write was rolled back)."""
        self.authors = {}
        self.tags = {}
        self.sections_seen = set()
        self.media.reset()
        self.planner.reset()

    def write(self, post, plan, display):
        result = FileResult(display, FAILED, headline=post.title, warnings=list(post.warnings))
        try:
            with transaction.atomic(), search_indexing_deferred():
                outcome = self._write(post, plan, result)
        except (DatabaseError, ValidationError, OSError, ValueError, RecursionError) as error:
            self.reset()
            result.outcome = FAILED
            result.reason = f"could not be saved: {error}"
            return result
        result.outcome = outcome
        if plan.existing is not None or outcome == CREATED:
            article = self.written
            result.status, result.published_at = article.status, article.published_at
        if outcome == CONFLICT:
            result.reason = (
                "changed in Newsroom since it was imported; not overwritten (import again with --force "
                "to replace the editor's changes)"
            )
        return result

    def _write(self, post, plan, result):
        article = self.written = plan.existing
        previous = (article.source_data or {}).get("import", {}) if article else {}
        if article is not None:
            current = state_of(article)
            if previous.get("fingerprint") and fingerprint(current) != previous["fingerprint"] and not self.force:
                result.url, result.article_id = article.get_absolute_url(), article.pk
                return CONFLICT

        body, post_links = post.body, []
        if post.render_liquid:
            rendered = self.renderer(post.site).render(post.body, post.page)
            body, post_links = rendered.text, rendered.post_links
            result.warnings += rendered.warnings
        body, body_images = self.media.body_images(post, body.strip("\n"), previous.get("images", {}), result)
        body, link_warnings = links.resolve(body, post.site, self.planner.address)
        result.warnings += link_warnings
        body = links.replace_placeholders(body, post_links)
        standfirst = standfirst_of(post, body)
        hero = self.media.hero(post, previous.get("hero"), result)

        authors = [self._author(name, post, result) for name in post.authors]
        authors = unique(authors, key=lambda author: author.pk)
        sections = [self._section(name, post.site, result) for name in post.categories]
        sections = unique(sections, key=lambda section: section.pk)
        tags = unique((self._tag(name, result) for name in post.tags), key=lambda tag: tag.pk)

        values = {
            "headline": post.title,
            "standfirst": standfirst,
            "body": body,
            "status": self._status(post, article),
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
            "section": sections[0].pk if sections else None,
            "categories": sorted(section.pk for section in sections[1:]),
            "tags": sorted(tag.name.lower() for tag in tags),
            "authors": [author.pk for author in authors],
            "hero": (hero or {}).get("name", ""),
            "images": sorted(
                [ref, img["name"], img["alt"], img["caption"], *([img["credit"]] if img["credit"] else [])]
                for ref, img in body_images.items()
            ),
        }
        wanted = _comparable(wanted)
        if article is not None and fingerprint(wanted) == fingerprint(current):
            result.url, result.article_id = article.get_absolute_url(), article.pk
            self._redirects(article, post, result)
            return UNCHANGED

        created = article is None
        if created:
            article = self.written = Article(source_file=post.key, slug=plan.slug, created_by=self.user)
        for name, value in values.items():
            setattr(article, name, value)
        article.section = sections[0] if sections else None
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
        article.save_revision(by=self.user, note="Imported from a Jekyll file")

        self._set_relations(article, created, authors, sections[1:], tags)
        if self._save_images(article, body_images, previous.get("images", {})):
            article.rerender()
        self._redirects(article, post, result)
        search.index_article(article)  # saved with indexing deferred, now that tags and bylines are set
        result.url, result.article_id = article.get_absolute_url(), article.pk
        return CREATED if created else UPDATED

    def _set_relations(self, article, created, authors, extra_sections, tags):
        if not created:
            Byline.objects.filter(article=article).delete()
            TaggedArticle.objects.filter(content_object=article).delete()
            article.extra_sections.clear()
        Byline.objects.bulk_create(
            [Byline(article=article, author=author, position=position) for position, author in enumerate(authors)]
        )
        through = Article.extra_sections.through
        through.objects.bulk_create([through(article=article, section=section) for section in extra_sections])
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
        result.redirects += [redirect.old_path for redirect in missing]
        return bool(missing)

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
        result.record("author", author.name if author else display, created=author is None)
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
            author.email = email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) and _is_email(email) else ""
            author.website = web_address(details.get("website", ""))
            if details.get("photo"):
                photo = self.media.copy(post, details["photo"], "authors", result, what="author photo")
                if photo and not self.dry_run:
                    author.photo = photo["name"]
            author.save()
        self.authors[display.lower()] = author
        return author

    def _section(self, name, site, result):
        section = self.planner.planned_section(name, site)
        if section.pk is None:
            section.save()
            result.record("section", section.name, created=True)
        elif section.pk not in self.sections_seen:
            result.record("section", section.name, created=False)
        self.sections_seen.add(section.pk)
        return section

    def _tag(self, name, result):
        name = name[:100]
        tag = self.tags.get(name.lower())
        if tag is None:
            tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
            result.record("tag", tag.name if tag else name, created=tag is None)
            tag = tag or Tag.objects.create(name=name)
            self.tags[name.lower()] = tag
        return tag

    def _status(self, post, article):
        """The status the file asks for; with ``as_drafts``, new articles wait in review for an editor."""
        if not self.as_drafts:
            return post.status
        return article.status if article is not None else Article.Status.REVIEW

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
            image.credit = details.get("credit", "")
            image.save()
        return bool(images) or bool(previous)


def _is_email(text):
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def markdown_to_one_line(markdown_text):
    """Markdown (an excerpt, a first paragraph) as one line of plain text, footnote marks removed."""
    markdown_text = re.sub(r"\[\^[^\]]+\]", "", markdown_text)
    try:
        rendered = markdown.markdown(markdown_text, extensions=["attr_list"])
    except RecursionError:  # nested past Python's limit (see rendering._render_markdown): the text as typed
        return " ".join(markdown_text.split())
    return " ".join(html.unescape(strip_tags(rendered)).split())


def standfirst_of(post, body):
    """The standfirst: the excerpt, else the text before the excerpt separator, else the first paragraph."""
    if post.excerpt:
        return markdown_to_one_line(post.excerpt)
    separator = post.excerpt_separator
    if separator and separator != "\n\n" and separator in body:
        text = markdown_to_one_line(body.split(separator, 1)[0])
        if text:
            return text
    skip = ("#", "```", "~~~", "|", "<", "{%", "[^", "![", "[[image", "---", "***", ">")
    for paragraph in re.split(r"\n[ \t]*\n", body.strip())[:6]:
        if paragraph.lstrip().startswith(skip):
            continue
        text = markdown_to_one_line(paragraph)
        if text:
            return text
    return ""


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
            "images": sorted(
                [i.ref, i.image.name, i.alt, i.caption, *([i.credit] if i.credit else [])] for i in article.images.all()
            ),
        }
    )


def fingerprint(values):
    encoded = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(unicodedata.normalize("NFC", encoded).encode()).hexdigest()
