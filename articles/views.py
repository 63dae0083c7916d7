"""Reader pages. Every queryset starts from ``Article.objects.published()`` (or ``listed()``)."""

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from . import search
from .models import Article, Author, Byline, Correction, Section, TaggedArticle
from .pagination import paginate
from .structured_data import article_structured_data

PER_PAGE = 20
# Archive years that can exist: a newsroom's back issues, not the whole calendar (which also keeps every
# date and time computed from the address inside what Python and the databases can represent).
MIN_YEAR, MAX_YEAR = 1800, 2999


class CursorListMixin:
    """A list of articles, newest first, paged with before/after cursors."""

    template_name = "articles/article_list.html"
    per_page = PER_PAGE
    list_title = ""
    list_description = ""

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        self.page = paginate(self.object_list, request.GET, self.per_page, self.get_sources())
        return self.render_to_response(self.get_context_data())

    def get_sources(self):
        """Querysets whose union is the list, when one indexed query cannot express it (see paginate)."""
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=self.page,
            articles=self.page.items,
            list_title=self.list_title,
            list_description=self.list_description,
            **kwargs,
        )


class HomeView(CursorListMixin, ListView):
    """The front page: the lead story, the latest, a block per section; older stories paged below."""

    template_name = "articles/home.html"
    latest_count = 10
    per_section = 4

    def get_queryset(self):
        return Article.objects.listed().for_listing()

    def get(self, request, *args, **kwargs):
        if "before" in request.GET or "after" in request.GET:
            self.template_name = CursorListMixin.template_name
            self.list_title = "More stories"
            return super().get(request, *args, **kwargs)
        self.object_list = self.get_queryset()
        self.lead = self.object_list.filter(featured=True).order_by("-published_at", "-pk").first()
        latest = self.object_list.exclude(pk=self.lead.pk) if self.lead else self.object_list
        self.page = paginate(latest, request.GET, self.latest_count)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        if not self.page.is_first:
            return super().get_context_data(**kwargs)
        shown = [a.pk for a in self.page.items] + ([self.lead.pk] if self.lead else [])
        return super().get_context_data(
            lead=self.lead, latest=self.page.items, blocks=self.section_blocks(shown), **kwargs
        )

    def section_blocks(self, shown):
        """The newest few stories of each navigation section not already shown above.

        One statement: a UNION ALL of small per-section queries, each served by the section index, so the
        cost does not grow with the archive (a window over all articles would). The per-section query is
        written once as SQL: compiling a queryset for each section would cost more than running them.
        """
        sections = list(Section.objects.filter(show_in_nav=True))
        if not sections:
            return []
        excluded = "".join(f" AND id <> {int(pk)}" for pk in shown)
        block = (
            "SELECT * FROM (SELECT id FROM articles_article WHERE section_id = %s AND status = %s "  # noqa: S608
            f"AND published_at <= %s AND NOT hidden{excluded} "
            f"ORDER BY published_at DESC, id DESC LIMIT {self.per_section:d})"
        )
        parts, params = [], []
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for index, section in enumerate(sections):
            parts.append(f"{block} AS block{index}")
            params += [section.pk, Article.Status.PUBLISHED, now]
        union = RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611 - only integers are interpolated
        rows = self.object_list.filter(pk__in=union).order_by("-published_at", "-pk")
        by_section = {section.pk: (section, []) for section in sections}
        for article in rows:
            article.section = by_section[article.section_id][0]
            by_section[article.section_id][1].append(article)
        return [block for block in by_section.values() if block[1]]


class SectionView(CursorListMixin, ListView):
    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        self.list_title = self.section.name
        self.list_description = self.section.description
        extra = Article.extra_sections.through.objects.filter(section=self.section).values("article_id")
        return Article.objects.listed().for_listing().filter(Q(section=self.section) | Q(pk__in=extra))

    def get_sources(self):
        listed = Article.objects.listed()
        return [listed.filter(section=self.section), listed.filter(extra_sections=self.section)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, feed_url_name="articles:section_feed", **kwargs)


