"""Readers and their alerts in the admin: for looking up, not editing. Readers change their own follows
through their preferences link; a site admin may delete a reader on request. Only site admins see these
(the Writers and Editors groups hold no permission on them)."""

from django.contrib import admin
from django.db.models import Count, Q

from .models import Consent, Delivery, Follow, Reader


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FollowInline(admin.TabularInline):
    model = Follow
    fields = ["section", "tag", "author", "status", "frequency", "created_at", "confirmed_at", "unsubscribed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConsentInline(admin.TabularInline):
    model = Consent
    fields = ["at", "action", "subject", "source", "ip_hash"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reader)
class ReaderAdmin(ReadOnlyAdmin):
    list_display = ["email", "following", "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    fields = ["email", "created_at"]
    readonly_fields = fields
    inlines = [FollowInline, ConsentInline]

    def get_queryset(self, request):
        confirmed = Count("follows", filter=Q(follows__status=Follow.Status.CONFIRMED))
        return super().get_queryset(request).annotate(following=confirmed)

    @admin.display(description="confirmed follows", ordering="following")
    def following(self, reader):
        return reader.following


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["reader", "kind", "target", "status", "frequency", "created_at", "confirmed_at"]
    list_filter = ["status", "frequency"]
    list_select_related = ["reader", "section", "tag", "author"]
    search_fields = ["reader__email", "section__name", "tag__name", "author__name"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["article", "reader", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["article", "reader"]
    search_fields = ["reader__email", "article__headline"]
    date_hierarchy = "created_at"
