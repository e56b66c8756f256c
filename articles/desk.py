"""
The editorial desk's admin views: workflow buttons, preview, history with
diffs and restore. Mounted under /admin/articles/article/<pk>/ by ArticleAdmin.
Each view checks permissions on the server; hidden buttons are not security.
"""

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from reversion.models import Version

from . import workflow
from .forms import CorrectionForm, NoteForm, PublishForm, RescheduleForm
from .models import Article, Autosave, Tag, Topic
from .views import ArticleDetailView

WORKFLOW_ACTIONS = {
    "submit",
    "withdraw",
    "send_back",
    "approve",
    "publish",
    "reschedule",
    "cancel_schedule",
    "unpublish",
    "correct",
    "working_copy",
    "trash",
    "restore",
    "note",
}


# The buttons that, on an article the user may edit, submit the article's own
# form: unsaved text is saved first (through the version check), then the
# transition runs. Nothing typed is dropped by pressing a workflow button.
FORM_ACTIONS = WORKFLOW_ACTIONS - {"note"}

# What an autosave keeps: the form's content fields, as typed.
AUTOSAVE_FIELDS = [
    "title",
    "slug",
    "standfirst",
    "body",
    "topic",
    "tags",
    "byline",
    "source",
    "source_url",
    "lead_image",
    "lead_image_caption",
    "seo_title",
    "meta_description",
    "social_title",
]
AUTOSAVE_MAX_CHARS = 400_000


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def get_article(admin_site_model_admin, request, pk):
    article = get_object_or_404(Article.objects.select_related("topic"), pk=pk)
    if not admin_site_model_admin.has_view_permission(request, article):
        raise PermissionDenied
    return article


def workflow_view(model_admin, request, pk, action):
    """POST only: run one named transition and go back to the article."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if action not in WORKFLOW_ACTIONS:
        raise Http404
    article = get_article(model_admin, request, pk)
    return run_action(request, article, action, request.POST)


def form_workflow_data(post, action):
    """
    The workflow box's fields when its button submitted the article's own form
    (see change_form.html: one note box per action, `wf_note_<action>`).
    """
    return {
        "note": post.get(f"wf_note_{action}", ""),
        "publish_at": post.get("publish_at", ""),
        "expires_at": post.get("expires_at", ""),
        "reschedule_at": post.get("reschedule_at", ""),
        "text": post.get("text", ""),
    }


def run_action(request, article, action, data):
    """
    Run `action` on `article` with the box's fields in `data` (note, times,
    correction text); report the outcome as a message and redirect.
    """
    user = request.user
    target = article
    try:
        if action == "submit":
            workflow.submit_for_review(article, by=user, note=_note(data))
        elif action == "withdraw":
            workflow.withdraw(article, by=user, note=_note(data))
        elif action == "send_back":
            workflow.send_back(article, by=user, note=_note(data))
        elif action == "approve":
            workflow.approve(article, by=user, note=_note(data))
        elif action == "publish":
            form = PublishForm(data)
            if not form.is_valid():
                raise ValidationError(
                    _("Enter the times as YYYY-MM-DD HH:MM (%(zone)s).") % {"zone": _zone_name()}
                )
            target = workflow.publish(
                article,
                by=user,
                at=form.cleaned_data["publish_at"],
                expires_at=form.cleaned_data["expires_at"],
                note=form.cleaned_data["note"],
            )
        elif action == "reschedule":
            form = RescheduleForm(data)
            if not form.is_valid():
                raise ValidationError(
                    _("Enter the new time as YYYY-MM-DD HH:MM (%(zone)s).") % {"zone": _zone_name()}
                )
            target = workflow.reschedule(
                article, by=user, at=form.cleaned_data["reschedule_at"], note=_note(data)
            )
        elif action == "cancel_schedule":
            workflow.cancel_schedule(article, by=user, note=_note(data))
        elif action == "unpublish":
            workflow.unpublish(article, by=user, note=_note(data))
        elif action == "correct":
            form = CorrectionForm(data)
            if not form.is_valid():
                raise ValidationError(_("The correction needs a text of at most 2,000 characters."))
            workflow.add_correction(article, by=user, text=form.cleaned_data["text"])
        elif action == "working_copy":
            target = workflow.create_working_copy(article, by=user)
        elif action == "trash":
            workflow.trash(article, by=user)
        elif action == "restore":
            workflow.restore(article, by=user)
        elif action == "note":
            workflow.add_note(article, by=user, text=_note(data))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if getattr(error, "code", None) == "gone":
            # Someone else published this working copy (or deleted the article) first.
            if article.working_copy_of_id:
                return redirect(change_url(article.working_copy_of))
            return redirect("admin:articles_article_changelist")
        return redirect(change_url(article))
    label = _action_label(action)
    if action in ("publish", "reschedule") and target.published_at > timezone.now():
        label = _("scheduled for %(time)s (%(zone)s)") % {
            "time": timezone.localtime(target.published_at).strftime("%Y-%m-%d %H:%M"),
            "zone": _zone_name(),
        }
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    if action == "trash":
        return redirect("admin:articles_article_changelist")
    return redirect(change_url(target))


def _note(data):
    form = NoteForm(data)
    if not form.is_valid():
        raise ValidationError(_("The note is too long (at most 5,000 characters)."))
    return form.cleaned_data["note"]


def autosave_view(model_admin, request, pk):
    """
    POST the form's content fields: they replace this user's one autosave
    slot for the article (no revision, no event). JSON in and out of the
    desk's script (static/articles/desk-form.js).
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = get_article(model_admin, request, pk)
    if not workflow.can_edit(request.user, article):
        return JsonResponse({"error": _("You may not edit this article.")}, status=403)
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        return JsonResponse({"error": _("The form has no version: reload the page.")}, status=400)
    data = {name: request.POST.get(name, "") for name in AUTOSAVE_FIELDS if name in request.POST}
    if sum(len(value) for value in data.values()) > AUTOSAVE_MAX_CHARS:
        return JsonResponse({"error": _("The text is too long to autosave.")}, status=400)
    now = timezone.now()
    Autosave.objects.update_or_create(
        user=request.user,
        article=article,
        defaults={"data": data, "base_version": base_version, "saved_at": now},
    )
    return JsonResponse(
        {"saved_at": timezone.localtime(now).strftime("%H:%M:%S"), "zone": _zone_name()}
    )


