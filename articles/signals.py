"""Keep the search index and the page cache in step with what readers see."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from taggit.models import Tag

from newsroom import pagecache

from . import cachekeys, search
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


# Page cache: a change purges the pages that show what changed (articles/cachekeys.py), once it commits.


@receiver(pre_save, sender=Article)
def purge_where_the_article_was(sender, instance, raw=False, **kwargs):
    """A story moved to another section or date leaves the pages of the old one too."""
    if not raw and instance.pk:
        old = Article.objects.filter(pk=instance.pk).values_list("section_id", "published_at").first()
        if old:
            year = old[1] and old[1].astimezone(timezone.get_current_timezone()).year
            cachekeys.changed([instance.pk], keys=[f"archive-{year}"] if year else (), section_ids=[old[0]])


@receiver(post_save, sender=Article)
def purge_pages_of_saved_article(sender, instance, raw=False, **kwargs):
    if not raw:
        cachekeys.changed([instance.pk])


@receiver(pre_delete, sender=Article)
def purge_pages_of_deleted_article(sender, instance, **kwargs):
    cachekeys.changed(keys=cachekeys.keys_before_delete(instance))


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
@receiver(pre_save, sender=Byline)
def purge_pages_of_byline(sender, instance, raw=False, **kwargs):
    if raw:
        return
    authors = [instance.author_id]
    if kwargs.get("signal") is pre_save and instance.pk:
        authors += Byline.objects.filter(pk=instance.pk).values_list("author_id", flat=True)
    cachekeys.changed([instance.article_id], author_ids=authors)


@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
def purge_pages_of_correction(sender, instance, raw=False, **kwargs):
    if not raw:
        cachekeys.changed([instance.article_id], keys=["corrections"])


@receiver(post_save, sender=ArticleImage)
@receiver(post_delete, sender=ArticleImage)
def purge_pages_of_image(sender, instance, raw=False, **kwargs):
    if not raw:
        cachekeys.changed([instance.article_id])


@receiver(post_save, sender=LiveUpdate)
@receiver(post_delete, sender=LiveUpdate)
def purge_pages_of_live_update(sender, instance, raw=False, **kwargs):
    if not raw:
        cachekeys.changed([instance.article_id])


@receiver(post_save, sender=ArticleRedirect)
@receiver(post_delete, sender=ArticleRedirect)
def purge_redirect_pages(sender, instance, raw=False, **kwargs):
    if not raw:
        cachekeys.changed(keys=[pagecache.MISSING])


@receiver(post_save, sender=Article.tags.through)
@receiver(post_delete, sender=Article.tags.through)
def purge_pages_of_tagging(sender, instance, raw=False, **kwargs):
    if not raw:
        cachekeys.changed([instance.content_object_id], tag_ids=[instance.tag_id])


def _purge_after_m2m_change(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags or extra sections added, removed or cleared, from either side of the relation."""
    field = "tag_ids" if sender is Article.tags.through else "section_ids"
    if action == "pre_clear":  # what is about to be cleared is known only now
        if reverse:
            articles = sender.objects.filter(**{_other_field(sender): instance.pk})
            cachekeys.changed(list(articles.values_list(_article_field(sender), flat=True)), **{field: [instance.pk]})
        else:
            others = sender.objects.filter(**{_article_field(sender): instance.pk})
            cachekeys.changed([instance.pk], **{field: list(others.values_list(_other_field(sender), flat=True))})
    elif action in {"post_add", "post_remove", "post_clear"}:
        if reverse:
            cachekeys.changed(pk_set or (), **{field: [instance.pk]})
        else:
            cachekeys.changed([instance.pk], **{field: pk_set or ()})


def _article_field(through):
    return "content_object_id" if through is Article.tags.through else "article_id"


def _other_field(through):
    return "tag_id" if through is Article.tags.through else "section_id"


for _through in (Article.tags.through, Article.extra_sections.through):
    m2m_changed.connect(_purge_after_m2m_change, sender=_through, dispatch_uid=f"pagecache-m2m-{_through.__name__}")


def _purge_everything(sender, raw=False, created=False, **kwargs):
    """Sections, authors and tags are named on every page (navigation, bylines, tag links); a new author or
    tag is on none yet (the byline or tagging that adds it purges its article's pages)."""
    if not raw and not (created and sender is not Section):
        cachekeys.changed(keys=[pagecache.ALL])


for _model in (Section, Author, Tag):
    post_save.connect(_purge_everything, sender=_model, dispatch_uid=f"pagecache-save-{_model.__name__}")
    post_delete.connect(_purge_everything, sender=_model, dispatch_uid=f"pagecache-del-{_model.__name__}")


@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
def forget_navigation(sender, **kwargs):
    transaction.on_commit(lambda: cache.delete(NAV_CACHE_KEY))
