from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from .models import Article, ArticleImage, ArticleRedirect, Author, Byline, Correction, Section


def can_publish(user):
    return user.has_perm("articles.publish_article")


def can_edit_any(user):
    return user.has_perm("articles.edit_any_article")


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "nav_order", "show_in_nav", "article_count"]
    list_editable = ["nav_order", "show_in_nav"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    @admin.display(description="published articles")
    def article_count(self, obj):
        return obj.articles.published().count()


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["portrait", "name", "job_title", "user", "email"]
    list_display_links = ["portrait", "name"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "job_title", "bio", "photo"]}),
        ("Links", {"fields": ["website", "social_url", "twitter", "email"]}),
        ("Account", {"fields": ["user"]}),
    ]

    @admin.display(description="")
    def portrait(self, obj):
        if not obj.photo:
            return ""
        return format_html('<img src="{}" alt="" width="40" height="40" class="nr-thumb">', obj.photo.url)


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


class ArticleAdminForm(forms.ModelForm):
    """The article form, with a check that nobody else saved the article since this copy was opened."""

    revision_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    compared_fields = [
        "headline", "slug", "standfirst", "body", "hero_alt", "hero_caption", "hero_credit", "section",
        "status", "published_at", "revised_at", "featured", "hidden", "meta_description", "canonical_url",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # From the database, not the instance: the history view's instance is an old copy.
            saved = Article.objects.filter(pk=self.instance.pk).values_list("revision", flat=True).first()
            self.fields["revision_seen"].initial = saved

    def clean(self):
        cleaned_data = super().clean()
        seen = cleaned_data.get("revision_seen")
        if not self.instance.pk or seen is None:
            return cleaned_data
        current = Article.objects.filter(pk=self.instance.pk).first()
        if current is None or current.revision == seen:
            return cleaned_data
        # Show what differs; saving again (now at the current revision) is a deliberate overwrite.
        self.data = self.data.copy()
        self.data[self.add_prefix("revision_seen")] = str(current.revision)
        raise ValidationError(self.conflict_message(current, cleaned_data), code="edit_conflict")

    def conflict_message(self, current, cleaned_data):
        last = current.history.order_by("-history_date").select_related("history_user").first()
        who = "Someone else"
        if last is not None and last.history_user is not None:
            who = last.history_user.get_full_name() or last.history_user.get_username()
        when = timezone.localtime(last.history_date).strftime("%H:%M") if last is not None else ""
        lines = [
            f"{who} saved this article{f' at {when}' if when else ''} while you were editing it. "
            "Nothing has been saved from your copy. Compare the saved version with yours below, "
            "then save again to keep yours."
        ]
        for name in self.compared_fields:
            if name not in cleaned_data:
                continue
            saved, yours = getattr(current, name), cleaned_data[name]
            if (saved or "") != (yours or ""):
                label = self.fields[name].label or name
                lines.append(f"{label}: saved “{self.short(saved)}”, yours “{self.short(yours)}”.")
        return lines

    @staticmethod
    def short(value):
        return Truncator("" if value is None else str(value)).chars(120)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["thumbnail", "headline", "state", "section", "byline_list", "published_at", "featured", "live_link"]
    list_display_links = ["thumbnail", "headline"]
    list_filter = [StatusFilter, "section", ("bylines__author", admin.RelatedOnlyFieldListFilter), "tags", "featured"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["section", "extra_sections"]
    inlines = [BylineInline, ArticleImageInline, CorrectionInline]
    form = ArticleAdminForm
    save_on_top = True
    list_per_page = 50
    actions = ["submit_for_review", "publish_now", "unpublish", "feature", "unfeature"]
    readonly_fields = ["created_at", "updated_at", "created_by", "source_url", "source_file", "source_data"]
    fieldsets = [
        ("Story", {"fields": ["headline", "slug", "standfirst", "body", "revision_seen"]}),
        ("Photo", {"fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"]}),
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

    # Who may do what. Every rule is checked here, on the server, not only by hiding buttons.

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("section", "created_by")
        queryset = queryset.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position"))
        )
        return queryset.editable_by(request.user)

    def is_own(self, request, obj):
        return obj.created_by_id == request.user.pk or any(
            byline.author.user_id == request.user.pk for byline in obj.bylines.all()
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_edit_any(request.user):
            return True
        return self.is_own(request, obj) and obj.status != Article.Status.PUBLISHED

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or can_edit_any(request.user):
            return True
        return self.is_own(request, obj) and obj.status != Article.Status.PUBLISHED

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_feature_permission(self, request):
        return request.user.has_perm("articles.feature_article")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_edit_any(request.user):
            actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            fields += ["published_at", "revised_at", "hidden", "canonical_url"]
        if not request.user.has_perm("articles.feature_article"):
            fields += ["featured"]
        if obj is not None and obj.status == Article.Status.PUBLISHED and not can_edit_any(request.user):
            fields += ["slug"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_inlines(self, request, obj):
        if can_publish(request.user):
            return self.inlines
        return [inline for inline in self.inlines if inline is not CorrectionInline]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not can_publish(request.user):
            kwargs["choices"] = [(Article.Status.DRAFT, "Draft"), (Article.Status.REVIEW, "Submit for review")]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.status == Article.Status.PUBLISHED and not can_publish(request.user):
            raise PermissionDenied("Only editors can publish.")
        if not change:
            obj.created_by = request.user
        if change:
            obj.revision += 1
        try:
            with transaction.atomic():  # a savepoint, so the failed attempt does not doom the request's transaction
                super().save_model(request, obj, form, change)
        except OSError as error:
            # The media storage refused a new photo (full, unwritable): keep every other change.
            if not self._drop_uploads(obj):
                raise
            super().save_model(request, obj, form, change)
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

    def history_view(self, request, object_id, extra_context=None):
        # Writers may read the history of their own articles only; simple-history alone would show any.
        if not can_edit_any(request.user) and self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The version shown is an old copy; the rules apply to the article as it is now.
        current = self.get_object(request, object_id)
        if current is None:
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # List columns

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.hero_image:
            return ""
        return format_html('<img src="{}" alt="" width="64" class="nr-thumb" loading="lazy">', obj.hero_400.url)

    @admin.display(description="status", ordering="status")
    def state(self, obj):
        if obj.is_scheduled:
            return format_html(
                '<span class="nr-state nr-scheduled">Scheduled</span> {}',
                timezone.localtime(obj.published_at).strftime("%d %b %Y, %H:%M"),
            )
        return format_html('<span class="nr-state nr-{}">{}</span>', obj.status, obj.get_status_display())

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

    # Bulk actions

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        allowed = [a for a in queryset.filter(status=Article.Status.DRAFT) if self.has_change_permission(request, a)]
        for article in allowed:
            article.status = Article.Status.REVIEW
            article._history_user = request.user
            article.revision += 1
            article.save()
        self.message_user(request, f"{len(allowed)} article(s) submitted for review.")

    @admin.action(description="Publish selected articles (now, or at their scheduled time)", permissions=["publish"])
    def publish_now(self, request, queryset):
        published, refused = 0, []
        for article in queryset:
            article.status = Article.Status.PUBLISHED
            try:
                article.full_clean()
            except ValidationError as error:
                refused.append(f"“{article}”: {' '.join(error.messages)}")
                continue
            article._history_user = request.user
            article.revision += 1
            article.save()
            published += 1
        self.message_user(request, f"{published} article(s) published or scheduled.")
        for reason in refused:
            self.message_user(request, f"Not published: {reason}", messages.ERROR)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article._history_user = request.user
            article.revision += 1
            article.save()
            count += 1
        self.message_user(request, f"{count} article(s) unpublished.")

    @admin.action(description="Feature selected articles", permissions=["feature"])
    def feature(self, request, queryset):
        self._set_featured(request, queryset, True)

    @admin.action(description="Stop featuring selected articles", permissions=["feature"])
    def unfeature(self, request, queryset):
        self._set_featured(request, queryset, False)

    def _set_featured(self, request, queryset, featured):
        count = 0
        for article in queryset.exclude(featured=featured):
            article.featured = featured
            article._history_user = request.user
            article.revision += 1
            article.save()
            count += 1
        self.message_user(request, f"{count} article(s) updated.")

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
        from .views import article_context

        context = {**article_context(article), "preview": True}
        response = TemplateResponse(request, "articles/article_detail.html", context)
        response["Cache-Control"] = "private, no-cache, no-store, must-revalidate, max-age=0"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def import_jekyll(self, request):
        """Upload a Jekyll archive; the same import as ``manage.py import_jekyll`` (editors only)."""
        from .jekyll.admin_views import import_view

        return import_view(request, self)

    def tag_suggestions(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()
        names = []
        if term:
            names = list(
                Tag.objects.filter(name__istartswith=term).order_by("name").values_list("name", flat=True)[:15]
            )
        return JsonResponse({"results": names})


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "article", "created_at"]
    search_fields = ["old_path", "article__headline"]
    autocomplete_fields = ["article"]
