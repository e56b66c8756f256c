"""
The authors in the admin (issue 15). Registered from ArticlesConfig.ready(),
apart from the article desk (articles/admin.py), which credits them.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "slug", "user", "article_count"]
    search_fields = ["name", "slug", "bio"]
    list_select_related = ["user"]
    raw_id_fields = ["photo"]  # chosen from the image library
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "title", "bio", "photo", "user"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("article_links"))

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count
