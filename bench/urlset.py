"""The URLs the benchmark requests for each page type, chosen from the database as it is."""

from django.db.models import Count
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Section, TaggedArticle
from articles.pagination import encode_cursor


def page_urls(samples=20):
    published = Article.objects.listed().select_related("section").order_by("-published_at")
    articles = [a.get_absolute_url() for a in published.only("slug", "section__slug")[: samples * 50 : 50]]
    sections = list(Section.objects.order_by("pk"))
    largest = Section.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    oldest = list(Article.objects.listed().filter(section=largest).order_by("published_at", "pk")[:21])
    deep = f"{largest.get_absolute_url()}?before={encode_cursor(oldest[-1])}" if len(oldest) > 20 else None
    tag_ids = (
        TaggedArticle.objects.values("tag_id").annotate(n=Count("id")).order_by("-n").values_list("tag_id", flat=True)
    )
    tags = list(Tag.objects.filter(pk__in=list(tag_ids[:samples])))
    # The most prolific authors and most used tags: their first pages are full at any archive size.
    authors = list(Author.objects.annotate(n=Count("bylines")).order_by("-n", "pk")[:samples])
    newest = published.first().published_at
    urls = {
        "home": ["/"],
        "article": articles,
        "section": [s.get_absolute_url() for s in sections[:samples]],
        "section_deep": [deep] if deep else [],
        "tag": [reverse("articles:tag", args=[t.slug]) for t in tags],
        "author": [a.get_absolute_url() for a in authors],
        "archive": [reverse("articles:archive_month", args=[newest.year, newest.month])],
        "search": [f"/search/?q={word}" for word in ("council", "river+flood", "budget", "otter", "festival")],
        "feed": ["/feed/"],
        "sitemap_index": ["/sitemap.xml"],
        "sitemap_page": ["/sitemap-articles.xml?p=1"],
    }
    return {name: paths for name, paths in urls.items() if paths}
