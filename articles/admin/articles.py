from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .. import permissions
from ..models import Article, ArticleImage, Byline, Correction
from ..querysets import tags_visible_to
from .actions import ArticleActionsMixin
from .body_images import BodyImageFormSet
from .desk import PHOTO_FIELDS, DeskAdminMixin
from .forms import ArticleAdminForm, ImagesCheckedFirstMixin
from .history import ArticleHistoryMixin
from .live import LiveAdminMixin


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "byline"
    verbose_name_plural = "bylines (in order)"


class ArticleImageInline(admin.StackedInline):
    model = ArticleImage
    extra = 0
    fields = [("image", "preview"), "ref", "alt", ("caption", "credit"), "position"]
    readonly_fields = ["preview"]
    verbose_name = "body image"
    verbose_name_plural = "body images"
    formset = BodyImageFormSet

    @admin.display(description="in the body")
    def preview(self, obj):
        if not obj.pk or not obj.image:
            return "Save to get a reference to place in the body."
        return format_html(
            '<img src="{}" alt="" class="nr-thumb" width="120"><br><code>[[image:{}]]</code>', obj.image.url, obj.ref
        )


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    fields = ["kind", "noted_at", "note"]
    verbose_name = "correction or update note"
    verbose_name_plural = "corrections and update notes (shown to readers)"


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Published (live)"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.in_review()
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
        return queryset


