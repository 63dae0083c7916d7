"""Writing the archive out as a Jekyll site that ``import_jekyll`` (and Jekyll) read back.

Every article becomes a post: published and scheduled ones in ``_posts/YYYY-MM-DD-slug.md``, drafts and
articles in review in ``_drafts/slug.md``. The front matter carries every field the importer reads, the
body stays Markdown (body images as ordinary Markdown images under ``assets/``), and text that looks like
Liquid is wrapped in ``{% raw %}`` so Jekyll shows it as written. ``permalink`` is the article's Newsroom
address and ``redirect_from`` its older addresses, so a site built from the export keeps every link. Body images carry
their credit in a kramdown attribute list (``{: data-credit="…"}``) and ``_data/sections.yml`` the sections'
slugs, so importing the export gives back the same articles.
"""

import re
from pathlib import Path, PurePosixPath

import yaml
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import timezone

from ..models import Article, ArticleImage, Byline
from . import liquid

# A line holding only an image reference, [[image:REF]] (as in rendering.py), its line break left alone.
IMAGE_REFERENCE = re.compile(r"^\[\[image:([\w-]+)\]\][ \t]*$", re.MULTILINE)


class ExportResult:
    def __init__(self):
        self.posts = 0
        self.images = 0
        self.warnings = []


def _dump(data):
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def _stamp(value, zone):
    pattern = "%Y-%m-%d %H:%M:%S.%f %z" if value.microsecond else "%Y-%m-%d %H:%M:%S %z"
    return value.astimezone(zone).strftime(pattern)


def _extension(name):
    return PurePosixPath(name).suffix.lower() or ".jpg"


