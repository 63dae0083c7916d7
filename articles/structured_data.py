"""Schema.org NewsArticle data for an article page, and absolute URLs for metadata."""

from django.conf import settings
from django.templatetags.static import static


def absolute_url(url):
    """Make a site path absolute with SITE_URL; URLs that are already absolute pass through."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def social_image_url(article):
    image = article.social_image or article.hero_image
    return absolute_url(image.url) if image else ""


def article_structured_data(article):
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.meta_description or article.standfirst,
        "mainEntityOfPage": absolute_url(article.get_absolute_url()),
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": (article.revised_at or article.updated_at or article.published_at).isoformat()
        if (article.revised_at or article.updated_at or article.published_at)
        else None,
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in article.byline_authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
            "logo": {"@type": "ImageObject", "url": absolute_url(static("img/logo.png"))},
        },
    }
    image = social_image_url(article)
    if image:
        data["image"] = [image]
    if article.section_id:
        data["articleSection"] = article.section.name
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    if article.canonical_url:
        data["isBasedOn"] = article.canonical_url
    return {key: value for key, value in data.items() if value not in (None, "", [])}
