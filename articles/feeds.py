"""RSS 2.0 and Atom feeds for the whole site, a section, a tag, an author, the corrections log and the
updates of a live story.

Every link in a feed is absolute and built from SITE_URL, so feed readers and aggregators that fetch through
a proxy or cache still point readers at the public site.
"""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from .archive import archive_period
from .models import Article, Correction, LiveUpdate, Section
from .querysets import public_author_or_404, public_tag_or_404
from .structured_data import absolute_url

FEED_LENGTH = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


class MediaRssFeed(Rss201rev2Feed):
    """RSS with the full text in content:encoded and the photo as media:content."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS, "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        add_media_element(handler, item)


class MediaAtomFeed(Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        add_media_element(handler, item)


def add_media_element(handler, item):
    image = item.get("image")
    if not image:
        return
    attrs = {"url": image["url"], "medium": "image", "type": image["type"]}
    if image.get("width"):
        attrs.update(width=str(image["width"]), height=str(image["height"]))
    handler.startElement("media:content", attrs)
    if image.get("alt"):
        handler.addQuickElement("media:description", image["alt"])
    if image.get("credit"):
        handler.addQuickElement("media:credit", image["credit"])
    handler.endElement("media:content")


_LOCAL_URL = re.compile(r'(\s(?:src|href)=")(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def absolutize(html):
    """Make the site-relative addresses in article HTML absolute, for readers that show it elsewhere."""
    html = _LOCAL_URL.sub(lambda m: f'{m.group(1)}{absolute_url(m.group(2))}"', html)

    def srcset(match):
        candidates = [c.strip() for c in match.group(2).split(",")]
        fixed = [absolute_url(c) if c.startswith("/") and not c.startswith("//") else c for c in candidates]
        return f'{match.group(1)}{", ".join(fixed)}"'

    return _SRCSET.sub(srcset, html)


IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


class SiteUrlFeed(Feed):
    """A feed whose own address is built from SITE_URL rather than from the request's host."""

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = absolute_url(request.path)
        return feed


class ArticleFeed(SiteUrlFeed):
    feed_type = MediaRssFeed

    def title(self, obj=None):
        return settings.SITE_NAME

    def link(self, obj=None):
        return absolute_url("/")

    def description(self, obj=None):
        return settings.SITE_DESCRIPTION

    def articles(self, obj):
        return Article.objects.listed()

    def items(self, obj=None):
        heavy = ["body", "source_data", "search_vector"] + ([] if settings.FEED_CONTENT == "full" else ["body_html"])
        queryset = self.articles(obj).with_bylines().defer(*heavy).prefetch_related("tags")
        return queryset.order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Feed readers show a description as HTML; the standfirst is plain text, so escape it.
        return escape(item.standfirst or item.meta_description or item.headline)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        return absolute_url(f"/articles/{item.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.revised_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.byline_authors) or None

    def item_categories(self, item):
        section = [item.section.name] if item.section_id else []
        return section + [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        extra = {}
        if settings.FEED_CONTENT == "full" and item.body_html:
            extra["content_html"] = absolutize(item.body_html)
        if item.hero_image:
            extension = item.hero_image.name.rsplit(".", 1)[-1].lower()
            extra["image"] = {
                "url": absolute_url(item.hero_image.url),
                "type": IMAGE_TYPES.get(extension, "image/jpeg"),
                "width": item.hero_width,
                "height": item.hero_height,
                "alt": item.hero_alt,
                "credit": item.hero_credit,
            }
        return extra


class ArticleAtomFeed(ArticleFeed):
    feed_type = MediaAtomFeed

    def subtitle(self, obj=None):
        return self.description(obj)


class NamedFeedMixin:
    """A feed of one section, tag or author: titled with its name."""

    def title(self, obj):
        return f"{obj.name} · {settings.SITE_NAME}"


class SectionFeedMixin(NamedFeedMixin):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def description(self, obj):
        return escape(obj.description or f"The latest from {obj.name}.")

    def articles(self, obj):
        return Article.objects.listed().in_section(obj)


class TagFeedMixin(NamedFeedMixin):
    def get_object(self, request, slug):
        return public_tag_or_404(slug)

    def link(self, obj):
        return absolute_url(reverse("articles:tag", kwargs={"slug": obj.slug}))

    def description(self, obj):
        return escape(f"Articles tagged {obj.name}.")

    def articles(self, obj):
        return Article.objects.listed().tagged(obj)


class AuthorFeedMixin(NamedFeedMixin):
    def get_object(self, request, slug):
        return public_author_or_404(slug)

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def description(self, obj):
        return escape(f"Articles by {obj.name}.")

    def articles(self, obj):
        return Article.objects.listed().by_author(obj)


class ArchiveFeedMixin:
    def get_object(self, request, year, month=None, day=None):
        title, start, end = archive_period(year, month, day)
        return {"title": title, "start": start, "end": end, "path": request.path.removesuffix("feed/")}

    def title(self, obj):
        return f"{obj['title']} · {settings.SITE_NAME}"

    def link(self, obj):
        return obj["path"]

    def description(self, obj):
        return f"Articles published in {obj['title']}."

    def articles(self, obj):
        return Article.objects.listed().published_between(obj["start"], obj["end"])


class ArchiveFeed(ArchiveFeedMixin, ArticleFeed):
    pass


class SectionFeed(SectionFeedMixin, ArticleFeed):
    pass


class SectionAtomFeed(SectionFeedMixin, ArticleAtomFeed):
    pass


class TagFeed(TagFeedMixin, ArticleFeed):
    pass


class TagAtomFeed(TagFeedMixin, ArticleAtomFeed):
    pass


class AuthorFeed(AuthorFeedMixin, ArticleFeed):
    pass


class AuthorAtomFeed(AuthorFeedMixin, ArticleAtomFeed):
    pass


class CorrectionsFeed(SiteUrlFeed):
    feed_type = Rss201rev2Feed

    def title(self):
        return f"Corrections · {settings.SITE_NAME}"

    def link(self):
        return absolute_url(reverse("articles:corrections"))

    def description(self):
        return "Every correction and update to our published journalism."

    def items(self):
        return (
            Correction.objects.filter(article__in=Article.objects.published())
            .select_related("article__section")
            .order_by("-noted_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item):
        return item.note_html

    def item_link(self, item):
        return absolute_url(f"{item.article.get_absolute_url()}#note-{item.pk}")

    def item_pubdate(self, item):
        return item.noted_at


class LiveUpdatesFeed(SiteUrlFeed):
    """The updates of a story with live coverage, newest first (RSS)."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, section, slug):
        article = get_object_or_404(
            Article.objects.published().select_related("section"), slug=slug, live_started_at__isnull=False
        )
        if article.get_absolute_url() != request.path.removesuffix("updates/feed/"):
            raise Http404("No such feed.")
        return article

    def title(self, obj):
        return f"{obj.headline}: live updates · {settings.SITE_NAME}"

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def description(self, obj):
        return escape(obj.standfirst or obj.headline)

    def items(self, obj):
        updates = LiveUpdate.objects.filter(article=obj).select_related("author", "article__section")
        return updates.order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.headline or item.text[:110]

    def item_description(self, item):
        return absolutize(item.body_html)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        return absolute_url(f"/articles/{item.article_id}/updates/{item.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.author.name if item.author else None
