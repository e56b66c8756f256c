"""The desk's view of background jobs: what waits, runs, retries and failed, and why."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import api
from .models import Job

S = Job.Status


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key",
        "status_badge",
        "tries",
        "run_after",
        "started_at",
        "finished_at",
        "error",
    ]
    list_filter = ["status", "name"]
    search_fields = ["key", "name", "last_error"]
    date_hierarchy = "created_at"
    actions = ["run_again"]
    readonly_fields = [
        "key",
        "name",
        "kwargs",
        "status",
        "attempts",
        "max_attempts",
        "run_after",
        "sent_at",
        "started_at",
        "finished_at",
        "worker",
        "last_error",
        "error_detail",
        "history",
        "result",
        "created_at",
        "updated_at",
    ]

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colour = {
            S.QUEUED: "#666",
            S.RUNNING: "#205493",
            S.RETRYING: "#b36b00",
            S.SUCCEEDED: "#2e7d32",
            S.FAILED: "#ba2121",
        }[obj.status]
        label = obj.get_status_display()
        if obj.status == S.QUEUED and obj.sent_at is None and obj.run_after <= timezone.now():
            label = _("%(status)s (waiting for the queue)") % {"status": label}
        return format_html('<strong style="color:{}">{}</strong>', colour, label)

    @admin.display(description=_("attempts"), ordering="attempts")
    def tries(self, obj):
        return f"{obj.attempts}/{obj.max_attempts}"

    @admin.display(description=_("last error"))
    def error(self, obj):
        return obj.last_error[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description=_("Run the selected failed jobs again"), permissions=["run"])
    def run_again(self, request, queryset):
        count = 0
        for job in queryset.filter(status=S.FAILED):
            api.run_again(job)
            count += 1
        self.message_user(
            request, _("%(count)d jobs queued again.") % {"count": count}, messages.SUCCESS
        )

    def has_run_permission(self, request):
        return request.user.has_perm("jobs.run_job")
