from django.conf import settings
from django.core.cache import cache

from .models import Section

NAV_CACHE_KEY = "newsroom:nav-sections"


def navigation_sections():
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = [(c.name, c.get_absolute_url()) for c in Section.objects.filter(show_in_nav=True)]
        cache.set(NAV_CACHE_KEY, sections, 300)
    return sections


def site(request):
    """Site name, address and navigation for every template."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
        "nav_sections": navigation_sections,
    }
