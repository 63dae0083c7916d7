"""Planning each new article's address before anything is written, so links between imported posts resolve.

Articles already imported keep their slug and address (they are matched to their file by ``source_file``);
new ones get a free slug, and a section (planned in memory, saved when the first article in it is written).
``{% post_url %}`` and ``{% link %}`` name other posts by file; ``resolve_post`` gives their new address.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve, reverse
from django.utils.text import slugify

from ..models import Article, ArticleRedirect, Section, unique_slug, validate_section_slug


@dataclass
class Plan:
    slug: str
    url: str
    existing: Article | None = None


@dataclass
class Planner:
    """Slugs, sections and addresses for one import; ``plans`` are by post key."""

    plans: dict = field(default_factory=dict)
    by_name: dict = field(default_factory=dict)  # posts by file stem and by path inside _posts/
    sections: dict | None = None  # by lower-case name and by slug, loaded once (saved or only planned)
    section_slugs: set = field(default_factory=set)
    linked: dict = field(default_factory=dict)  # addresses of articles imported before, by the name linked
    by_old_path: dict = field(default_factory=dict)  # post keys by their old Jekyll addresses
    addresses: dict = field(default_factory=dict)  # what old paths not in this import lead to (or None)

    def plan(self, posts):
        keys = [post.key for post in posts]
        existing = {}
        for start in range(0, len(keys), 500):
            found = Article.objects.filter(source_file__in=keys[start : start + 500]).select_related("section")
            existing |= {article.source_file: article for article in found}
        taken = set(Article.objects.values_list("slug", flat=True))
        self.load_sections()
        for post in posts:
            article = existing.get(post.key)
            if article is not None:
                self.plans[post.key] = Plan(article.slug, article.get_absolute_url(), article)
            else:
                # The slug comes from the front matter slug or the file name, else the title (or the Jekyll slug).
                text = next((text for text in (post.slug_source, post.jekyll_slug) if slugify(text)), "article")
                slug = unique_slug(Article, text, taken=taken)
                section = self.planned_section(post.categories[0], post.site) if post.categories else None
                url = reverse("articles:article", kwargs={"section": section.slug if section else "news", "slug": slug})
                self.plans[post.key] = Plan(slug, url)
            for old in post.old_paths:
                self.by_old_path.setdefault(old, post.key)
            self.by_name.setdefault(post.path.stem, post)
            inside = post.key.split("_posts/", 1)[-1].rsplit(".", 1)[0]
            self.by_name.setdefault(inside, post)
        return self.plans

    def load_sections(self):
        if self.sections is None:
            self.sections = {}
            for section in Section.objects.all():
                self.sections.setdefault(section.name.lower(), section)
                self.sections.setdefault(section.slug, section)
            self.section_slugs = {section.slug for section in Section.objects.all()}

    def reset(self):
        """Forget what the database may no longer hold (after a write was rolled back) and load it again."""
        self.sections = None
        self.linked = {}
        self.addresses = {}
        self.load_sections()

    def planned_section(self, name, site=None):
        """The section a Jekyll category names: an existing one, or a new one (not saved) with a free slug.

        A new section takes the slug and description ``_data/sections.yml`` gives it (as the export writes them).
        """
        name = name[:100]
        found = self.sections.get(name.lower()) or self.sections.get(slugify(name))
        if found is None:
            details = site.sections.get(name.lower(), {}) if site is not None else {}
            base = slugify(details.get("slug") or name)[:90].strip("-") or "section"
            try:
                validate_section_slug(base)
            except ValidationError:
                base = f"{base}-section"
            found = Section(name=name, slug=unique_slug(Section, base, max_length=100, taken=self.section_slugs))
            found.description = details.get("description", "")
            self.sections[name.lower()] = found
        return found

    def resolve_post(self, name):
        """The new address of the post a Liquid tag names (``2024-01-02-title`` or ``_posts/….md``), or None."""
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

    def address(self, path):
        """The Newsroom address a link to the old site's ``path`` should use, or None if it leads nowhere.

        A post of this import gives its new address; an old address stored as a redirect (an earlier
        import) gives its article's; a path Newsroom already answers is kept as it is.
        """
        variants = _variants(path)
        for variant in variants:
            if variant in self.by_old_path:
                return self.plans[self.by_old_path[variant]].url
        if path not in self.addresses:
            redirect = ArticleRedirect.objects.filter(old_path__in=variants).select_related("article__section").first()
            self.addresses[path] = redirect.article.get_absolute_url() if redirect else self._newsroom_page(path)
        return self.addresses[path]

    def _newsroom_page(self, path):
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.view_name != "articles:article":
            return path if match.view_name.startswith("articles:") else None
        planned = {plan.url for plan in self.plans.values()}
        found = Article.objects.filter(slug=match.kwargs["slug"]).select_related("section").first()
        return path if path in planned or (found and found.get_absolute_url() == path) else None


def _variants(path):
    """An old address as written and as Jekyll would also serve it (with or without ``index.html``, ``/``)."""
    base = path[: -len("index.html")] if path.endswith("/index.html") else path
    variants = [path, base, base.rstrip("/") or "/", base.rstrip("/") + "/"]
    if base.endswith(".html"):
        variants.append(base[: -len(".html")] + "/")
    else:
        variants.append(base.rstrip("/") + ".html")
    return list(dict.fromkeys(variants))
