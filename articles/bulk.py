"""
Bulk actions on the article list: approve, publish now, schedule, move to a
topic, add a tag, trash. Each runs the workflow's own function on each
article in turn, in its own transaction, with the same checks as the
single-article desk (TRANSITIONS through `workflow.check`); a refusal is
reported for that article and the others go on. Topic and tag changes are
edits: they go through `workflow.bulk_edit` (save_article: the edit rule,
revision, version, event, search index and cache), so a published article
is refused (it changes through a working copy) and an approved one goes
back to review, exactly as when its form is saved.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from . import workflow
from .models import Topic

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        input_formats=DATETIME_FORMATS,
        label=gettext_lazy("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_publish_at(self):
        at = self.cleaned_data["publish_at"]
        if at <= timezone.now():
            raise ValidationError(_("Choose a time in the future, or publish now."))
        return at


class TopicForm(forms.Form):
    topic = forms.ModelChoiceField(Topic.objects.all(), label=gettext_lazy("Topic"))


class TagForm(forms.Form):
    tag = forms.CharField(max_length=100, label=gettext_lazy("Tag"))

    def clean_tag(self):
        tag = self.cleaned_data["tag"].strip()
        if not tag or "," in tag:
            raise ValidationError(_("Enter one tag name (no commas)."))
        return tag


class Report:
    """What happened to each article of a bulk action, for one message."""

    def __init__(self, done_label):
        self.done_label = done_label  # ngettext_lazy(..., "count")
        self.done = 0
        self.unchanged = []
        self.refused = []

    def run(self, article, step):
        """`step(article)` in its own transaction; True when done, None when nothing to do."""
        try:
            with transaction.atomic():
                result = step(article)
        except (ValidationError, PermissionDenied) as refusal:
            reason = "; ".join(getattr(refusal, "messages", None) or [str(refusal)])
            self.refused.append((article.title, reason))
            return
        if result is False:
            self.unchanged.append(article.title)
        else:
            self.done += 1

    def send(self, request):
        parts = [self.done_label % {"count": self.done}]
        if self.unchanged:
            parts.append(
                ngettext(
                    "%(count)d unchanged: %(titles)s",
                    "%(count)d unchanged: %(titles)s",
                    len(self.unchanged),
                )
                % {
                    "count": len(self.unchanged),
                    "titles": _(", ").join(quoted(title) for title in self.unchanged),
                }
            )
        if self.refused:
            reasons = _("; ").join(
                _("%(title)s — %(reason)s") % {"title": quoted(title), "reason": reason}
                for title, reason in self.refused
            )
            parts.append(
                ngettext(
                    "%(count)d refused: %(reasons)s",
                    "%(count)d refused: %(reasons)s",
                    len(self.refused),
                )
                % {"count": len(self.refused), "reasons": reasons}
            )
        if self.refused:
            level = messages.WARNING if self.done else messages.ERROR
        else:
            level = messages.SUCCESS
        messages.add_message(request, level, _("; ").join(parts))


def quoted(title):
    return _("“%(title)s”") % {"title": title}


def _each(request, queryset, done_label, step):
    report = Report(done_label)
    # Oldest first and one at a time: each article is re-read under its lock
    # by the workflow function, so a list older than the article is harmless.
    for article in queryset.select_related("working_copy_of").order_by("pk"):
        report.run(article, step)
    report.send(request)


def kept_expiry(article, at):
    """The expiry the desk's publish form would offer: the article's, if still after `at`."""
    expires = article.expires_at
    return expires if expires is not None and expires > (at or timezone.now()) else None


def limited(action):
    """
    Refuse a selection larger than DESK_BULK_MAX_ARTICLES before anything
    runs: one request works through the articles one by one, and must end
    well within the server's timeout to report what it did.
    """

    @wraps(action)
    def run(model_admin, request, queryset):
        count = queryset.count()
        limit = settings.DESK_BULK_MAX_ARTICLES
        if count > limit:
            messages.error(
                request,
                _(
                    "%(count)d articles selected: a bulk action takes at most %(limit)d at a "
                    "time. Narrow the list with the filters and run it again."
                )
                % {"count": count, "limit": limit},
            )
            return None
        return action(model_admin, request, queryset)

    return run


# The actions -------------------------------------------------------------------------


@limited
def approve(model_admin, request, queryset):
    _each(
        request,
        queryset,
        ngettext_lazy("%(count)d approved", "%(count)d approved", "count"),
        lambda article: workflow.approve(article, by=request.user),
    )


@limited
def publish_now(model_admin, request, queryset):
    def step(article):
        # A scheduled article is brought forward to now; one published
        # before keeps its publication time (workflow.publish).
        expires = None if article.working_copy_of_id else kept_expiry(article, None)
        workflow.publish(article, by=request.user, expires_at=expires)

    _each(
        request,
        queryset,
        ngettext_lazy("%(count)d published", "%(count)d published", "count"),
        step,
    )


@limited
def schedule(model_admin, request, queryset):
    form = ScheduleForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            model_admin,
            request,
            queryset,
            form,
            title=_("Schedule the selected articles"),
            action="schedule_selected",
            help_text=_("The time is in the site's time zone (%(zone)s).")
            % {"zone": timezone.get_current_timezone_name()},
        )
    at = form.cleaned_data["publish_at"]

    def step(article):
        if workflow.state_of(article) == workflow.SCHEDULED:
            # The single desk's *Reschedule*: the expiry stays.
            workflow.reschedule(article, by=request.user, at=at)
        else:
            workflow.publish(article, by=request.user, at=at, expires_at=kept_expiry(article, at))

    _each(
        request,
        queryset,
        ngettext_lazy("%(count)d scheduled", "%(count)d scheduled", "count"),
        step,
    )


@limited
def move_to_topic(model_admin, request, queryset):
    form = TopicForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            model_admin,
            request,
            queryset,
            form,
            title=_("Move the selected articles to a topic"),
            action="move_to_topic",
            help_text=_(
                "Each article is edited as in its form: published articles change through "
                "a working copy, approved ones go back to review."
            ),
        )
    topic = form.cleaned_data["topic"]
    comment = _("Moved to the topic “%(topic)s”") % {"topic": topic.name}
    _each(
        request,
        queryset,
        ngettext_lazy("%(count)d moved", "%(count)d moved", "count"),
        lambda article: workflow.bulk_edit(article, by=request.user, topic=topic, comment=comment),
    )


@limited
def add_tag(model_admin, request, queryset):
    form = TagForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return intermediate(
            model_admin,
            request,
            queryset,
            form,
            title=_("Add a tag to the selected articles"),
            action="add_tag",
            help_text=_(
                "An existing tag or a new one. Each article is edited as in its form: "
                "published articles change through a working copy, approved ones go back "
                "to review."
            ),
        )
    tag = form.cleaned_data["tag"]
    comment = _("Tag “%(tag)s” added") % {"tag": tag}
    _each(
        request,
        queryset,
        ngettext_lazy("%(count)d tagged", "%(count)d tagged", "count"),
        lambda article: workflow.bulk_edit(article, by=request.user, add_tag=tag, comment=comment),
    )


@limited
def trash(model_admin, request, queryset):
    _each(
        request,
        queryset.filter(deleted_at__isnull=True),
        ngettext_lazy("%(count)d moved to the trash", "%(count)d moved to the trash", "count"),
        lambda article: workflow.trash(article, by=request.user),
    )


def intermediate(model_admin, request, queryset, form, *, title, action, help_text):
    """The page between choosing an action and running it: asks for the time, topic or tag."""
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "form": form,
        "articles": list(queryset.order_by("pk")[:200]),
        "count": queryset.count(),
        "action": action,
        "help_text": help_text,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/articles/article/bulk_action.html", context)


@limited
def restore(model_admin, request, queryset):
    _each(
        request,
        queryset.filter(deleted_at__isnull=False),
        ngettext_lazy(
            "%(count)d restored from the trash", "%(count)d restored from the trash", "count"
        ),
        lambda article: workflow.restore(article, by=request.user),
    )
