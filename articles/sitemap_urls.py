"""Addresses at the site's root that search engines expect: robots.txt and the sitemaps.

Included without a namespace (their names stay "robots_txt", "sitemap_index", "sitemap", "news_sitemap").
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import sitemap_views as views
from .sitemaps import SITEMAPS

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap_index"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("news-sitemap.xml", views.news_sitemap, name="news_sitemap"),
]
