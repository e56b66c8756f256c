from axes.utils import reset as reset_login_failures
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import StaffLoginForm
from .rules import grantable_groups, may_manage
from .twofactor import reset_two_factor

# Fields only a superuser edits: they grant anything at all.
SUPERUSER_ONLY = ("is_superuser", "user_permissions")
# Fields a chief editor sets on others, never on their own account.
ROLE_FIELDS = ("is_active", "is_staff", "groups")


class NewsroomUserAdmin(UserAdmin):
    """Django's user admin, with fields and targets limited by accounts.rules."""

    actions = ["unlock_logins", "reset_two_factor"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        # Read-only fields are left out of the form: posted values are ignored.
        fields += [*SUPERUSER_ONLY, "last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk:
            fields += ROLE_FIELDS
        return fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = grantable_groups(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def managed(self, request, queryset):
        return [user for user in queryset if may_manage(request.user, user)]

    @admin.action(description=_("Unlock logins (clear failed attempts)"), permissions=["change"])
    def unlock_logins(self, request, queryset):
        users = self.managed(request, queryset)
        for user in users:
            reset_login_failures(username=user.get_username())
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", len(users))
            % {"count": len(users)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Reset two-factor login (set up again at next login)"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        users = self.managed(request, queryset)
        for user in users:
            reset_two_factor(user)
        self.message_user(
            request,
            ngettext(
                "Two-factor login reset for %(count)d account.",
                "Two-factor login reset for %(count)d accounts.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)
admin.site.login_form = StaffLoginForm
