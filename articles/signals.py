"""Keep the search index and the page cache in step with what readers see."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from taggit.models import Tag

from newsroom import pagecache

from . import search
from .context_processors import NAV_CACHE_KEY
from .models import Article, ArticleImage, ArticleRedirect, Author, Byline, Correction, LiveUpdate, Section


@receiver(pre_save, sender=Tag)
def give_every_tag_an_address(sender, instance, raw=False, **kwargs):
    """A tag whose name has no Latin letters or digits (say "東京") still gets a usable slug."""
    if not raw and not instance.slug:
        instance.slug = "tag-" + hashlib.sha1(instance.name.encode(), usedforsecurity=False).hexdigest()[:10]


_search_indexing_deferred = ContextVar("search_indexing_deferred", default=False)


@contextmanager
def search_indexing_deferred():
    """Saving an article inside this block does not index it: the caller (the Jekyll importer) calls
    ``search.index_article`` itself once the article's tags and bylines are set."""
    token = _search_indexing_deferred.set(True)
    try:
        yield
    finally:
        _search_indexing_deferred.reset(token)


@receiver(post_save, sender=Article)
def index_saved_article(sender, instance, raw=False, **kwargs):
    if not raw and not _search_indexing_deferred.get():
        search.index_article(instance)


@receiver(post_delete, sender=Article)
def unindex_deleted_article(sender, instance, **kwargs):
    search.remove_article(instance.pk)


@receiver(m2m_changed, sender=Article.tags.through)
def index_after_tag_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        search.index_article(instance)


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
def index_article_of_byline(sender, instance, raw=False, **kwargs):
    if not raw:
        for article in Article.objects.filter(pk=instance.article_id):
            search.index_article(article)


@receiver(post_save, sender=Author)
def index_articles_of_author(sender, instance, created, raw=False, **kwargs):
    if not (raw or created):
        for article in Article.objects.filter(bylines__author=instance):
            search.index_article(article)


# Page cache: any change readers could see makes every cached page stale, once the change is committed.

_CONTENT_MODELS = [Article, Author, Byline, Section, Correction, ArticleImage, ArticleRedirect, LiveUpdate, Tag]


def _bump_page_cache_on_commit(**kwargs):
    if kwargs.get("raw"):
        return
    transaction.on_commit(pagecache.bump)


for _model in _CONTENT_MODELS:
    post_save.connect(_bump_page_cache_on_commit, sender=_model, dispatch_uid=f"pagecache-save-{_model.__name__}")
    post_delete.connect(_bump_page_cache_on_commit, sender=_model, dispatch_uid=f"pagecache-del-{_model.__name__}")
for _through in (Article.tags.through, Article.extra_sections.through):
    m2m_changed.connect(_bump_page_cache_on_commit, sender=_through, dispatch_uid=f"pagecache-m2m-{_through.__name__}")


@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
def forget_navigation(sender, **kwargs):
    transaction.on_commit(lambda: cache.delete(NAV_CACHE_KEY))
