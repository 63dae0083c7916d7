from django.contrib import admin
from django.utils.html import format_html

from ..models import Author
from .forms import ImagesCheckedFirstMixin


@admin.register(Author)
class AuthorAdmin(ImagesCheckedFirstMixin, admin.ModelAdmin):
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
