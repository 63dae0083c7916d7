from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.forms import MergeTagsForm
from taggit.models import Tag

from ..models import Article
from ..querysets import tags_visible_to

SELECTED = "selected_tag_ids"  # the session key django-taggit's merge page reads

admin.site.unregister(Tag)


class TagMergeForm(MergeTagsForm):
    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = tags

    def clean(self):
        if not self.tags:
            raise ValidationError(
                "Select the tags to merge in the tag list first, then choose “Merge selected tags”.", code="no_tags"
            )
        return super().clean()


@transaction.atomic
def merge_tags(tags, name):
    """Tag every article that has one of ``tags`` with the tag called ``name`` instead (made if need be).

    Through the articles' tag managers, so the search index and the page cache follow. The old tags stay,
    with no articles, as django-taggit leaves them.
    """
    target = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    sources = [tag for tag in tags if tag.pk != target.pk]
    for article in Article.objects.filter(tags__in=sources).distinct():
        article.tags.remove(*sources)
        article.tags.add(target)
    return target


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    """django-taggit's tag admin, showing each user only the tags they may see (``tags_visible_to``), with a
    merge page for those who may change tags that moves articles (taggit's own moves only its generic items)."""

    def get_queryset(self, request):
        return super().get_queryset(request) & tags_visible_to(request.user)

    @admin.action(description="Merge selected tags", permissions=["change"])
    def render_tag_form(self, request, queryset):
        request.session[SELECTED] = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect("admin:taggit_tag_merge_tags")

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [pk for pk in request.session.get(SELECTED, "").split(",") if pk.isdigit()]
        tags = list(self.get_queryset(request).filter(pk__in=ids))
        form = TagMergeForm(request.POST if request.method == "POST" else None, tags=tags)
        if form.is_valid():
            target = merge_tags(tags, form.cleaned_data["new_tag_name"])
            request.session.pop(SELECTED, None)
            self.message_user(request, f"{len(tags)} tag(s) merged into “{target}”.", messages.SUCCESS)
            return redirect("admin:taggit_tag_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.opts,
            "form": form,
            "tags": tags,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge_tags.html", context)
