"""Sitemaps for search engines: articles, sections, tags, authors, and a Google News sitemap.

Addresses are built from SITE_URL. Each sitemap is paged at 5,000 addresses, well under the protocol's
50,000, and reports its latest change with one aggregate query rather than by reading every item.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Author, Byline, Category, TaggedArticle

PAGE_SIZE = 5000


def public(prefix):
    """A filter on a related article path that keeps only what readers can see in lists."""
    return Q(
        **{
            f"{prefix}status": Article.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
            f"{prefix}hidden": False,
        }
    )


class SiteSitemap(Sitemap):
    limit = PAGE_SIZE

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    # Articles whose publication changes the pages of this sitemap.
    articles_filter = Q()

    def lastmod(self, item):
        return item.latest

    def get_latest_lastmod(self):
        articles = Article.objects.listed().filter(self.articles_filter)
        return articles.aggregate(newest=Max("published_at"))["newest"]


class ArticleSitemap(SiteSitemap):
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

    def get_latest_lastmod(self):
        return Article.objects.listed().aggregate(newest=Max("updated_at"))["newest"]


class SectionSitemap(SiteSitemap):
    changefreq = "hourly"
    articles_filter = Q(section__isnull=False)

    def items(self):
        return (
            Category.objects.annotate(latest=Max("articles__published_at", filter=public("articles__")))
            .filter(latest__isnull=False)
            .order_by("nav_order", "pk")
        )


class TagSitemap(SiteSitemap):
    changefreq = "daily"
    articles_filter = Q(pk__in=TaggedArticle.objects.values("content_object_id"))

    def items(self):
        path = "articles_taggedarticle_items__content_object__"
        used = TaggedArticle.objects.filter(content_object__in=Article.objects.listed()).values("tag_id")
        return (
            Tag.objects.filter(pk__in=used)
            .annotate(latest=Max(f"{path}published_at", filter=public(path)))
            .order_by("pk")
        )

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(SiteSitemap):
    changefreq = "daily"
    articles_filter = Q(pk__in=Byline.objects.values("article_id"))

    def items(self):
        bylined = Byline.objects.filter(article__in=Article.objects.listed()).values("author_id")
        return (
            Author.objects.filter(pk__in=bylined)
            .annotate(latest=Max("bylines__article__published_at", filter=public("bylines__article__")))
            .order_by("pk")
        )


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
        .select_related("section")
        .only("slug", "headline", "section__slug", "published_at")
        .order_by("-published_at", "-pk")[:1000]
    )
