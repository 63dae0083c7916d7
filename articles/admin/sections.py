from django.contrib import admin

from ..models import Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "nav_order", "show_in_nav", "article_count"]
    list_editable = ["nav_order", "show_in_nav"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    @admin.display(description="published articles")
    def article_count(self, obj):
        return obj.articles.published().count()
