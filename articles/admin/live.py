"""Live coverage in the article's admin: what ``LiveAdminMixin`` adds to ``ArticleAdmin``.

- a "Live coverage" fieldset (start and end times, whether writers may post), read-only for writers;
- on the change page (``change_form.html``'s object tools) and, for running stories, on the admin's overview,
  the live panel: a quick-post box, one step from
  typing to published, for whoever ``permissions.can_post_update`` allows, and "Start"/"End live coverage"
  buttons for editors;
- the story's updates as an inline, for editors to edit or delete (each change kept in the update's history).

The operations themselves are in ``articles/live.py``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import live, permissions
from ..models import Article, LiveUpdate

LIVE_FIELDS = ["live_started_at", "live_ended_at", "live_writers_may_post"]


class QuickPostForm(forms.ModelForm):
    class Meta:
        model = LiveUpdate
        fields = ["headline", "body", "key_point", "pinned", "correction"]
        widgets = {
            "headline": forms.TextInput(attrs={"size": 60}),
            "body": forms.Textarea(attrs={"rows": 4, "cols": 60}),
        }


class LiveUpdateInline(admin.StackedInline):
    model = LiveUpdate
    extra = 0
    fields = [("published_at", "author"), "headline", "body", ("key_point", "pinned", "correction")]
    autocomplete_fields = ["author"]
    verbose_name = "live update"
    verbose_name_plural = "live updates (newest first; post new ones with the quick-post box at the top)"
    ordering = ["-published_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False  # new updates go through the quick-post box, which publishes them at once

    def has_change_permission(self, request, obj=None):
        return permissions.can_edit_updates(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_edit_updates(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_edit_updates(request.user)


class LiveAdminMixin:
    """For ``ArticleAdmin``: see the module's docstring."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/live/post/", view(self.live_post_view), name="articles_live_post"),
            path("<int:pk>/live/start/", view(self.live_start_view), name="articles_live_start"),
            path("<int:pk>/live/end/", view(self.live_end_view), name="articles_live_end"),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            after = next((i + 1 for i, (name, _) in enumerate(fieldsets) if name == "Publishing"), len(fieldsets))
            fieldsets.insert(after, ("Live coverage", {"classes": ["collapse"], "fields": LIVE_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if permissions.can_manage_live(request.user) else fields + LIVE_FIELDS

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.has_live_updates and permissions.can_edit_updates(request.user):
            inlines.append(LiveUpdateInline(self.model, self.admin_site))
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                live_can_manage=permissions.can_manage_live(request.user),
                live_can_post=permissions.can_post_update(request.user, obj),
                live_form=QuickPostForm(prefix="live"),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The live panel's buttons: each a POST to its own small view, which asks ``articles.live``.

    @staticmethod
    def _live_article(pk):
        return get_object_or_404(Article.objects.select_related("section"), pk=pk)

    def _back(self, request, article):
        """To the story's page, or to the overview when the form was posted from there (``from=overview``)."""
        if request.POST.get("from") != "overview" and self.has_view_or_change_permission(request, article):
            return redirect("admin:articles_article_change", article.pk)
        return redirect("admin:index")

    def live_post_view(self, request, pk):
        return require_POST(self._live_post)(request, pk)

    def _live_post(self, request, pk):
        article = self._live_article(pk)
        if not permissions.can_post_update(request.user, article):
            raise PermissionDenied
        form = QuickPostForm(request.POST, prefix="live")
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
            )
            self.message_user(request, f"The update was not posted. {problems}", messages.ERROR)
            return self._back(request, article)
        update = live.post_update(article, by=request.user, **form.cleaned_data)
        when = timezone.localtime(update.published_at)
        self.message_user(request, f"Update on “{article.headline}” posted at {when:%H:%M}: readers see it now.")
        return self._back(request, article)

    def live_start_view(self, request, pk):
        return require_POST(self._live_start)(request, pk)

    def _live_start(self, request, pk):
        article = self._live_article(pk)
        if not permissions.can_manage_live(request.user):
            raise PermissionDenied
        live.start_live(article, by=request.user)
        seen = "readers see" if article.is_public else "once it is published, readers see"
        self.message_user(request, f"Live coverage of “{article.headline}” started: {seen} the label and the updates.")
        return self._back(request, article)

    def live_end_view(self, request, pk):
        return require_POST(self._live_end)(request, pk)

    def _live_end(self, request, pk):
        article = self._live_article(pk)
        if not permissions.can_manage_live(request.user):
            raise PermissionDenied
        live.end_live(article, by=request.user)
        self.message_user(request, f"Live coverage of “{article.headline}” has ended; its updates stay on the story.")
        return self._back(request, article)
