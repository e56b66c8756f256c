"""
The wire desk in the admin: feeds with their health and poll log, licences
(those ending within 30 days first), pushes per article and endpoint.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.forms import https_by_default

from . import polling
from .licences import EXPIRING_DAYS
from .models import Licence, PollRun, PushDelivery, WireFeed


class WireFeedForm(forms.ModelForm):
    class Meta:
        formfield_callback = https_by_default
        model = WireFeed
        fields = [
            "source",
            "url",
            "format",
            "interval",
            "topic",
            "tags",
            "publish",
            "on_duplicate",
            "enabled",
        ]
        widgets = {"url": forms.URLInput(attrs={"size": 80})}

    user = None  # set by the admin

    def clean_publish(self):
        publish = self.cleaned_data["publish"]
        if publish and not workflow.can_publish(self.user):
            raise forms.ValidationError(
                _(
                    "Only someone who may publish can have a feed publish at once; its items arrive as drafts."
                )
            )
        return publish


class FailingFilter(admin.SimpleListFilter):
    title = _("health")
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [("failing", _("Failing")), ("ok", _("Working"))]

    def queryset(self, request, queryset):
        from .models import FAILING_AFTER

        if self.value() == "failing":
            return queryset.filter(failures__gte=FAILING_AFTER)
        if self.value() == "ok":
            return queryset.filter(failures__lt=FAILING_AFTER)
        return queryset


@admin.register(WireFeed)
class WireFeedAdmin(admin.ModelAdmin):
    form = WireFeedForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "source",
        "url",
        "interval",
        "publish",
        "enabled",
        "owner",
        "health",
        "last_polled_at",
        "next_poll_at",
        "last_counts",
    ]
    list_filter = [FailingFilter, "enabled", "publish", "source"]
    list_select_related = ["source", "owner"]
    search_fields = ["url", "source__name"]
    autocomplete_fields = ["source", "topic"]
    actions = ["poll_now"]
    readonly_fields = [
        "owner",
        "health",
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "next_poll_at",
        "last_error",
        "poll_log",
    ]
    fieldsets = [
        (None, {"fields": ["source", "url", "format", "interval", "enabled"]}),
        (_("Items"), {"fields": ["topic", "tags", "publish", "on_duplicate", "owner"]}),
        (
            _("Polling"),
            {
                "fields": [
                    "health",
                    "last_polled_at",
                    "last_success_at",
                    "next_poll_at",
                    "last_error",
                    "etag",
                    "last_modified",
                    "poll_log",
                ]
            },
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        return type(form_class.__name__, (form_class,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        # Whoever sets the feed up (or takes over one whose owner left) is
        # the user its polls import as.
        if obj.owner_id is None or not obj.owner.is_active:
            obj.owner = request.user
        if obj.publish and not workflow.can_publish(obj.owner):
            # The owner may not publish (any more): saving takes the feed over.
            obj.owner = request.user
        if not change or "interval" in form.changed_data:
            obj.next_poll_at = None  # due at the next tick
        super().save_model(request, obj, form, change)

    @admin.display(description=_("health"), ordering="failures")
    def health(self, obj):
        if not obj.enabled:
            return _("off")
        if obj.failing:
            return format_html(
                '<strong style="color:#ba2121">{}</strong>',
                _("failing: %(count)d in a row, next try %(time)s")
                % {"count": obj.failures, "time": _local(obj.next_poll_at)},
            )
        if obj.failures:
            return format_html(
                '<span style="color:#b36b00">{}</span>',
                _("%(count)d failure(s)") % {"count": obj.failures},
            )
        return _("working") if obj.last_success_at else _("not polled yet")

    @admin.display(description=_("last poll"))
    def last_counts(self, obj):
        run = obj.runs.first()
        if run is None:
            return "—"
        return _(
            "%(outcome)s: %(new)d new, %(updated)d updated, %(skipped)d skipped, %(failed)d failed"
        ) % {
            "outcome": run.get_outcome_display(),
            "new": run.created,
            "updated": run.updated,
            "skipped": run.skipped,
            "failed": run.failed,
        }

    @admin.display(description=_("poll log"))
    def poll_log(self, obj):
        runs = obj.runs.all()[:20]
        if not runs:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}/{}/{}/{}</td><td>{}</td></tr>",
            (
                (
                    _local(run.started_at),
                    run.get_outcome_display(),
                    run.http_status or "—",
                    run.created,
                    run.updated,
                    run.skipped,
                    run.failed,
                    (run.error or run.report)[:300],
                )
                for run in runs
            ),
        )
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>HTTP</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("started"),
            _("outcome"),
            _("new/updated/skipped/failed"),
            _("report"),
            rows,
        )

    @admin.action(description=_("Poll the selected feeds now"))
    def poll_now(self, request, queryset):
        for feed in queryset:
            polling.poll_now(feed)
        self.message_user(
            request, _("Polls queued; see the poll log of each feed."), messages.SUCCESS
        )


def _local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


class LicenceEndFilter(admin.SimpleListFilter):
    title = _("licence ends")
    parameter_name = "ends"

    def lookups(self, request, model_admin):
        return [
            ("soon", _("Within %(days)d days") % {"days": EXPIRING_DAYS}),
            ("ended", _("Ended")),
            ("later", _("Later")),
            ("never", _("No end")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        soon = now + timedelta(days=EXPIRING_DAYS)
        value = self.value()
        if value == "soon":
            return queryset.filter(licence_ends_at__gt=now, licence_ends_at__lte=soon)
        if value == "ended":
            return queryset.filter(licence_ends_at__lte=now)
        if value == "later":
            return queryset.filter(licence_ends_at__gt=soon)
        if value == "never":
            return queryset.filter(licence_ends_at__isnull=True)
        return queryset


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    """Reprint licences; the list opens on those ending within 30 days."""

    list_display = [
        "name",
        "licence_ends_at",
        "remaining",
        "licence_starts_at",
        "licence_link_back",
        "licence_redistribute",
        "reference",
    ]
    list_filter = [LicenceEndFilter, "licence_link_back", "licence_redistribute"]
    search_fields = ["name", "licence_reference"]
    fields = [
        "name",
        "homepage",
        "licence_reference",
        "licence_starts_at",
        "licence_ends_at",
        "licence_link_back",
        "licence_redistribute",
    ]
    readonly_fields = ["name", "homepage"]

    def changelist_view(self, request, extra_context=None):
        if not request.GET and not request.POST:
            request.GET = request.GET.copy()
            request.GET["ends"] = "soon"
            request.META["QUERY_STRING"] = "ends=soon"
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False  # a licence belongs to a source: add the source first

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("remaining"), ordering="licence_ends_at")
    def remaining(self, obj):
        if obj.licence_ends_at is None:
            return "—"
        left = obj.licence_ends_at - timezone.now()
        if left.total_seconds() <= 0:
            return format_html('<strong style="color:#ba2121">{}</strong>', _("ended"))
        return _("%(days)d days") % {"days": left.days}

    @admin.display(description=_("licence"))
    def reference(self, obj):
        return obj.licence_reference[:80]


@admin.register(PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "change",
        "url",
        "status",
        "attempts",
        "response_status",
        "answer",
        "delivered_at",
    ]
    list_filter = ["endpoint", "status", "change"]
    search_fields = ["url", "=event_id"]
    date_hierarchy = "created_at"

    @admin.display(description=_("answer"))
    def answer(self, obj):
        return obj.response[:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PollRun)
class PollRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "feed",
        "outcome",
        "http_status",
        "created",
        "updated",
        "skipped",
        "failed",
        "error",
    ]
    list_filter = ["outcome", "feed__source"]
    list_select_related = ["feed__source"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
