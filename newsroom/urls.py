from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
    path("newsletters/", include("newsletters.urls")),
    path("", include("articles.sitemap_urls")),  # robots.txt and the sitemaps
    path("", include("articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
