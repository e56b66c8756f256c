from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import modelformset_factory
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from images.admin import ImageChooserMixin
from spun.admin import SpunFilter, article_report, may_restore, spun_urls

from . import bulk, dashboard, desk, workflow
from .forms import ArticleAdminForm, CorrectionForm, CurationForm, PublishForm
from .ingest.admin_views import import_urls
from .models import Article, ArticleEvent, Autosave, SlugRedirect, Source, Tag, Topic

S = Article.Status


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


URL_FIELDS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_HTTPS
    list_display = ["name", "homepage"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


def local_time(moment):
    """A time in the site's zone, with the zone named: 2024-12-05 14:32 (Asia/Shanghai)."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M} ({timezone.get_current_timezone_name()})"


def local_input(moment):
    """A future time as a datetime-local value in the site's zone, else ""."""
    if moment is None or moment <= timezone.now():
        return ""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


class QueueFilter(admin.SimpleListFilter):
    """The desk's queues. Trashed articles only show in the trash."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("My drafts")),
            ("sent_back", _("Sent back to me")),
            ("review", _("Waiting for review")),
            ("approved", _("Approved")),
            ("scheduled", _("Scheduled")),
            ("today", _("Published today")),
            ("copies", _("Edits of published articles")),
            ("trash", _("Trash")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "trash":
            return queryset.filter(deleted_at__isnull=False)
        queryset = queryset.filter(deleted_at__isnull=True)
        if value == "mine":
            return queryset.filter(status=S.DRAFT, created_by=request.user)
        if value == "sent_back":
            return dashboard.sent_back_to(request.user, queryset)
        if value == "review":
            # Oldest submission first, with who and when (ArticleAdmin.get_queryset).
            return queryset.filter(status=S.REVIEW)
        if value == "approved":
            return queryset.filter(status=S.APPROVED)
        if value == "scheduled":
            return queryset.filter(status=S.PUBLISHED, published_at__gt=now)
        if value == "today":
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            return queryset.filter(
                status=S.PUBLISHED, published_at__gte=start, published_at__lte=now
            )
        if value == "copies":
            return queryset.filter(working_copy_of__isnull=False)
        return queryset


@admin.register(Article)
class ArticleAdmin(ImageChooserMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    formfield_overrides = URL_FIELDS_HTTPS
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title",
        "state",
        "topic",
        "created_by",
        "published_at_local",
        "updated_at_local",
        # Homepage curation (置顶): editable in the list by those who may publish.
        "featured",
        "featured_order",
        "pinned_until",
    ]
    list_filter = [QueueFilter, "status", "topic", "created_by", "featured", SpunFilter]
    list_select_related = ["topic", "created_by"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["title", "standfirst", "byline"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["topic", "source"]
    raw_id_fields = ["lead_image"]  # chosen from the library grid (images.admin)
    # Bulk actions (articles/bulk.py): each article through its workflow
    # function, refusals reported per article. Offered to everyone who may
    # change articles: the table decides per article, as the buttons do.
    actions = [
        "approve_selected",
        "publish_selected",
        "schedule_selected",
        "move_to_topic",
        "add_tag",
        "trash_selected",
        "restore_selected",
        "empty_trash",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body", "topic", "tags", "byline"]}),
        (_("Lead image"), {"fields": ["lead_image", "lead_image_caption"]}),
        (_("Reprint"), {"fields": ["source", "source_url"]}),
        (
            _("SEO and sharing"),
            {"classes": ["collapse"], "fields": ["seo_title", "meta_description", "social_title"]},
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at_local",
                    "expires_at_local",
                    "featured",
                    "featured_order",
                    "pinned_until",
                    "base_version",
                ]
            },
        ),
        (
            _("Record"),
            {
                "classes": ["collapse"],
                "fields": [
                    "uuid",
                    "version",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                ],
            },
        ),
    ]
    record_fields = ["uuid", "version", "created_at", "created_by", "updated_at", "updated_by"]

    def view_on_site(self, obj):
        # "View on site": the public page once readers can see it, the
        # preview before (never a 404 for an article not yet published).
        if Article.objects.published().filter(pk=obj.pk).exists():
            return obj.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[obj.pk])

    # Queryset and permissions --------------------------------------------------

    def get_queryset(self, request):
        # ModelAdmin.get_queryset, with the review queue's annotation before its
        # ordering: it sorts by, and shows, each article's latest submission.
        queryset = self.model._default_manager.get_queryset()
        if request.GET.get("queue") == "review":
            queryset = dashboard.with_submission(queryset)
        ordering = self.get_ordering(request)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return queryset.select_related("topic", "created_by")

    def get_ordering(self, request):
        if request.GET.get("queue") == "review":
            return ["submitted_at"]
        return super().get_ordering(request)

    def get_list_display(self, request):
        if request.GET.get("queue") == "review":
            return ["title", "submitted", "topic", "created_by", "updated_at_local"]
        return super().get_list_display(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting goes to the trash (trash_selected); only emptying the trash deletes.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # The delete button and view move to the trash (see delete_model).
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.deleted_at is None
        )

    def get_readonly_fields(self, request, obj=None):
        # Status and publication times change only through the workflow buttons
        # (the publish form takes the times), never through a form save.
        readonly = ["status", "published_at_local", "expires_at_local", *self.record_fields]
        if obj is not None and not workflow.can_edit(request.user, obj):
            # Not editable by this user in this state: the form shows, never saves.
            content = ["title", "slug", "standfirst", "body_html", "topic", "tags", "byline"]
            readonly += [*content, "source", "source_url", *workflow.CURATION_FIELDS]
            readonly += ["lead_image", "lead_image_caption"]
            readonly += ["seo_title", "meta_description", "social_title"]
        elif not workflow.can_publish(request.user):
            readonly += workflow.CURATION_FIELDS
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not workflow.can_edit(request.user, obj):
            # Nothing to save, so no version to check; the body shows as rendered HTML.
            replace = {"body": "body_html"}
            fieldsets = [
                (
                    name,
                    {
                        **opts,
                        "fields": [
                            replace.get(f, f) for f in opts["fields"] if f != "base_version"
                        ],
                    },
                )
                for name, opts in fieldsets
            ]
        return fieldsets

    # Saving ---------------------------------------------------------------------

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Curation is edited in the list only by those who may publish, and
        # not in the trash; everyone else sees the columns.
        if (
            workflow.can_publish(request.user)
            and set(workflow.CURATION_FIELDS) <= set(changelist.list_display)
            and request.GET.get("queue") != "trash"
            and not changelist.is_popup
        ):
            changelist.list_editable = tuple(workflow.CURATION_FIELDS)
        return changelist

    def get_changelist_formset(self, request, **kwargs):
        return modelformset_factory(
            Article,
            CurationForm,
            extra=0,
            fields=workflow.CURATION_FIELDS,
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            **kwargs,
        )

    def save_model(self, request, obj, form, change):
        if isinstance(form, CurationForm):
            # A row of the change list: curation only, checked again by curate().
            try:
                values = {name: form.cleaned_data[name] for name in workflow.CURATION_FIELDS}
                workflow.curate(obj, by=request.user, **values)
            except ValidationError as refusal:
                self.message_user(request, f"{obj.title}: {refusal.messages[0]}", messages.ERROR)
            return
        # The save service keeps the workflow fields, the revision and the
        # event; the form has already run its checks under the same lock.
        if change and "workflow" in request.POST and not set(form.changed_data) - {"base_version"}:
            return  # a workflow button on an unchanged form: nothing to save first
        notices = workflow.save_article(
            obj,
            by=request.user,
            base_version=form.cleaned_data.get("base_version") if change else None,
            tags=form.cleaned_data.get("tags"),
            comment=_("Edited in the admin") if change else _("Created"),
        )
        for notice in notices:
            self.message_user(request, notice, messages.WARNING)
        # Saved for real: the autosave slot has done its job.
        Autosave.objects.filter(user=request.user, article=obj).delete()
        if change and "workflow" in request.POST:
            self.message_user(request, _("Your changes were saved first."), messages.INFO)

    def response_change(self, request, obj):
        # A workflow button of an editable article submits the article's form
        # (change_form.html): the form was saved through the version check
        # above, in this transaction; now the transition runs.
        action = request.POST.get("workflow")
        if action in desk.FORM_ACTIONS:
            return desk.run_action(
                request, obj, action, desk.form_workflow_data(request.POST, action)
            )
        return super().response_change(request, obj)

    def save_related(self, request, form, formsets, change):
        # Tags were saved with the article (save_article), in its revision.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        attrs = {"user": request.user}
        if obj is not None and request.method == "GET" and request.GET.get("autosave") == "restore":
            # "Restore": the form opens with the autosaved text, over the
            # version it was written on (a newer article refuses the save).
            autosave = Autosave.objects.filter(user=request.user, article=obj).first()
            if autosave is not None:
                attrs["restored"] = autosave
        return type(form_class.__name__, (form_class,), attrs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            # A hand-made POST to an article this user may not edit in its
            # state: refused before the form is read (the form shows read-only).
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and not workflow.can_edit(request.user, obj):
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        action = request.POST.get("workflow") if request.method == "POST" else None
        if obj is not None and action in desk.FORM_ACTIONS:
            # The form did not save (a newer version, an invalid field): the
            # transition did not run, and the text is in the form below.
            self.message_user(
                request,
                _(
                    "Not done: “%(action)s”. Your changes could not be saved (see the "
                    "messages below); your text is kept in the form."
                )
                % {"action": desk.button_label(action)},
                messages.ERROR,
            )
        if obj is not None:
            context.update(
                {
                    "workflow_actions": workflow.allowed_actions(request.user, obj),
                    "correction_form": CorrectionForm(),
                    "events": obj.events.select_related("actor")[:50],
                    "notes": obj.notes.select_related("author"),
                    "corrections": obj.corrections.all(),
                    "working_copy": obj.working_copies.not_trashed().first(),
                    "site_zone": timezone.get_current_timezone_name(),
                    "state_label": self.state_label(obj)[0],
                    "state": workflow.state_of(obj),
                    "publish_form": PublishForm(
                        initial={
                            "publish_at": local_input(obj.published_at),
                            "expires_at": local_input(obj.expires_at),
                        }
                    ),
                    "can_edit": workflow.can_edit(request.user, obj),
                    "title_max_chars": settings.DESK_TITLE_MAX_CHARS,
                    **desk.autosave_context(request, obj, context),
                    "spun_report": article_report(obj),
                    "may_restore_spun": may_restore(request.user, obj),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_model(self, request, obj):
        workflow.trash(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        bulk.trash(self, request, queryset)

    # Desk views -------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        desk_urls = [
            path(
                "<int:pk>/workflow/<str:action>/",
                wrap(lambda request, pk, action: desk.workflow_view(self, request, pk, action)),
                name="articles_article_workflow",
            ),
            path(
                "<int:pk>/autosave/",
                wrap(lambda request, pk: desk.autosave_view(self, request, pk)),
                name="articles_article_autosave",
            ),
            path(
                "<int:pk>/autosave/discard/",
                wrap(lambda request, pk: desk.discard_autosave_view(self, request, pk)),
                name="articles_article_discard_autosave",
            ),
            path(
                "<int:pk>/preview/",
                wrap(lambda request, pk: desk.preview_view(self, request, pk)),
                name="articles_article_preview",
            ),
            path(
                "<int:pk>/revisions/",
                wrap(lambda request, pk: desk.history_view(self, request, pk)),
                name="articles_article_revisions",
            ),
            path(
                "<int:pk>/revisions/compare/",
                wrap(lambda request, pk: desk.compare_view(self, request, pk)),
                name="articles_article_compare",
            ),
            path(
                "<int:pk>/revisions/<int:version_pk>/restore/",
                wrap(
                    lambda request, pk, version_pk: desk.restore_version_view(
                        self, request, pk, version_pk
                    )
                ),
                name="articles_article_restore_version",
            ),
        ]
        # The import page (articles/ingest/admin_views.py) before the catch-all object URLs.
        return import_urls(self) + spun_urls(self) + desk_urls + super().get_urls()

    # List columns and actions ------------------------------------------------------

    @staticmethod
    def state_label(obj):
        """(label, css class): the workflow's state, as readers experience it."""
        state = workflow.state_of(obj)
        label, css = workflow.STATE_LABELS[state], state
        if state == workflow.PUBLISHED and obj.expires_at and obj.expires_at <= timezone.now():
            label, css = _("Expired"), "expired"
        if obj.working_copy_of_id:
            label = _("%(state)s (edit of a published article)") % {"state": label}
        return label, css

    @admin.display(description=_("state"), ordering="status")
    def state(self, obj):
        label, css = self.state_label(obj)
        return format_html('<span class="article-state article-state-{}">{}</span>', css, label)

    @admin.display(description=_("publication time"), ordering="published_at")
    def published_at_local(self, obj):
        return local_time(obj.published_at)

    @admin.display(description=_("expiry time"), ordering="expires_at")
    def expires_at_local(self, obj):
        return local_time(obj.expires_at)

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated_at_local(self, obj):
        return local_time(obj.updated_at)

    @admin.display(description=_("submitted by / at"), ordering="submitted_at")
    def submitted(self, obj):
        when = getattr(obj, "submitted_at", None)
        if when is None:
            return "—"
        return f"{getattr(obj, 'submitted_by_name', None) or '—'} · {local_time(when)}"

    @admin.display(description=_("body"))
    def body_html(self, obj):
        # Sanitized on every save (articles.text.sanitize_html), so safe to render.
        # In the site's article styles (static/css/body.css, loaded by the change form).
        return format_html('<div class="article-body">{}</div>', mark_safe(obj.body))

    @admin.action(description=_("Approve selected articles"))
    def approve_selected(self, request, queryset):
        return bulk.approve(self, request, queryset)

    @admin.action(description=_("Publish selected articles now"))
    def publish_selected(self, request, queryset):
        return bulk.publish_now(self, request, queryset)

    @admin.action(description=_("Schedule selected articles…"))
    def schedule_selected(self, request, queryset):
        return bulk.schedule(self, request, queryset)

    @admin.action(description=_("Move selected articles to a topic…"))
    def move_to_topic(self, request, queryset):
        return bulk.move_to_topic(self, request, queryset)

    @admin.action(description=_("Add a tag to selected articles…"))
    def add_tag(self, request, queryset):
        return bulk.add_tag(self, request, queryset)

    @admin.action(description=_("Move selected articles to the trash"), permissions=["delete"])
    def trash_selected(self, request, queryset):
        return bulk.trash(self, request, queryset)

    @admin.action(
        description=_("Restore selected articles from the trash"), permissions=["restore"]
    )
    def restore_selected(self, request, queryset):
        return bulk.restore(self, request, queryset)

    @admin.action(
        description=_("Delete selected articles in the trash for good"),
        permissions=["empty_trash"],
    )
    def empty_trash(self, request, queryset):
        # Only the selected rows, and of those only the ones in the trash.
        count = workflow.empty_trash(by=request.user, articles=queryset)
        self.message_user(
            request,
            _("%(count)d articles in the trash deleted for good; their history is kept.")
            % {"count": count},
            messages.SUCCESS,
        )

    def has_restore_permission(self, request):
        return request.user.has_perm("articles.restore_article")

    def has_empty_trash_permission(self, request):
        return request.user.has_perm("articles.empty_trash")


@admin.register(ArticleEvent)
class ArticleEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "article_title", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "actor"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    search_fields = ["article_title", "=article_uuid", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title"]
    list_select_related = ["article"]

    def has_add_permission(self, request):
        return False


admin.site.site_header = _("Newsroom editorial desk")
# The admin index is the desk's front page: the work waiting (articles/dashboard.py).
admin.site.index_template = "admin/articles/desk_index.html"
_admin_index = admin.site.index


def desk_index(request, extra_context=None):
    context = {"desk": dashboard.for_user(request.user), **(extra_context or {})}
    return _admin_index(request, extra_context=context)


admin.site.index = desk_index
admin.site.site_title = _("Newsroom")
