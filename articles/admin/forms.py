import dataclasses
import datetime
import posixpath

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import permissions
from ..images import clean_uploads, image_field_names
from ..models import Article

PENDING_FOLDER = "pending"
PENDING_SALT = "articles.pending-upload"
PENDING_MAX_AGE = datetime.timedelta(days=1)


@dataclasses.dataclass
class Plan:
    """What a publishing button asks for: its name, the status it moves to (None: keep), a publish time."""

    action: str
    to: str | None = None
    published_at: datetime.datetime | None = None


# The buttons under the article form (name "_action"): what each does to the status.
ACTIONS = {
    "save": None,
    "submit": Article.Status.REVIEW,
    "draft": Article.Status.DRAFT,
    "publish": Article.Status.PUBLISHED,
    "schedule": Article.Status.PUBLISHED,
    "unpublish": Article.Status.DRAFT,
}


def store_pending(upload, user):
    """Keep a checked upload of a form that could not be saved; return a signed token naming it."""
    upload.seek(0)
    name = default_storage.save(posixpath.join(PENDING_FOLDER, posixpath.basename(upload.name)), upload)
    _clear_stale_pending()
    return signing.dumps({"name": name, "user": user.pk}, salt=PENDING_SALT)


def _clear_stale_pending():
    """Delete kept uploads nobody came back for (older than their tokens can be)."""
    cutoff = timezone.now() - PENDING_MAX_AGE
    _, names = default_storage.listdir(PENDING_FOLDER)
    for name in names:
        path = posixpath.join(PENDING_FOLDER, name)
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def pending_name(token, user):
    """The stored file a token names, if it was signed for ``user`` within a day; None otherwise."""
    try:
        value = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    name = value.get("name", "") if isinstance(value, dict) else ""
    if value.get("user") != user.pk or posixpath.dirname(name) != PENDING_FOLDER:
        return None
    return name if default_storage.exists(name) else None


