"""The writing desk in the article admin: the publishing buttons, autosaved text, uploads kept across errors.

``DeskAdminMixin`` adds to ``ArticleAdmin``:

- the endpoints in ``desk_views`` (preview, autosave, upload, image details, photo metadata);
- the buttons a role may press (Save draft, Submit for review, Publish now, Schedule…, Update live story,
  Unpublish), each going through ``Article.transition()``, and a message saying what readers now see;
- the user's autosaved text put back into the form when they come back to it;
- a photo chosen on a form that had another error, kept (``forms.store_pending``) so it need not be chosen again.
"""

import posixpath

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from .. import permissions
from ..models import Article, ArticleDraft
from ..workflow import Visibility, visibility
from . import desk_views
from .forms import pending_name, store_pending

STATUS = Article.Status
# The article form's photo fields: the focal point, and the photo kept from an attempt that had an error.
PHOTO_FIELDS = ["hero_image", ("focal_x", "focal_y"), "hero_alt", "hero_caption", "hero_credit", "hero_image_pending"]


def buttons_for(user, article):
    """The publishing buttons ``user`` may press for ``article`` (None when it is new), as (action, label, style)."""
    status = article.status if article is not None else STATUS.DRAFT
    if article is not None and not permissions.can_edit(user, article):
        return []
    publisher = permissions.can_publish(user)
    if status == STATUS.PUBLISHED:
        live = article.is_public
        buttons = [("save", "Update live story" if live else "Update scheduled story", "default")]
        if publisher:
            if not live:
                buttons.append(("publish", "Publish now", ""))
            buttons.append(("schedule", "Reschedule…" if not live else "", ""))
            buttons.append(("unpublish", "Unpublish…", "danger"))
        return [button for button in buttons if button[1]]
    if status == STATUS.REVIEW:
        buttons = [("save", "Save (stays in review)", "default"), ("draft", "Back to draft", "")]
    else:
        buttons = [("save", "Save draft", "default"), ("submit", "Submit for review", "")]
    if publisher:
        buttons += [("publish", "Publish now", ""), ("schedule", "Schedule…", "")]
    return buttons


def when_text(moment, now=None):
    """“Tue 1 Dec 09:00 (in 2 hours)”, in the newsroom's time zone."""
    now = now or timezone.now()
    local = timezone.localtime(moment)
    minutes = round((moment - now).total_seconds() / 60)
    if minutes < 60:
        distance = f"in {minutes} minute{'s' if minutes != 1 else ''}"
    elif minutes < 48 * 60:
        hours = round(minutes / 60)
        distance = f"in {hours} hour{'s' if hours != 1 else ''}"
    else:
        days = round(minutes / 1440)
        distance = f"in {days} days"
    return f"{local:%a} {local.day} {local:%b %H:%M} ({distance})"


def readers_message(action, article, seen):
    """What readers now see, after ``action`` left ``article`` with visibility ``seen``."""
    address = article.get_absolute_url()
    if seen == Visibility.LIVE:
        if action == "publish":
            return f"Published: live now at {address}."
        return f"Updated: readers now see this version at {address}."
    if seen == Visibility.SCHEDULED:
        lead = "Scheduled" if action in ("schedule", "publish") else "Saved, still scheduled"
        return f"{lead}: goes live {when_text(article.published_at)} at {address}. Until then readers see nothing."
    if action == "unpublish":
        return (
            f"Unpublished: readers now get “not found” (404) at {address}, and its old addresses no longer "
            "redirect to it. It is a draft again."
        )
    if article.status == STATUS.REVIEW:
        lead = "Submitted for review" if action == "submit" else "Saved, still in review"
        return f"{lead}. Readers see nothing until an editor publishes it."
    return "Draft saved. Readers see nothing until it is published."


