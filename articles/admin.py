from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Article, SlugRedirect, Source, Tag, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class SlugRedirectInline(admin.TabularInline):
    model = SlugRedirect
    extra = 0
    readonly_fields = ["old_slug", "created_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "topic",
        "status",
        "published_at",
        "featured",
        "tag_list",
        "updated_at",
    ]
    list_filter = ["status", "topic", "featured", "source"]
    list_select_related = ["topic"]
    search_fields = ["title", "standfirst", "byline"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["topic", "source"]
    readonly_fields = ["uuid", "created_at", "created_by", "updated_at", "updated_by"]
    inlines = [SlugRedirectInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body", "topic", "tags", "byline"]}),
        (_("Reprint"), {"fields": ["source", "source_url"]}),
        (_("Publication"), {"fields": ["status", "published_at", "expires_at", "featured"]}),
        (
            _("Record"),
            {
                "classes": ["collapse"],
                "fields": ["uuid", "created_at", "created_by", "updated_at", "updated_by"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