class ImagesCheckedFirstMixin:
    """For a ModelAdmin: uploaded images are checked and re-encoded before the save's transaction begins.

    Django's admin validates and saves a form inside one transaction, and on SQLite that transaction holds
    the database's only write lock from its first statement. Decoding a large image there made every other
    save wait; here it happens first, and the form reuses the result (or shows the refusal as its error).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and request.FILES:
            names = image_field_names(self.model, *(inline.model for inline in self.inlines))
            clean_uploads(request.FILES, names)
        return super().changeform_view(request, object_id, form_url, extra_context)


class PhotoWidget(AdminFileWidget):
    """The photo's file input with a thumbnail on which the editor clicks the focal point.

    ``pending_url`` is a photo chosen on an earlier attempt that could not be saved (kept, see ``store_pending``).
    """

    pending_url = ""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        article = getattr(value, "instance", None)
        if self.pending_url:
            return format_html(
                '<div class="desk-photo desk-photo-pending"><img src="{}" alt="" width="240">'
                "<p>Kept from your last attempt: it will be saved with the article.</p></div>{}",
                self.pending_url,
                html,
            )
        if not value or not getattr(value, "url", None) or article is None:
            return html
        return format_html(
            '<div class="desk-photo"><div class="desk-focal" title="Click the point of interest">'
            '<img src="{}" alt="" width="320"><span class="desk-focal-marker" style="left: {}%; top: {}%"></span>'
            '</div><p class="help">Click the photo\'s point of interest: cropped versions keep it in view.</p>'
            "</div>{}",
            article.hero_400.url,
            round(article.focal_x * 100, 1),
            round(article.focal_y * 100, 1),
            html,
        )


class ArticleAdminForm(forms.ModelForm):
    """The article form, with a check that nobody else saved the article since this copy was opened."""

    revision_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)
    schedule_at = forms.DateTimeField(
        label="Go live at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        help_text="In the newsroom's time zone.",
    )
    hero_image_pending = forms.CharField(widget=forms.HiddenInput, required=False)

    # The user saving, set by the admin (``DeskAdminMixin.get_form``); the buttons are checked against it.
    user = None

    class Meta:
        widgets = {
            "hero_image": PhotoWidget,
            "status": forms.HiddenInput,  # set by the publishing buttons (see ACTIONS)
            # A text area that wraps, so the whole headline shows however long it is (one line when saved).
            "headline": forms.Textarea(attrs={"rows": 2, "class": "desk-headline", "autocomplete": "off"}),
            "standfirst": forms.Textarea(attrs={"rows": 3, "class": "desk-standfirst"}),
            "body": forms.Textarea(attrs={"rows": 30, "class": "desk-body", "spellcheck": "true"}),
            "focal_x": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        }

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
        for name in ("focal_x", "focal_y"):
            if name in self.fields:
                self.fields[name].required = False  # left empty: the focal point stays where it was
        if "hero_image" in self.fields and self.user is not None and self.is_bound:
            name = self.pending_upload
            self.fields["hero_image"].widget.pending_url = default_storage.url(name) if name else ""

    def clean_headline(self):
        return " ".join(self.cleaned_data["headline"].split())

    def clean_focal_x(self):
        value = self.cleaned_data.get("focal_x")
        return self.instance.focal_x if value is None else value

    def clean_focal_y(self):
        value = self.cleaned_data.get("focal_y")
        return self.instance.focal_y if value is None else value

    @property
    def action(self):
        action = self.data.get("_action", "") if self.is_bound else ""
        return action if action in ACTIONS else ""

    @property
    def pending_upload(self):
        """The name of the stored earlier upload this form carries (bug 3), or None."""
        if self.user is None or self.files.get("hero_image") or self.data.get("hero_image-clear"):
            return None
        token = self.data.get(self.add_prefix("hero_image_pending"), "") if self.is_bound else ""
        return pending_name(token, self.user) if token else None

    def clean(self):
        cleaned_data = super().clean()
        name = self.pending_upload
        if name is not None and "hero_image" in self.fields:
            with default_storage.open(name) as stored:
                cleaned_data["hero_image"] = ContentFile(stored.read(), name=posixpath.basename(name))
        self.plan = self.plan_action(cleaned_data) if self.action else None
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

    def plan_action(self, cleaned_data):
        """Check the pressed button against the user's role and the article's state; keep the status as saved."""
        action, article = self.action, self.instance
        plan = Plan(action, ACTIONS[action])
        if self.user is None:
            raise ValidationError("This form cannot be saved with a button here.")
        if article.pk is None:
            article.created_by = self.user  # as the admin records on saving: a new article is its creator's own
        if plan.to is not None and not permissions.can_transition(self.user, article, plan.to):
            raise ValidationError(
                "Only editors can publish, schedule or unpublish."
                if plan.to == Article.Status.PUBLISHED or article.status == Article.Status.PUBLISHED
                else "You may not change this article's status."
            )
        now = timezone.now()
        if action == "schedule":
            when = cleaned_data.get("schedule_at")
            if when is None:
                self.add_error("schedule_at", "Choose the date and time the story goes live.")
            elif when <= now:
                self.add_error("schedule_at", "Choose a time in the future, or press “Publish now”.")
            plan.published_at = when
        elif action == "publish" and (article.published_at is None or article.published_at > now):
            plan.published_at = now
        elif action == "unpublish" and article.status != Article.Status.PUBLISHED:
            raise ValidationError("This article is not published.")
        if "status" in cleaned_data:
            cleaned_data["status"] = article.status  # the change itself is made by Article.transition()
        return plan

    def _post_clean(self):
        super()._post_clean()
        plan = getattr(self, "plan", None)
        if plan is None or plan.to != Article.Status.PUBLISHED:
            return
        # What publishing requires (Article.clean), checked now so the writer sees it beside the fields.
        before = self.instance.status
        self.instance.status = Article.Status.PUBLISHED
        try:
            self.instance.clean()
        except ValidationError as error:
            self._update_errors(error)
        finally:
            self.instance.status = before

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
