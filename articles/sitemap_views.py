"""What search engines read: robots.txt, the sitemap index and the Google News sitemap.

The sitemap pages themselves are Django's sitemap view over ``sitemaps.SITEMAPS``; see ``sitemap_urls``.
"""

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.http import HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date

from .sitemaps import SITEMAPS, newest_publication, news_sitemap_articles


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap_index')}",
        f"Sitemap: {settings.SITE_URL}{reverse('news_sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@x_robots_tag
def sitemap_index(request):
    """The sitemap index: every page of every sitemap, and the news sitemap, at their SITE_URL addresses."""
    lastmod = newest_publication()
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        location = settings.SITE_URL + reverse("sitemap", kwargs={"section": section})
        entries.append(SitemapIndexItem(location, lastmod))
        pages = sitemap_class().paginator.page_range
        entries += [SitemapIndexItem(f"{location}?p={page}", lastmod) for page in pages[1:]]
    entries.append(SitemapIndexItem(settings.SITE_URL + reverse("news_sitemap"), lastmod))
    headers = {"Last-Modified": http_date(lastmod.timestamp())} if lastmod else None
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml", headers=headers
    )


def news_sitemap(request):
    return render(
        request,
        "sitemaps/news.xml",
        {"articles": news_sitemap_articles()},
        content_type="application/xml; charset=utf-8",
    )
