"""Site-wide views: robots.txt, the health check, the news sitemap and the error pages."""

import logging

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.cache import never_cache

from articles.sitemaps import SITEMAPS, newest_publication, news_sitemap_articles

logger = logging.getLogger("newsroom")


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


@never_cache
def health(request):
    """Reports whether the database answers; load balancers poll this."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        logger.warning("Health check: database unreachable", exc_info=True)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


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


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page renders from a template with no database access and no context processors."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
