"""Keep the search index in step with articles, their tags and their bylines."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import search
from .models import Article, Author, Byline


@receiver(post_save, sender=Article)
def index_saved_article(sender, instance, raw=False, **kwargs):
    if not raw:
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
