"""
Each user's notices in the desk: their own list (newest first, unread
marked), opening one marks it read and goes to the article, "mark all
read", and their e-mail choice. Every staff user sees only their own.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationSettings
from .services import message


class SettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["unread", "notice", "created_at"]
    list_display_links = None
    list_per_page = 50
    actions = ["mark_read"]
    change_list_template = "admin/notifications/notification/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    # Everyone on the desk reads their own notices; nobody edits them.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unread"))
    def unread(self, obj):
        return "●" if obj.read_at is None else ""

    @admin.display(description=_("notice"))
    def notice(self, obj):
        url = reverse("admin:notifications_notification_open", args=[obj.pk])
        text = message(obj)
        if obj.note:
            return format_html(
                '<a href="{}">{}</a><br><span class="help">{}</span>', url, text, obj.note
            )
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.action(description=_("Mark selected notices read"), permissions=["view"])
    def mark_read(self, request, queryset):
        queryset.filter(read_at__isnull=True).update(read_at=timezone.now())

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/open/", wrap(self.open_view), name="notifications_notification_open"),
            path("read-all/", wrap(self.read_all_view), name="notifications_notification_read_all"),
            path("settings/", wrap(self.settings_view), name="notifications_notification_settings"),
            *super().get_urls(),
        ]

    def open_view(self, request, pk):
        notice = get_object_or_404(Notification, pk=pk, user=request.user)
        if notice.read_at is None:
            Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
        if notice.article_id:
            return redirect("admin:articles_article_change", notice.article_id)
        return redirect("admin:notifications_notification_changelist")

    def read_all_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("admin:notifications_notification_changelist")

    def settings_view(self, request):
        current, _created = NotificationSettings.objects.get_or_create(user=request.user)
        data = request.POST if request.method == "POST" else None
        form = SettingsForm(data, instance=current)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Your notification settings were saved."))
            return redirect("admin:notifications_notification_settings")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Notification settings"),
            "form": form,
            "has_email": bool(request.user.email),
        }
        return TemplateResponse(request, "admin/notifications/settings.html", context)
