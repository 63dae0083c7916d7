"""The article's history in the admin: the list of versions, two versions side by side, and Restore content.

Replaces django-simple-history's revert, which saved every field of an old version through the change form
(taking live stories down, and letting writers set editor-only fields). Restoring asks ``versions.restore``,
which brings back content only unless an editor ticks publishing fields ``permissions`` lets them restore.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .. import permissions, versions
from ..workflow import Visibility
from .history_diff import Version, changes, compare, label, person, publishing_changes

CONSEQUENCES = {
    "status": "the story's status becomes “{old}”",
    "published_at": "the publish time becomes {old} (if not set, publishing again uses the moment it is published)",
    "slug": "the address ends in “{old}” (the current address redirects there)",
    "featured": "featured on the home page: {old}",
    "hidden": "kept out of lists and feeds: {old}",
    "canonical_url": "search engines are told the original is at {old}",
}


class RestoreForm(forms.Form):
    also = forms.MultipleChoiceField(
        label="Also restore", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    note = forms.CharField(
        label="Change note",
        required=False,
        max_length=100,
        help_text="Why you are restoring this version, for the history (optional).",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["also"].choices = choices


class ChangeNoteForm(forms.Form):
    change_note = forms.CharField(
        label="Change note",
        required=False,
        max_length=100,
        help_text="Optional: what you changed and why, kept in the article's history.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ArticleHistoryMixin:
    """For ArticleAdmin: the history pages, and a change note on the change form kept in the history."""

    object_history_template = "admin/articles/article/history.html"
    history_per_page = 50

    def get_urls(self):
        compare_view = self.admin_site.admin_view(self.compare_view)
        return [
            path("<path:object_id>/history/compare/", compare_view, name="articles_article_history_compare"),
            *super().get_urls(),
        ]

    # The change note on the change form

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), ("History", {"fields": ["change_note"]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        readonly = self.get_readonly_fields(request, obj)
        attrs = dict.fromkeys(name for name in readonly if name in self.form.declared_fields)
        attrs["change_note"] = ChangeNoteForm.base_fields["change_note"]
        kwargs.setdefault("form", type(self.form.__name__, (self.form,), attrs))
        return super().get_form(request, obj, change, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        versions.record_related(form.instance, note=form.cleaned_data.get("change_note", ""))

    # The pages

    def history_article(self, request, object_id):
        """The article whose history the user may read, or 404 as for an article that does not exist."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise Http404
        if not permissions.can_read_history(request.user, article):
            raise Http404
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self.history_article(request, object_id)
        if "a" in request.GET and "b" in request.GET:  # the page's own compare form
            compare_url = reverse("admin:articles_article_history_compare", args=[article.pk])
            return redirect(f"{compare_url}?{request.GET.urlencode()}")
        records = article.history.select_related("history_user").order_by("-history_date", "-history_id")
        page = Paginator(records, self.history_per_page).get_page(request.GET.get("p"))
        window = list(records[page.start_index() - 1 : page.end_index() + 1]) if page.paginator.count else []
        entries = []
        for index, record in enumerate(window[: len(page.object_list)]):
            previous = window[index + 1] if index + 1 < len(window) else None
            entries.append(
                {
                    "record": record,
                    "who": person(record.history_user),
                    "changes": changes(record, previous),
                    "current": page.number == 1 and index == 0,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {article}",
            "opts": self.opts,
            "object": article,
            "original": article,
            "entries": entries,
            "page_obj": page,
            "can_restore": self.has_change_permission(request, article),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        article = self.history_article(request, object_id)
        chosen = [self.version(article, request.GET.get(key)) for key in ("a", "b")]
        old, new = sorted(chosen, key=lambda v: v.record.history_date if v.record else timezone.now())
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare versions: {article}",
            "opts": self.opts,
            "object": article,
            "original": article,
            "old": old,
            "new": new,
            "rows": compare(old, new),
            "publishing": publishing_changes(old, new),
        }
        return TemplateResponse(request, "admin/articles/article/history_compare.html", context)

    def version(self, article, history_id):
        if not history_id or history_id == "current":
            return Version.current(article)
        try:
            return Version.of_record(article.history.select_related("history_user").get(history_id=int(history_id)))
        except (ValueError, article.history.model.DoesNotExist):
            raise Http404 from None

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restore content: the old version beside the current one, what readers will see, and the form."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not permissions.can_read_history(request.user, article):
            raise PermissionDenied
        old = self.version(article, version_id)
        if old.record is None:
            raise Http404
        allowed = permissions.restorable_fields(request.user)
        choices = [(name, label(name)) for name in versions.PUBLISHING_FIELDS if name in allowed]
        form = RestoreForm(
            request.POST if request.method == "POST" else None, choices=choices, initial={"revision": article.revision}
        )
        if request.method == "POST":
            if not self.has_change_permission(request, article):
                raise PermissionDenied
            refused = set(request.POST.getlist("also")) - set(allowed)
            if refused:
                raise PermissionDenied("Only editors may restore publishing fields.")
            if form.is_valid() and self.revision_matches(request, article, form):
                try:
                    return self.restore(request, article, old, form.cleaned_data)
                except ValidationError as error:
                    article.refresh_from_db()
                    form.add_error(None, ["The status cannot be restored:", *error.messages])
        current = Version.current(article)
        rows = compare(old, current)
        publishing = publishing_changes(current, old)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore content: {article}",
            "opts": self.opts,
            "object": article,
            "original": article,
            "old": old,
            "new": current,
            "rows": rows,
            "form": form,
            "can_restore": self.has_change_permission(request, article),
            "readers": self.readers_warning(article, rows),
            "kept": [
                {
                    "name": name,
                    "label": heading,
                    "now": now,
                    "then": then,
                    "tickable": name in allowed,
                    "ticked": name in (form["also"].value() or []),
                }
                for name, heading, now, then in publishing
            ],
            "consequences": {name: CONSEQUENCES[name].format(old=then) for name, _, _, then in publishing},
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/article/history_restore.html", context)

    def revision_matches(self, request, article, form):
        seen = form.cleaned_data.get("revision")
        if seen is None or seen == article.revision:
            return True
        form.data = form.data.copy()
        form.data["revision"] = str(article.revision)
        messages.warning(request, "Someone saved this article while you were looking. Check the comparison again.")
        return False

    def readers_warning(self, article, rows):
        changed = [row["label"].lower() for row in rows if row["changed"]]
        what = ", ".join(changed) if changed else "nothing readers see"
        if article.is_public:
            return (
                f"This story is live at {article.get_absolute_url()}. Restoring changes its {what} for readers "
                "straight away; it stays live at the same address unless you tick publishing fields below."
            )
        if article.is_scheduled:
            when = timezone.localtime(article.published_at)
            return f"This story is scheduled for {when:%a %-d %b, %H:%M}; it will go out with the restored {what}."
        return f"Readers cannot see this article yet; restoring changes its {what} for the desk only."

    def restore(self, request, article, old, data):
        seen = versions.restore(article, old.record, by=request.user, also=data["also"], note=data["note"])
        where = {
            Visibility.LIVE: f"Readers see it now at {article.get_absolute_url()}.",
            Visibility.SCHEDULED: "It goes out as scheduled with this content.",
            Visibility.NOT_PUBLIC: "Readers cannot see it.",
        }[seen]
        messages.success(request, f"Restored the content of the {old.label.lower()}. {where}")
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))
