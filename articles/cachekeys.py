"""Surrogate keys: which content each page shows, and which pages a change makes stale.

A page names what it is built from (``page_keys``, registered with the page cache in ``ArticlesConfig``):

| page | keys |
|------|------|
| home, its feeds | ``home`` / ``feeds`` |
| an article | ``article-<id>``, the ids of the related stories shown, its section and tags (the related block) |
| a section, tag or author page, and its feeds | ``section-<slug>``, ``tag-<slug>``, ``author-<slug>`` |
| archives | ``archive`` (the list of years), ``archive-<year>`` (that year's pages and feeds) |
| search, sitemaps, corrections | ``search``, ``sitemaps``, ``corrections`` |

A change to an article purges its own key and every list it is on, before and after the change
(``article_keys``): a story moved from one section to another leaves the first and joins the second.
Sections, authors and tags appear on every page (navigation, bylines, tag links), so renaming one purges
everything; they change rarely. Keys are collected for the whole transaction and purged once it commits.
"""

import threading

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from newsroom import pagecache

from .models import Article, ArticleRedirect, Author, Byline, Section

LIST_KEYS = ("home", "feeds", "search", "sitemaps", "archive", pagecache.MISSING)
MAX_ARTICLES_PER_PURGE = 500  # past this many changed articles in one transaction, purge everything

_BY_URL_NAME = {
    "home": ("home",),
    "feed": ("feeds",),
    "atom_feed": ("feeds",),
    "search": ("search",),
    "corrections": ("corrections",),
    "corrections_feed": ("corrections",),
    "archive": ("archive",),
    "sitemap_index": ("sitemaps",),
    "sitemap": ("sitemaps",),
    "news_sitemap": ("sitemaps",),
    "robots_txt": (),
}
_BY_SLUG = {"section": "section", "tag": "tag", "author": "author"}  # url name prefix -> key prefix


def page_keys(request, response):
    """The keys of what a page shows; None when the page is not one of the site's (every purge then reaches it)."""
    match = request.resolver_match
    if match is None:
        return ()  # an address that matches no page: a 404 (the page cache adds ``missing``)
    name, kwargs = match.url_name, match.kwargs
    if name in _BY_URL_NAME:
        return _BY_URL_NAME[name]
    prefix = name.split("_", 1)[0] if name else None
    if prefix in _BY_SLUG and "slug" in kwargs:
        return (f"{_BY_SLUG[prefix]}-{kwargs['slug']}",)
    if prefix == "archive" and "year" in kwargs:
        return (f"archive-{kwargs['year']}",)
    if name == "article":
        return _article_page_keys(response)
    return None


def _article_page_keys(response):
    context = getattr(response, "context_data", None) or {}
    article = context.get("article")
    if article is None:
        return ()  # a redirect or a 404: purged with ``missing`` when any article changes
    keys = [f"article-{article.pk}", *(f"article-{other.pk}" for other in context.get("related", ()))]
    if article.section_id:
        keys.append(f"section-{article.section.slug}")
    keys.extend(f"tag-{tag.slug}" for tag in context.get("tags", ()))
    return keys


def certainly_missing(path):
    """Whether an address ending in a slash answers 404 for sure: it matches no page, or an article address
    whose story is not published, and no old address of a published story. Two indexed lookups, instead of
    the article page's queries, the redirect middleware and the 404 template for every random address."""
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is not None:
        if match.view_name != "articles:article":
            return False  # other pages answer 404 themselves, cheaply enough, or exist
        if Article.objects.published().filter(slug=match.kwargs["slug"]).exists():
            return False
    candidates = {path, path.rstrip("/") or "/"}
    return not ArticleRedirect.objects.filter(old_path__in=candidates, article__in=Article.objects.published()).exists()


def article_keys(article_ids):
    """Every key a change to these articles touches, read from the database as it stands now."""
    if not article_ids:
        return set()
    keys = {*LIST_KEYS, *(f"article-{pk}" for pk in article_ids)}
    zone = timezone.get_current_timezone()
    for section_slug, published_at in Article.objects.filter(pk__in=article_ids).values_list(
        "section__slug", "published_at"
    ):
        if section_slug:
            keys.add(f"section-{section_slug}")
        if published_at:
            keys.add(f"archive-{published_at.astimezone(zone).year}")
    extra = Article.extra_sections.through.objects.filter(article_id__in=article_ids)
    keys.update(f"section-{slug}" for slug in extra.values_list("section__slug", flat=True))
    tagged = Article.tags.through.objects.filter(content_object_id__in=article_ids)
    keys.update(f"tag-{slug}" for slug in tagged.values_list("tag__slug", flat=True))
    bylines = Byline.objects.filter(article_id__in=article_ids)
    keys.update(f"author-{slug}" for slug in bylines.values_list("author__slug", flat=True))
    return keys


class _Change:
    __slots__ = ("article_ids", "keys", "section_ids", "author_ids", "tag_ids")

    def __init__(self, article_ids, keys, section_ids, author_ids, tag_ids):
        self.article_ids, self.keys = {pk for pk in article_ids if pk}, set(keys)
        self.section_ids, self.author_ids, self.tag_ids = set(section_ids), set(author_ids), set(tag_ids)

    def __call__(self):
        """On commit: purge this change and every one noted after it in this thread (the rest of the same
        transaction), once. Changes noted before it never committed (rolled back): they are dropped."""
        noted = _noted.changes
        try:
            index = next(i for i, change in enumerate(noted) if change is self)
        except StopIteration:
            return  # purged with an earlier change of the same transaction
        batch, noted[:] = noted[index:], []
        _purge(batch)


class _Noted(threading.local):
    def __init__(self):
        self.changes = []


_noted = _Noted()
MAX_NOTED = 10_000


def changed(article_ids=(), keys=(), section_ids=(), author_ids=(), tag_ids=()):
    """Note what changed; the pages showing it are purged once the transaction commits (once for all the
    changes a transaction makes)."""
    change = _Change(article_ids, keys, section_ids, author_ids, tag_ids)
    if len(_noted.changes) >= MAX_NOTED:
        del _noted.changes[: MAX_NOTED // 2]
    _noted.changes.append(change)
    transaction.on_commit(change)


def _purge(batch):
    article_ids, keys = set(), set()
    section_ids, author_ids, tag_ids = set(), set(), set()
    for change in batch:
        article_ids |= change.article_ids
        keys |= change.keys
        section_ids |= change.section_ids
        author_ids |= change.author_ids
        tag_ids |= change.tag_ids
    if pagecache.ALL in keys or len(article_ids) > MAX_ARTICLES_PER_PURGE:
        pagecache.purge_all()
        return
    keys |= article_keys(article_ids)
    for prefix, model, ids in (
        ("section", Section, section_ids - {None}),
        ("author", Author, author_ids - {None}),
        ("tag", Article.tags.through.tag_model(), tag_ids - {None}),
    ):
        if ids:
            keys.update(f"{prefix}-{slug}" for slug in model.objects.filter(pk__in=ids).values_list("slug", flat=True))
    pagecache.purge(keys)


def keys_before_delete(article):
    """An article about to be deleted: its keys now, while its rows still exist."""
    return article_keys([article.pk])
