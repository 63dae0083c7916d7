"""Reader pages. Every queryset starts from ``Article.objects.published()`` (or ``listed()``)."""

import hashlib

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.views.generic import DetailView, ListView, TemplateView, View

from . import search
from .archive import archive_period
from .live import reader_stream
from .models import Article, Correction, LiveUpdate, Section
from .pagination import paginate
from .querysets import public_author_or_404, public_tag_or_404
from .structured_data import article_structured_data

PER_PAGE = 20
LIVE_POLL_SECONDS = 20  # how often an open live page asks for new updates
LIVE_POLL_LIMIT = 50  # the most new updates one answer carries; a reader further behind reloads


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
        """The newest few stories of each navigation section not already shown above."""
        sections = Section.objects.filter(show_in_nav=True)
        return self.object_list.section_blocks(sections, exclude=shown, per_section=self.per_section)


class SectionView(CursorListMixin, ListView):
    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        self.list_title = self.section.name
        self.list_description = self.section.description
        return Article.objects.listed().for_listing().in_section(self.section)

    def get_sources(self):
        return Article.objects.listed().in_section_sources(self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(CursorListMixin, ListView):
    def get_queryset(self):
        self.tag = public_tag_or_404(self.kwargs["slug"])
        self.list_title = f"Tagged “{self.tag.name}”"
        return Article.objects.listed().for_listing().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(CursorListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = public_author_or_404(self.kwargs["slug"])
        self.list_title = self.author.name
        return Article.objects.listed().for_listing().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveView(CursorListMixin, ListView):
    """Articles published in a year, a month or a day (in the site's time zone)."""

    template_name = "articles/archive.html"

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        self.page = paginate(self.object_list, request.GET, self.per_page)
        if not self.page:  # the query above says so: a period with no story is not a page of the archive
            raise Http404("No stories were published in this period.")
        return self.render_to_response(self.get_context_data())

    def get_queryset(self):
        year, month, day = self.kwargs["year"], self.kwargs.get("month"), self.kwargs.get("day")
        self.list_title, start, end = archive_period(year, month, day)
        self.period = (start.date(), month, day)
        return Article.objects.listed().for_listing().published_between(start, end)

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
        return super().get_context_data(**article_context(self.object, self.request.GET), **kwargs)


def article_context(article, params=None):
    """What the article template needs; shared by the reader page and the staff preview.

    ``params``: the request's query, for the page of a live story's updates (``before``/``after``).
    """
    stream = reader_stream(article, params or {}) if article.has_live_updates else None
    updates = stream.updates if stream else []
    return {
        "article": article,
        "live": stream,
        "live_updates": updates,
        "key_points": stream.key_points if stream else [],
        "live_poll_seconds": LIVE_POLL_SECONDS,
        "bylines": article.byline_authors,
        "tags": list(article.tags.all()),
        "corrections": list(article.corrections.all()),
        "related": Article.objects.listed().related_to(article) if article.pk else [],
        "structured_data": article_structured_data(article, updates),
    }


class LiveUpdatesView(View):
    """The updates of a live story newer than ``?since=<id>``, for its open pages to poll.

    JSON: ``live`` (coverage still running), ``latest`` (the newest id, the next ``since``), ``count`` and
    ``html`` (the new updates as list items, newest first). Built for the page cache: anonymous polls share
    one cached answer per ``since`` until an update is saved, and an unchanged answer is a 304 by its ETag.
    """

    def get(self, request, section, slug):
        article = get_object_or_404(
            Article.objects.published()
            .select_related("section")
            .only("pk", "slug", "section__slug", "status", "published_at", "live_started_at", "live_ended_at"),
            slug=slug,
            live_started_at__isnull=False,
        )
        since = request.GET.get("since", "0")
        if (
            not since.isdigit()
            or len(since) > 18
            or (article.section.slug if article.section_id else "news") != section
        ):
            raise Http404("No such updates.")
        new = LiveUpdate.objects.filter(article=article, pk__gt=int(since)).select_related("author")
        updates = list(new.order_by("-published_at", "-pk")[:LIVE_POLL_LIMIT])
        context = {"article": article, "live_updates": updates}
        html = render_to_string("articles/includes/live_update_list.html", context, request)
        latest = max((update.pk for update in updates), default=int(since))
        response = JsonResponse({"live": article.is_live, "latest": latest, "count": len(updates), "html": html})
        response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        patch_cache_control(response, max_age=LIVE_POLL_SECONDS // 2)
        return get_conditional_response(request, etag=response["ETag"], response=response)


class LiveUpdateDetailView(DetailView):
    """One update's own address, to share: the update in the context of its story, linked to its place there."""

    template_name = "articles/live_update_detail.html"
    context_object_name = "update"

    def get_object(self, queryset=None):
        update = get_object_or_404(
            LiveUpdate.objects.select_related("author", "article__section").filter(
                article__in=Article.objects.published()
            ),
            pk=self.kwargs["pk"],
            article__slug=self.kwargs["slug"],
        )
        if update.article.get_absolute_url() != self.request.path.rsplit("updates/", 1)[0]:
            raise Http404("No such update.")
        return update

    def get_context_data(self, **kwargs):
        return super().get_context_data(article=self.object.article, live_updates=[self.object], **kwargs)


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
