from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import add_never_cache_headers

from .keys import issue_key, revoke_key
from .models import PartnerKey


class KeyStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("active")), ("revoked", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    """
    Partner keys: adding one shows the key once (only its hash is kept);
    the "revoke" action refuses it from the next request on. Keys are never
    deleted, so the desk keeps a record of who had one.
    """

    list_display = ["name", "prefix_display", "is_active", "created_at", "created_by", "revoked_at"]
    list_filter = [KeyStateFilter]
    search_fields = ["name", "prefix", "note"]
    list_select_related = ["created_by"]
    actions = ["revoke"]
    readonly_fields = ["prefix_display", "created_at", "created_by", "revoked_at", "revoked_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "note"]
        return ["name", "note", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("key"), ordering="prefix")
    def prefix_display(self, obj):
        return f"{obj.prefix}.…" if obj.prefix else ""

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Kept on the object for response_add only; never stored or logged.
            obj._raw_key = issue_key(obj, by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        """Show the new key on this response itself (not in a message kept in the session)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "partner_key": obj,
            "raw_key": obj._raw_key,
            "title": _("Copy the new key now"),
        }
        response = TemplateResponse(request, "admin/api/partnerkey/key_created.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for partner_key in queryset:
            if revoke_key(partner_key, by=request.user):
                revoked += 1
                self.log_change(request, partner_key, [{"revoked": {}}])
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
