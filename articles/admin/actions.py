from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .. import permissions
from ..models import Article


class ArticleActionsMixin:
    """The article list's bulk actions; each status change goes through ``Article.transition()``."""

    actions = ["submit_for_review", "publish_now", "unpublish", "feature", "unfeature"]

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def has_feature_permission(self, request):
        return permissions.can_feature(request.user)

    @admin.action(description="Submit selected drafts for review")
    def submit_for_review(self, request, queryset):
        allowed = [a for a in queryset.filter(status=Article.Status.DRAFT) if self.has_change_permission(request, a)]
        for article in allowed:
            article.transition(to=Article.Status.REVIEW, by=request.user)
        self.message_user(request, f"{len(allowed)} article(s) submitted for review.")

    @admin.action(description="Publish selected articles (now, or at their scheduled time)", permissions=["publish"])
    def publish_now(self, request, queryset):
        published, refused = 0, []
        for article in queryset:
            try:
                article.transition(to=Article.Status.PUBLISHED, by=request.user)
            except ValidationError as error:
                refused.append(f"“{article}”: {' '.join(error.messages)}")
                continue
            published += 1
        self.message_user(request, f"{published} article(s) published or scheduled.")
        for reason in refused:
            self.message_user(request, f"Not published: {reason}", messages.ERROR)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.transition(to=Article.Status.DRAFT, by=request.user)
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
            article.save_revision(by=request.user)
            count += 1
        self.message_user(request, f"{count} article(s) updated.")