class TagView(CursorListMixin, ListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        self.list_title = f"Tagged “{self.tag.name}”"
        tagged = TaggedArticle.objects.filter(tag=self.tag).values("content_object_id")
        return Article.objects.listed().for_listing().filter(pk__in=tagged)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.page.is_first and not self.page.items:
            raise Http404("No published article has this tag.")
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(CursorListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        self.list_title = self.author.name
        bylined = Byline.objects.filter(author=self.author).values("article_id")
        return Article.objects.listed().for_listing().filter(pk__in=bylined)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


def archive_period(year, month=None, day=None):
    """The title and the [start, end) instants of a year, month or day in the site's time zone; 404 if none."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year.")
    try:
        first = date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as error:
        raise Http404("No such date.") from error
    if day:
        last, title = first + timedelta(days=1), first.strftime("%-d %B %Y")
    elif month:
        last, title = date(year + (month == 12), month % 12 + 1, 1), first.strftime("%B %Y")
    else:
        last, title = date(year + 1, 1, 1), str(year)
    zone = timezone.get_current_timezone()
    return title, datetime.combine(first, time.min, tzinfo=zone), datetime.combine(last, time.min, tzinfo=zone)


class ArchiveView(CursorListMixin, ListView):
    """Articles published in a year, a month or a day (in the site's time zone)."""

    template_name = "articles/archive.html"

    def get_queryset(self):
        year, month, day = self.kwargs["year"], self.kwargs.get("month"), self.kwargs.get("day")
        self.list_title, start, end = archive_period(year, month, day)
        self.period = (start.date(), month, day)
        return Article.objects.listed().for_listing().filter(published_at__gte=start, published_at__lt=end)

    def get_context_data(self, **kwargs):
        first, month, day = self.period
        context = {"year": first.year, "month": first if month else None, "day": first if day else None}
        if not month and self.page.is_first:
            context["months"] = (
                self.object_list.order_by()
                .annotate(month=TruncMonth("published_at"))
                .values("month")
                .annotate(count=Count("pk"))
                .order_by("month")
            )
        return super().get_context_data(**context, **kwargs)


class ArchiveIndexView(TemplateView):
    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        listed = Article.objects.listed().order_by("published_at")
        first, last = listed.first(), listed.last()
        years = []
        if first and last:
            zone = timezone.get_current_timezone()
            newest, oldest = last.published_at.astimezone(zone).year, first.published_at.astimezone(zone).year
            years = list(range(newest, oldest - 1, -1))
        return super().get_context_data(years=years, **kwargs)


class CorrectionsView(ListView):
    """The public log of every correction and update to a published article."""

    template_name = "articles/corrections.html"
    paginate_by = 30

    def get_queryset(self):
        return (
            Correction.objects.filter(article__in=Article.objects.published())
            .select_related("article", "article__section")
            .order_by("-noted_at", "-pk")
        )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        return get_object_or_404(Article.objects.published().for_detail(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            return redirect(canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**article_context(self.object), **kwargs)


def related_articles(article, limit=4):
    """Published articles sharing the most tags with this one, then the newest in its section.

    Candidates are ranked on the tag table alone (a small aggregate over the article's tags) and read in the
    same query, with just the columns the related block shows. The section's newest are always read too, so
    the page makes the same queries whatever the archive holds.
    """
    columns = ("headline", "slug", "published_at", "section__slug", "section__name")
    listed = Article.objects.listed().exclude(pk=article.pk).select_related("section").only(*columns)
    tag_ids = [tag.pk for tag in article.tags.all()]
    related = []
    if tag_ids:
        ranked = (
            TaggedArticle.objects.filter(tag_id__in=tag_ids)
            .exclude(content_object_id=article.pk)
            .values("content_object_id")
            .annotate(shared=Count("id"))
            .order_by("-shared", "-content_object_id")
            .values("content_object_id")[: limit * 10]
        )
        related = list(
            listed.filter(pk__in=Subquery(ranked))
            .annotate(shared=Count("tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids)))
            .order_by("-shared", "-published_at", "-pk")[:limit]
        )
    if article.section_id:
        newest = listed.filter(section_id=article.section_id).order_by("-published_at", "-pk")[:limit]
        seen = {a.pk for a in related}
        related += [a for a in newest if a.pk not in seen][: limit - len(related)]
    return related


def article_context(article):
    """What the article template needs; shared by the reader page and the staff preview."""
    return {
        "article": article,
        "bylines": article.byline_authors,
        "tags": list(article.tags.all()),
        "corrections": list(article.corrections.all()),
        "related": related_articles(article) if article.pk else [],
        "structured_data": article_structured_data(article),
    }


class SearchView(TemplateView):
    template_name = "articles/search.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")
        try:
            page_number = int(self.request.GET.get("page", "1"))
        except ValueError as error:
            raise Http404("No such page.") from error
        if page_number < 1 or page_number > search.MAX_PAGES:
            raise Http404("No such page.")
        results = search.search(query, page_number)
        if page_number > 1 and not results.items:
            raise Http404("No such page.")
        return super().get_context_data(query=query.strip()[:200], results=results, **kwargs)


def feed_redirect(request):
    return redirect("articles:feed", permanent=True)
