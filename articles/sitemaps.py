"""Sitemaps for search engines: articles, sections, tags, authors, and a Google News sitemap.

Addresses are built from SITE_URL. Large sitemaps are split by ranges of primary key rather than by
OFFSET: page N holds the public items whose id falls in the N-th block of ``limit`` ids. Counting pages
needs only the lowest and highest id (two index lookups) and each page is one index range scan, so a
sitemap page costs the same at 1,000 or 1,000,000 articles. A page holds at most ``limit`` addresses, far
below the protocol's 50,000; a block whose articles are all unpublished is simply an empty page.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, Min, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Author, Section
from .querysets import public_authors, public_tags

PAGE_SIZE = 1000


class RangePage:
    def __init__(self, object_list, number):
        self.object_list, self.number = object_list, number


class RangePaginator:
    """Pages of a queryset by blocks of primary keys; see the module docstring."""

    def __init__(self, queryset, all_ids, per_page):
        self.queryset, self.per_page = queryset, per_page
        # MIN and MAX apart: each is one index lookup, where both in one query read the whole index on SQLite.
        self.first_id = all_ids.aggregate(first=Min("pk"))["first"]
        self.last_id = all_ids.aggregate(last=Max("pk"))["last"] if self.first_id is not None else None

    @property
    def num_pages(self):
        if self.first_id is None:
            return 1
        return (self.last_id - self.first_id) // self.per_page + 1

    @property
    def page_range(self):
        return range(1, self.num_pages + 1)

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        if self.first_id is None:
            return RangePage([], number)
        low = self.first_id + (number - 1) * self.per_page
        items = self.queryset.filter(pk__gte=low, pk__lt=low + self.per_page).order_by("pk")
        return RangePage(list(items), number)


def newest_publication():
    """When the newest public article appeared: one index lookup, used as the index's lastmod."""
    return Article.objects.listed().order_by("-published_at").values_list("published_at", flat=True).first()


class SiteSitemap(Sitemap):
    limit = PAGE_SIZE
    # Every id the paged queryset could hold, public or not (cheap to bound).
    id_source = None

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    @property
    def paginator(self):
        if self.id_source is None:
            return super().paginator
        return RangePaginator(self.items(), self.id_source.all(), self.limit)

    def get_latest_lastmod(self):
        return newest_publication()


class ArticleSitemap(SiteSitemap):
    changefreq = "weekly"
    id_source = Article.objects

    def items(self):
        return (
            Article.objects.listed()
            .select_related("section")
            .only("slug", "section__slug", "published_at", "updated_at", "revised_at")
        )

    def lastmod(self, item):
        return max(filter(None, [item.published_at, item.revised_at, item.updated_at]))


class SectionSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        newest = Article.objects.listed().filter(section=OuterRef("pk")).order_by("-published_at")
        return (
            Section.objects.annotate(latest=Subquery(newest.values("published_at")[:1]))
            .filter(latest__isnull=False)
            .order_by("nav_order", "pk")
        )

    def lastmod(self, item):
        return item.latest


class TagSitemap(SiteSitemap):
    """Tags with at least one public article. Entries carry no lastmod: finding each tag's newest
    article would cost a scan per tag that grows with the archive."""

    changefreq = "daily"
    id_source = Tag.objects

    def items(self):
        return public_tags()

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item.slug})


class AuthorSitemap(SiteSitemap):
    """Authors with at least one public article (no per-entry lastmod, as for tags)."""

    changefreq = "daily"
    id_source = Author.objects

    def items(self):
        return public_authors()


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