class TagFilter(admin.RelatedFieldListFilter):
    """The tags filter, offering only the tags the user may see (``tags_visible_to``)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ["name"]
        return [(tag.pk, str(tag)) for tag in tags_visible_to(request.user).order_by(*ordering)]


@admin.register(Article)
class ArticleAdmin(
    LiveAdminMixin,
    ArticleHistoryMixin,
    DeskAdminMixin,
    ImagesCheckedFirstMixin,
    ArticleActionsMixin,
    SimpleHistoryAdmin,
):
    list_display = ["thumbnail", "headline", "state", "section", "byline_list", "live_link"]
    list_display_links = ["thumbnail", "headline"]
    list_filter = [
        StatusFilter,
        "section",
        ("bylines__author", admin.RelatedOnlyFieldListFilter),
        ("tags", TagFilter),
        "featured",
    ]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "extra_sections"]
    inlines = [BylineInline, ArticleImageInline, CorrectionInline]
    form = ArticleAdminForm
    save_on_top = True
    list_per_page = 50
    readonly_fields = ["created_at", "updated_at", "created_by", "source_url", "source_file", "source_data"]
    fieldsets = [
        ("Story", {"fields": ["headline", "slug", "standfirst", "body", "revision_seen"]}),
        ("Photo", {"fields": PHOTO_FIELDS}),
        ("Sections and tags", {"fields": ["section", "extra_sections", "tags"]}),
        ("Publishing", {"fields": ["status", "published_at", "revised_at", "featured", "hidden"]}),
        (
            "Search and sharing",
            {"classes": ["collapse"], "fields": ["meta_description", "social_image", "canonical_url"]},
        ),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": ["created_at", "updated_at", "created_by", "source_url", "source_file", "source_data"],
            },
        ),
    ]

    class Media:
        css = {"all": ["admin/newsroom.css"]}
        js = ["admin/tag-suggestions.js"]

    # Who may do what: the rules are in articles.permissions, checked here on the server, not only by hiding buttons.

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("section", "created_by")
        queryset = queryset.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position"))
        )
        return queryset.editable_by(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or permissions.can_delete(request.user, obj)

    def has_view_on_site_permission(self, request, obj):
        """The admin/r/ redirect to the article's address (see ``NewsroomAdminSite.view_on_site``)."""
        return permissions.can_view(request.user, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not permissions.can_edit_any(request.user):
            actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_publish(request.user):
            fields += ["published_at", "revised_at", "hidden", "canonical_url"]
        if not permissions.can_feature(request.user):
            fields += ["featured"]
        if obj is not None and obj.status == Article.Status.PUBLISHED and not permissions.can_edit_any(request.user):
            fields += ["slug"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_inlines(self, request, obj):
        if permissions.can_publish(request.user):
            return self.inlines
        return [inline for inline in self.inlines if inline is not CorrectionInline]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not permissions.can_publish(request.user):
            kwargs["choices"] = [(Article.Status.DRAFT, "Draft"), (Article.Status.REVIEW, "Submit for review")]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.status == Article.Status.PUBLISHED and not permissions.can_publish(request.user):
            raise PermissionDenied("Only editors can publish.")
        if not change:
            obj.created_by = request.user
        try:
            with transaction.atomic():  # a savepoint, so the failed attempt does not doom the request's transaction
                self.save_article(request, obj, form)  # a revision, or what the pressed button asks for (desk.py)
        except OSError as error:
            # The media storage refused a new photo (full, unwritable): keep every other change.
            if not self._drop_uploads(obj):
                raise
            obj.save_revision(by=request.user)
            self.message_user(request, self.storage_failure_message("The photo", error), messages.ERROR)

    def _drop_uploads(self, obj):
        """Put back the stored images in place of uploads that were not written; False if there were none."""
        pending = [
            f.name for f in obj._meta.fields if isinstance(f, models.FileField) and not getattr(obj, f.name)._committed
        ]
        if not pending:
            return False
        saved = (
            Article.objects.filter(pk=obj.pk).values(*pending, "hero_width", "hero_height").first() if obj.pk else {}
        )
        for name in pending:
            setattr(obj, name, (saved or {}).get(name, ""))
        obj.hero_width, obj.hero_height = (saved or {}).get("hero_width"), (saved or {}).get("hero_height")
        return True

    @staticmethod
    def storage_failure_message(what, error):
        return (
            f"{what} could not be stored ({error.strerror or error}). Your other changes were saved; "
            "please try the upload again, and tell the site admin if it keeps failing."
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not ArticleImage:
            return super().save_formset(request, form, formset, change)
        for instance in formset.save(commit=False):
            try:
                with transaction.atomic():
                    instance.save()
            except OSError as error:
                self.message_user(request, self.storage_failure_message("A body image", error), messages.ERROR)
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        author = getattr(request.user, "author", None)
        if not change and author is not None and not article.bylines.exists():
            Byline.objects.create(article=article, author=author)
        article.rerender()

    # List columns

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.hero_image:
            return ""
        return format_html('<img src="{}" alt="" width="64" class="nr-thumb" loading="lazy">', obj.hero_400.url)

    @admin.display(description="status", ordering="published_at")
    def state(self, obj):
        """Status, publish time and featuring in one column, so the list fits a 1280-pixel screen."""
        state = "scheduled" if obj.is_scheduled else obj.status
        label = "Scheduled" if obj.is_scheduled else obj.get_status_display()
        when = timezone.localtime(obj.published_at).strftime("%-d %b %Y, %H:%M") if obj.published_at else ""
        featured = format_html(' <span class="nr-state nr-featured">{}</span>', "Featured") if obj.featured else ""
        return format_html(
            '<span class="nr-state nr-{}">{}</span>{}<span class="nr-meta">{}</span>', state, label, featured, when
        )

    @admin.display(description="bylines")
    def byline_list(self, obj):
        return ", ".join(byline.author.name for byline in obj.bylines.all())

    @admin.display(description="")
    def live_link(self, obj):
        if obj.is_public:
            return format_html('<a href="{}" target="_blank" rel="noopener">View live</a>', obj.get_absolute_url())
        return format_html('<a href="{}">Preview</a>', reverse("admin:articles_article_preview", args=[obj.pk]))

    def view_on_site(self, obj):
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[obj.pk])

    # Extra pages: preview and tag suggestions

    def get_urls(self):
        return [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="articles_article_preview"),
            path("tag-suggestions/", self.admin_site.admin_view(self.tag_suggestions), name="articles_tag_suggestions"),
            path("import-jekyll/", self.admin_site.admin_view(self.import_jekyll), name="articles_import_jekyll"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The article exactly as readers will see it, for staff who may view it; never cached."""
        article = get_object_or_404(Article.objects.editable_by(request.user).for_detail(), pk=pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        from ..views import article_context

        context = {**article_context(article), "preview": True}
        response = TemplateResponse(request, "articles/article_detail.html", context)
        response["Cache-Control"] = "private, no-cache, no-store, must-revalidate, max-age=0"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def import_jekyll(self, request):
        """Upload a Jekyll archive; the same import as ``manage.py import_jekyll`` (editors only)."""
        from ..jekyll.admin_views import import_view

        return import_view(request, self)

    def tag_suggestions(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()
        names = []
        if term:
            tags = tags_visible_to(request.user).filter(name__istartswith=term).order_by("name")
            names = list(tags.values_list("name", flat=True)[:15])
        return JsonResponse({"results": names})