def discard_autosave_view(model_admin, request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = get_article(model_admin, request, pk)
    Autosave.objects.filter(user=request.user, article=article).delete()
    messages.info(request, _("The unsaved version was discarded."))
    return redirect(change_url(article))


def autosave_context(request, article, context):
    """The change form's autosave offer: restore / discard, or the banner of a restore."""
    if not workflow.can_edit(request.user, article):
        return {}
    autosave = Autosave.objects.filter(user=request.user, article=article).first()
    form = context.get("adminform") and context["adminform"].form
    restored = form is not None and getattr(form, "restored", None) is not None
    if autosave is None:
        return {}
    return {
        "autosave": autosave,
        "autosave_restored": restored,
        "autosave_time": timezone.localtime(autosave.saved_at).strftime("%Y-%m-%d %H:%M"),
        "autosave_outdated": autosave.base_version != article.version,
    }


def _zone_name():
    return timezone.get_current_timezone_name()


def button_label(action):
    return {
        "submit": _("Submit for review"),
        "withdraw": _("Withdraw submission"),
        "send_back": _("Send back"),
        "approve": _("Approve"),
        "publish": _("Publish / schedule"),
        "reschedule": _("Reschedule"),
        "cancel_schedule": _("Cancel schedule"),
        "unpublish": _("Unpublish"),
        "correct": _("Add correction"),
        "working_copy": _("Edit (working copy)"),
        "trash": _("Move to trash"),
        "restore": _("Restore from trash"),
    }.get(action, action)


def _action_label(action):
    labels = {
        "submit": _("submitted for review"),
        "withdraw": _("submission withdrawn"),
        "send_back": _("sent back"),
        "approve": _("approved"),
        "publish": _("published"),
        "reschedule": _("rescheduled"),
        "cancel_schedule": _("schedule cancelled: approved, not scheduled"),
        "unpublish": _("unpublished"),
        "correct": _("correction added"),
        "working_copy": _("working copy opened"),
        "trash": _("moved to trash"),
        "restore": _("restored from trash"),
        "note": _("note added"),
    }
    return labels[action]


class PreviewView(ArticleDetailView):
    """The public article template, for staff, on any article, never cached."""

    def get_queryset(self):
        return Article.objects.select_related("topic", "source", "lead_image").prefetch_related(
            "tags"
        )

    def get_object(self, queryset=None):
        article = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if article.published_at is None:
            # Rendered as if published now; nothing is saved.
            article.published_at = timezone.now()
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = True
        return context


def preview_view(model_admin, request, pk):
    article = get_article(model_admin, request, pk)
    if not workflow.can_preview(request.user, article):
        raise PermissionDenied
    view = never_cache(PreviewView.as_view())
    response = view(request, pk=article.pk, slug=article.slug)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def history_view(model_admin, request, pk):
    """Versions (reversion) and workflow events of one article; pick two to compare."""
    article = get_article(model_admin, request, pk)
    versions = (
        Version.objects.get_for_object(article)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": _("History of “%(title)s”") % {"title": article.title},
        "article": article,
        "versions": versions,
        "events": article.events.select_related("actor"),
        # Restoring edits the article, or opens a working copy of a published one.
        "can_restore": workflow.can_edit(request.user, article)
        or workflow.allowed(request.user, article, "working_copy"),
    }
    return TemplateResponse(request, "admin/articles/article/revisions.html", context)


def compare_view(model_admin, request, pk):
    article = get_article(model_admin, request, pk)
    versions = Version.objects.get_for_object(article)
    try:
        old = versions.select_related("revision").get(pk=int(request.GET.get("a", "")))
        new = versions.select_related("revision").get(pk=int(request.GET.get("b", "")))
    except (ValueError, Version.DoesNotExist) as exc:
        raise Http404(_("Choose two versions of this article.")) from exc
    if old.revision.date_created > new.revision.date_created:
        old, new = new, old
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": _("Changes to “%(title)s”") % {"title": article.title},
        "article": article,
        "old": old,
        "new": new,
        "diffs": version_diff(old, new),
    }
    return TemplateResponse(request, "admin/articles/article/compare.html", context)


