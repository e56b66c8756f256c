"""
The desk's side of preview links: made and revoked from the article's page
(the panel in templatetags/previews.py posts here), listed with who made
them, when, and until when; every link of the site under
/admin/previews/previewlink/, with the audit trail beside it.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.admin import local_time
from articles.models import Article

from . import services
from .forms import PreviewLinkForm
from .models import PreviewEvent, PreviewLink


def _refusal_messages(error):
    return getattr(error, "messages", None) or [str(error) or _("Not allowed.")]


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "made_by", "made_at", "valid_until", "state_label"]
    list_select_related = ["article", "created_by", "revoked_by"]
    list_filter = ["created_by"]
    search_fields = ["article__title"]
    date_hierarchy = "created_at"
    actions = ["revoke_selected"]

    # Editors see and revoke links without a permission of this app's own:
    # the rule is the one that makes them (services.may_share).
    def has_module_permission(self, request):
        return services.may_share(request.user)

    def has_view_permission(self, request, obj=None):
        return services.may_share(request.user)

    def has_add_permission(self, request):
        return False  # made from an article's page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the list is the record

    def has_revoke_permission(self, request):
        return services.may_share(request.user)

    @admin.display(description=gettext_lazy("made by"), ordering="created_by")
    def made_by(self, obj):
        return obj.created_by or "—"

    @admin.display(description=gettext_lazy("made at"), ordering="created_at")
    def made_at(self, obj):
        return local_time(obj.created_at)

    @admin.display(description=gettext_lazy("valid until"), ordering="expires_at")
    def valid_until(self, obj):
        return local_time(obj.expires_at)

    @admin.display(description=gettext_lazy("state"))
    def state_label(self, obj):
        state = obj.state()
        if state == PreviewLink.State.REVOKED:
            return _("revoked by %(user)s at %(time)s") % {
                "user": obj.revoked_by or "—",
                "time": local_time(obj.revoked_at),
            }
        return state.label

    @admin.action(description=gettext_lazy("Revoke selected preview links"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        done = 0
        for link in queryset.select_related("article"):
            try:
                done += services.revoke_link(link, by=request.user)
            except PermissionDenied as refusal:
                for message in _refusal_messages(refusal):
                    self.message_user(request, message, messages.ERROR)
        self.message_user(
            request, _("%(count)d preview links revoked.") % {"count": done}, messages.SUCCESS
        )

    # The article page's panel posts here ----------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "create/<int:article_pk>/",
                wrap(self.create_view),
                name="previews_previewlink_create",
            ),
            path("<int:pk>/revoke/", wrap(self.revoke_view), name="previews_previewlink_revoke"),
            *super().get_urls(),
        ]

    def create_view(self, request, article_pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = get_object_or_404(Article, pk=article_pk)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        form = PreviewLinkForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(f"{change_url}#previews")
        try:
            link, token = services.create_link(
                article, by=request.user, expires_at=form.cleaned_data["expires_at"]
            )
        except ValidationError as refusal:
            for message in _refusal_messages(refusal):
                messages.error(request, message)
            return redirect(f"{change_url}#previews")
        # Shown this once: only the token's hash is kept.
        url = request.build_absolute_uri(reverse("previews:preview", args=[token]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview link made"),
            "article": article,
            "link": link,
            "preview_url": url,
            "valid_until": local_time(link.expires_at),
            "change_url": change_url,
        }
        response = TemplateResponse(request, "admin/previews/link_created.html", context)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def revoke_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        link = get_object_or_404(PreviewLink.objects.select_related("article"), pk=pk)
        if not services.may_share(request.user, link.article):
            raise PermissionDenied
        services.revoke_link(link, by=request.user)
        messages.success(request, _("Preview link revoked: it opens nothing any more."))
        # Back where the button was: the article's page, or this list.
        if request.POST.get("next") == "changelist":
            return redirect(reverse("admin:previews_previewlink_changelist"))
        change_url = reverse("admin:articles_article_change", args=[link.article_id])
        return redirect(f"{change_url}#previews")


@admin.register(PreviewEvent)
class PreviewEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "article_title", "action", "actor", "note"]
    list_filter = ["action", "actor"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    search_fields = ["article_title", "=article_uuid"]

    def has_module_permission(self, request):
        return services.may_share(request.user)

    def has_view_permission(self, request, obj=None):
        return services.may_share(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
