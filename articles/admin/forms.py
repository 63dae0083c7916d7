from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import Truncator

from ..images import clean_uploads, image_field_names
from ..models import Article


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