def restore_version_view(model_admin, request, pk, version_pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = get_article(model_admin, request, pk)
    version = get_object_or_404(Version.objects.get_for_object(article), pk=version_pk)
    try:
        target = workflow.restore_version(article, version, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(change_url(article))
    messages.success(request, _("The earlier version was restored as a new revision."))
    return redirect(change_url(target))


def readable_fields(version):
    """The fields a person compares, as text: title, standfirst, body, topic, tags, SEO."""
    data = version.field_dict
    topic = Topic.objects.filter(pk=data.get("topic_id")).values_list("name", flat=True).first()
    tag_names = Tag.objects.filter(pk__in=workflow.version_tag_ids(version)).values_list(
        "name", flat=True
    )
    body = strip_tags((data.get("body") or "").replace("</p>", "</p>\n"))
    return {
        _("Title"): data.get("title") or "",
        _("Standfirst"): data.get("standfirst") or "",
        _("Body"): body,
        _("Topic"): topic or "",
        _("Tags"): ", ".join(sorted(tag_names)),
        _("SEO title"): data.get("seo_title") or "",
        _("Meta description"): data.get("meta_description") or "",
        _("Social title"): data.get("social_title") or "",
    }


def version_diff(old, new):
    """[(label, changed, [(kind, text), ...])] with kind in ' ', '+', '-'."""
    before, after = readable_fields(old), readable_fields(new)
    result = []
    for label in before:
        a, b = before[label].splitlines(), after[label].splitlines()
        lines = [(line[0], line[2:]) for line in difflib.ndiff(a, b) if line[:1] in (" ", "+", "-")]
        result.append((label, a != b, lines))
    return result