class DeskAdminMixin:
    """For ``ArticleAdmin``: see the module's docstring."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/preview/", view(desk_views.preview), name="articles_desk_preview"),
            path("desk/autosave/", view(desk_views.autosave), name="articles_desk_autosave"),
            path("desk/discard/", view(desk_views.discard_draft), name="articles_desk_discard"),
            path("desk/photo-metadata/", view(desk_views.photo_metadata), name="articles_desk_photo_metadata"),
            path("desk/upload/", view(desk_views.upload_new), name="articles_desk_upload_new"),
            path("<int:pk>/desk/upload/", view(desk_views.upload), name="articles_desk_upload"),
            path("<int:pk>/desk/images/<int:image_pk>/", view(desk_views.image_details), name="articles_desk_image"),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    # Autosaved text comes back into the form (for the add page, as its initial data).

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        draft = ArticleDraft.objects.filter(article=None, user=request.user).first()
        if draft is not None and request.method == "GET":
            initial.update(headline=draft.headline, standfirst=draft.standfirst, body=draft.body)
            request.desk_restored = draft
            request.desk_new_image_data = MultiValueDict(draft.new_images)
        return initial

    def change_view(self, request, object_id, form_url="", extra_context=None):
        request.desk_restore = request.method == "GET"
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if getattr(request, "desk_restore", False) and obj is not None:
            draft = ArticleDraft.objects.filter(article=obj, user=request.user).first()
            typed = {"headline": obj.headline, "standfirst": obj.standfirst, "body": obj.body}
            if draft is not None and any(getattr(draft, name) != value for name, value in typed.items()):
                form.initial.update(headline=draft.headline, standfirst=draft.standfirst, body=draft.body)
                if draft.revision is not None and draft.revision < obj.revision:
                    form.initial["revision_seen"] = draft.revision  # saving shows what changed meanwhile
                request.desk_restored = draft
        restored = getattr(request, "desk_restored", None)
        context.update(
            desk_buttons=buttons_for(request.user, obj),
            desk_restored=restored,
            desk_restored_stale=bool(restored and obj and restored.revision and restored.revision < obj.revision),
            desk_new_images=desk_views.new_images(self._new_image_data(request), request.user) if add else [],
            desk_zone=timezone.get_current_timezone_name(),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _new_image_data(request):
        """Where the add form's dropped images are named: the POST, or the autosaved text being restored."""
        return request.POST if request.method == "POST" else getattr(request, "desk_new_image_data", MultiValueDict())

    # A photo chosen on a form that could not be saved is kept for the next attempt (bug 3).

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        fresh = request.method == "POST" and "hero_image" in request.FILES
        if fresh and isinstance(response, TemplateResponse) and response.context_data:
            adminform = response.context_data.get("adminform")
            form = getattr(adminform, "form", None)
            upload = form.cleaned_data.get("hero_image") if form is not None and hasattr(form, "cleaned_data") else None
            if isinstance(upload, UploadedFile) and "hero_image" not in form.errors:
                form.data = form.data.copy()
                token = store_pending(upload, request.user)
                form.data["hero_image_pending"] = token
                form.fields["hero_image"].widget.pending_url = default_storage.url(pending_name(token, request.user))
        return response

    # The buttons: one status change through Article.transition(), then a message saying what readers see.

    def save_article(self, request, obj, form):
        """Called by ``ArticleAdmin.save_model``: a plain revision, or the change the pressed button asks for."""
        if obj._state.adding:
            request.desk_new_images = desk_views.new_images(request.POST, request.user)
        plan = getattr(form, "plan", None)
        if plan is None:
            obj.save_revision(by=request.user)
            if {"focal_x", "focal_y"} & set(form.changed_data):
                obj.make_crops_on_commit()
            return
        if plan.published_at is not None:
            obj.published_at = plan.published_at
        if plan.to is None:
            obj.save_revision(by=request.user)
            request.desk_seen = visibility(obj)
        else:
            request.desk_seen = obj.transition(to=plan.to, by=request.user)
        request.desk_action = plan.action
        if {"focal_x", "focal_y"} & set(form.changed_data):
            obj.make_crops_on_commit()
        name = form.pending_upload
        if name is not None:
            default_storage.delete(name)

    def save_related(self, request, form, formsets, change):
        # Images dropped into the story before its first save take the numbers the body already refers to.
        for image in getattr(request, "desk_new_images", ()):
            name = image.image.name
            with default_storage.open(name) as stored:
                image.image = ContentFile(stored.read(), name=posixpath.basename(name))
            image.article = form.instance
            image.save()
            default_storage.delete(name)
        super().save_related(request, form, formsets, change)
        ArticleDraft.objects.filter(article=form.instance if change else None, user=request.user).delete()

    def response_add(self, request, obj, post_url_continue=None):
        return self._desk_response(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._desk_response(request, obj) or super().response_change(request, obj)

    def _desk_response(self, request, obj):
        seen = getattr(request, "desk_seen", None)
        if seen is None or "_popup" in request.POST:
            return None
        level = messages.WARNING if request.desk_action == "unpublish" else messages.SUCCESS
        self.message_user(request, readers_message(request.desk_action, obj, seen), level)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
