"""Sitemaps for search engines: articles, sections, tags, authors, and a Google News sitemap."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Author, Byline, Category, TaggedArticle


class ArticleSitemap(Sitemap):
    limit = 5000
    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.listed()
            .select_related("section")
            .only("slug", "section__slug", "published_at", "updated_at", "revised_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return max(filter(None, [item.published_at, item.revised_at, item.updated_at]))


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Category.objects.annotate(latest=Max("articles__published_at")).order_by("nav_order", "pk")

    def lastmod(self, item):
        return item.latest


class TagSitemap(Sitemap):
    limit = 5000
    changefreq = "daily"

    def items(self):
        used = TaggedArticle.objects.filter(content_object__in=Article.objects.listed()).values("tag_id")
        return Tag.objects.filter(pk__in=used).order_by("pk")

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(Sitemap):
    limit = 5000
    changefreq = "daily"

    def items(self):
        bylined = Byline.objects.filter(article__in=Article.objects.listed()).values("author_id")
        return Author.objects.filter(pk__in=bylined).order_by("pk")


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def news_sitemap_articles():
    """Articles published in the last two days, as Google News asks (at most 1,000)."""
    since = timezone.now() - timedelta(days=2)
    return (
        Article.objects.listed()
        .filter(published_at__gte=since)
        .for_listing()
        .prefetch_related("tags")
        .order_by("-published_at", "-pk")[:1000]
    )