class Exporter:
    def __init__(self, outdir):
        self.out = Path(outdir)
        self.zone = timezone.get_default_timezone()
        self.result = ExportResult()

    def run(self, articles=None):
        articles = articles if articles is not None else Article.objects.all()
        articles = articles.select_related("section").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position", "pk")),
            "extra_sections",
            "tags",
            "redirects",
            Prefetch("images", queryset=ArticleImage.objects.order_by("position", "pk")),
        )
        self.out.mkdir(parents=True, exist_ok=True)
        authors, sections = {}, {}
        for article in articles.order_by("published_at", "pk"):
            for byline in article.bylines.all():
                authors[byline.author.pk] = byline.author
            for section in [article.section, *article.extra_sections.all()]:
                if section is not None:
                    sections[section.pk] = section
            self.write_post(article)
        self.write_config(sorted(authors.values(), key=lambda author: author.slug))
        self.write_sections(sorted(sections.values(), key=lambda section: section.name))
        return self.result

    def copy(self, name, target):
        """Copy a stored media file into the site; the site path, or "" when the file is missing."""
        destination = self.out / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            with default_storage.open(name, "rb") as source:
                destination.write_bytes(source.read())
        except OSError as error:
            self.result.warnings.append(f"{name}: could not be copied ({error})")
            return ""
        self.result.images += 1
        return "/" + target

    def write_post(self, article):
        folder = f"assets/images/{article.slug}"
        front = {"title": article.headline, "slug": article.slug}
        if article.published_at:
            front["date"] = _stamp(article.published_at, self.zone)
        if article.status != Article.Status.PUBLISHED:
            front["published"] = False
        if article.status == Article.Status.REVIEW:
            front["status"] = "review"
        front["author"] = [byline.author.slug for byline in article.bylines.all()]
        sections = [article.section] if article.section_id else []
        sections += sorted(
            (c for c in article.extra_sections.all() if c.pk != article.section_id), key=lambda c: c.name
        )
        front["categories"] = [section.name for section in sections]
        front["tags"] = sorted((tag.name for tag in article.tags.all()), key=str.lower)
        if article.standfirst:
            front["excerpt"] = article.standfirst
        if article.meta_description:
            front["description"] = article.meta_description
        if article.hero_image:
            path = self.copy(article.hero_image.name, f"{folder}/hero{_extension(article.hero_image.name)}")
            if path:
                image = {"path": path, "alt": article.hero_alt, "caption": article.hero_caption}
                image["credit"] = article.hero_credit
                front["image"] = {key: value for key, value in image.items() if value or key == "path"}
        front["featured"] = article.featured
        front["hidden"] = article.hidden
        if article.revised_at:
            front["last_modified_at"] = _stamp(article.revised_at, self.zone)
        if article.canonical_url:
            front["canonical_url"] = article.canonical_url
        front["permalink"] = article.get_absolute_url()
        old = sorted(redirect.old_path for redirect in article.redirects.all())
        if old:
            front["redirect_from"] = old
        for key, value in ((article.source_data or {}).get("front_matter") or {}).items():
            front.setdefault(key, value)

        body = self.body(article, folder)
        if article.status == Article.Status.PUBLISHED and article.published_at:
            name = f"_posts/{article.published_at.astimezone(self.zone):%Y-%m-%d}-{article.slug}.md"
        else:
            name = f"_drafts/{article.slug}.md"
        target = self.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\n{_dump(front)}---\n{body}", encoding="utf-8")
        self.result.posts += 1

    def body(self, article, folder):
        images = {image.ref: image for image in article.images.all()}
        paths = {}
        for ref, image in images.items():
            if image.image:
                paths[ref] = self.copy(image.image.name, f"{folder}/{ref}{_extension(image.image.name)}")
        text = liquid.escape(article.body)

        def figure(match):
            ref = match.group(1)
            image = images.get(ref)
            if image is None or not paths.get(ref):
                return match.group(0)
            title = ""
            if image.caption:
                quote = "'" if '"' in image.caption else '"'
                title = f" {quote}{image.caption.replace(quote, '')}{quote}"
            alt = re.sub(r"[\[\]]", "", image.alt)
            credit = ""
            if image.credit:  # kramdown's attribute list escapes quotes and braces with a backslash
                credit = '{: data-credit="' + re.sub(r'(["}])', r"\\\1", image.credit) + '"}'
            return f"![{alt}]({paths[ref]}{title}){credit}"

        text = IMAGE_REFERENCE.sub(figure, text)
        for ref, image in images.items():
            if paths.get(ref) and image.image:
                text = text.replace(default_storage.url(image.image.name), paths[ref])
        return text if text.endswith("\n") or not text else text + "\n"

    def write_config(self, authors):
        config = {
            "title": settings.SITE_NAME,
            "description": settings.SITE_DESCRIPTION,
            "url": settings.SITE_URL,
            "baseurl": "",
            "timezone": str(self.zone),
            "permalink": "/:categories/:year/:month/:day/:title:output_ext",
            "markdown": "kramdown",
            "plugins": ["jekyll-feed", "jekyll-seo-tag", "jekyll-redirect-from"],
            "authors": {},
        }
        for author in authors:
            entry = {"name": author.slug, "display_name": author.name}
            if author.photo:
                target = f"assets/images/authors/{author.slug}{_extension(author.photo.name)}"
                path = self.copy(author.photo.name, target)
                if path:
                    entry["avatar"] = path.lstrip("/")
            for key, value in (
                ("email", author.email),
                ("web", author.website),
                ("twitter", author.twitter),
                ("description", author.bio),
            ):
                if value:
                    entry[key] = value
            config["authors"][author.slug] = entry
        (self.out / "_config.yml").write_text(_dump(config), encoding="utf-8")

    def write_sections(self, sections):
        """``_data/sections.yml``: each category's section slug and description, which the import restores."""
        if not sections:
            return
        data = [
            {
                "name": section.name,
                "slug": section.slug,
                **({"description": section.description} if section.description else {}),
            }
            for section in sections
        ]
        (self.out / "_data").mkdir(parents=True, exist_ok=True)
        (self.out / "_data" / "sections.yml").write_text(_dump(data), encoding="utf-8")


def export_site(outdir, articles=None):
    return Exporter(outdir).run(articles)
