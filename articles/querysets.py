"""Which articles each list shows: one named rule per list.

Views, feeds, sitemaps and the index test all start from these methods, so a list's filter is written once.
Every public list starts from ``listed()`` (published, publish time come, not hidden) and narrows it:
``Article.objects.listed().tagged(tag)``. Tags and authors with no listed article are not public: their page
and their feeds answer 404 through ``public_tag_or_404`` and ``public_author_or_404``.
"""

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from taggit.models import Tag

from . import permissions

NEWEST_FIRST = ("-published_at", "-pk")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, with a publish time that has come."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_review(self):
        return self.filter(status=self.model.Status.REVIEW)

    def listed(self):
        """Published articles that appear in lists (hidden ones are reachable only by their URL)."""
        return self.published().filter(hidden=False)

    def editable_by(self, user):
        """Articles the user may open in the admin: all for editors, their own for writers."""
        if permissions.can_edit_any(user):
            return self
        return self.filter(Q(created_by=user) | Q(bylines__author__user=user)).distinct()

    def with_bylines(self):
        bylines = self.model.authors.through.objects.select_related("author").order_by("position")
        return self.select_related("section").prefetch_related(Prefetch("bylines", queryset=bylines))

    def for_listing(self):
        """Select and prefetch what an article card shows, leaving the heavy text columns behind."""
        return self.with_bylines().defer("body", "body_html", "source_data", "search_vector")

    def for_detail(self):
        return self.with_bylines().defer("source_data", "search_vector").prefetch_related("tags", "corrections")

    def in_section(self, section):
        """Articles whose primary section or one of whose other sections is ``section``."""
        extra = self.model.extra_sections.through.objects.filter(section=section).values("article_id")
        return self.filter(Q(section=section) | Q(pk__in=extra))

    def in_section_sources(self, section):
        """``in_section`` as two querysets, each served by an index, whose union it is (see pagination)."""
        return [self.filter(section=section), self.filter(extra_sections=section)]

    def tagged(self, tag):
        return self.filter(pk__in=self.model.tags.through.objects.filter(tag=tag).values("content_object_id"))

    def by_author(self, author):
        return self.filter(pk__in=self.model.authors.through.objects.filter(author=author).values("article_id"))

    def published_between(self, start, end):
        """Articles published in [start, end)."""
        return self.filter(published_at__gte=start, published_at__lt=end)

    def section_blocks(self, sections, exclude=(), per_section=4):
        """The newest ``per_section`` articles of each section, leaving out the ``exclude`` primary keys.

        ``sections`` is a queryset of sections (or a list of them). Returns ``[(section, [article, ...]), ...]``
        in the order of ``sections``, leaving out empty ones. Two statements (and what ``self`` prefetches)
        whatever the number of sections: the sections, each with the keys of its newest articles (the n-th
        newest by one small subquery served by the section index, ``LIMIT 1 OFFSET n``), then those articles
        by key. Neither grows with the archive (a window over all articles would), and the first is built from
        ``per_section`` subqueries, not one per section: building and compiling the SQL costs more here than
        running it.
        """
        if not isinstance(sections, models.QuerySet):
            sections = list(sections)
            if not sections:
                return []
            order = {section.pk: index for index, section in enumerate(sections)}
            model = self.model._meta.get_field("section").related_model
            sections = model.objects.filter(pk__in=list(order)).order_by()
            return sorted(self.section_blocks(sections, exclude, per_section), key=lambda b: order[b[0].pk])
        candidates = self.exclude(pk__in=exclude) if exclude else self
        newest = candidates.filter(section=OuterRef("pk")).values("pk").order_by(*NEWEST_FIRST)
        picks = {f"newest_{n}": Subquery(newest[n : n + 1]) for n in range(per_section)}
        sections = list(sections.annotate(**picks))
        keys = {section.pk: [getattr(section, name) for name in picks] for section in sections}
        wanted = [pk for pks in keys.values() for pk in pks if pk is not None]
        found = self.order_by().in_bulk(wanted) if wanted else {}
        blocks = []
        for section in sections:
            articles = [found[pk] for pk in keys[section.pk] if pk in found]
            for article in articles:
                article.section = section
            if articles:
                blocks.append((section, articles))
        return blocks

    def related_to(self, article, limit=4):
        """Up to ``limit`` articles sharing the most tags with ``article``, then the newest in its section.

        Candidates are ranked on the tag table alone (a small aggregate over the article's tags) and read in
        the same query, with just the columns the related block shows. The section's newest are always read
        too, so the page makes the same queries whatever the archive holds. Returns a list.
        """
        columns = ("headline", "slug", "published_at", "section__slug", "section__name")
        candidates = self.exclude(pk=article.pk).select_related("section").only(*columns)
        tag_ids = [tag.pk for tag in article.tags.all()]
        related = []
        if tag_ids:
            ranked = (
                self.model.tags.through.objects.filter(tag_id__in=tag_ids)
                .exclude(content_object_id=article.pk)
                .values("content_object_id")
                .annotate(shared=Count("id"))
                .order_by("-shared", "-content_object_id")
                .values("content_object_id")[: limit * 10]
            )
            related = list(
                candidates.filter(pk__in=Subquery(ranked))
                .annotate(shared=Count("tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids)))
                .order_by("-shared", *NEWEST_FIRST)[:limit]
            )
        if article.section_id:
            newest = candidates.filter(section_id=article.section_id).order_by(*NEWEST_FIRST)[:limit]
            seen = {a.pk for a in related}
            related += [a for a in newest if a.pk not in seen][: limit - len(related)]
        return related


def public_tags():
    """Tags with at least one listed article: the only ones with a page, feeds and a sitemap entry."""
    from .models import Article

    return Tag.objects.filter(Exists(Article.objects.listed().filter(tagged_items__tag=OuterRef("pk"))))


def tags_visible_to(user):
    """Tags a member of staff may see in the admin: every tag for editors; for writers, the tags of published
    articles and of articles they may edit, never a tag found only on someone else's unpublished work."""
    from .models import Article, TaggedArticle

    if permissions.can_edit_any(user):
        return Tag.objects.all()
    tagged = TaggedArticle.objects.filter(tag=OuterRef("pk"))
    return Tag.objects.filter(
        Exists(tagged.filter(content_object__in=Article.objects.published()))
        | Exists(tagged.filter(content_object__in=Article.objects.editable_by(user)))
    )


def public_authors():
    """Authors with at least one listed article: the only ones with a page, feeds and a sitemap entry.

    An author with a biography but no listed article has no page either: readers never see an empty one.
    """
    from .models import Article, Author

    return Author.objects.filter(Exists(Article.objects.listed().filter(bylines__author=OuterRef("pk"))))


def public_tag_or_404(slug):
    return get_object_or_404(public_tags(), slug=slug)


def public_author_or_404(slug):
    return get_object_or_404(public_authors(), slug=slug)
