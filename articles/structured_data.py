"""Schema.org NewsArticle (or LiveBlogPosting) data for an article page, and absolute URLs for metadata."""

from django.conf import settings
from django.templatetags.static import static

LIVE_BLOG_UPDATES = 50  # the newest updates listed in a live story's structured data


def absolute_url(url):
    """Make a site path absolute with SITE_URL; URLs that are already absolute pass through."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def social_image_url(article):
    image = article.social_image or article.hero_image
    return absolute_url(image.url) if image else ""


def article_structured_data(article, live_updates=()):
    """``live_updates``: the story's updates, for a story with live coverage (a LiveBlogPosting)."""
    modified = max(
        [moment for moment in (article.revised_at, article.updated_at, article.published_at) if moment]
        + [update.published_at for update in live_updates],
        default=None,
    )
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.meta_description or article.standfirst,
        "mainEntityOfPage": absolute_url(article.get_absolute_url()),
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": modified.isoformat() if modified else None,
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
    if article.has_live_updates:
        data.update(live_blog_data(article, live_updates))
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def live_blog_data(article, live_updates):
    newest = sorted(live_updates, key=lambda update: (update.published_at, update.pk), reverse=True)
    page = absolute_url(article.get_absolute_url())
    return {
        "@type": "LiveBlogPosting",
        "coverageStartTime": article.live_started_at.isoformat(),
        "coverageEndTime": article.live_ended_at.isoformat() if article.live_ended_at else None,
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "headline": (update.headline or update.text)[:110],
                "articleBody": update.text,
                "datePublished": update.published_at.isoformat(),
                "url": f"{page}#update-{update.pk}",
                **({"author": {"@type": "Person", "name": update.author.name}} if update.author else {}),
            }
            for update in newest[:LIVE_BLOG_UPDATES]
        ],
    }
