"""
The desk's side of spun copy: a list filter for suspected articles, and the
page where an editor confirms which suspect phrases to restore (never done
silently: the phrases are listed, each with its likely original and an
example in context, and the editor ticks them).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles import workflow
from articles.models import Article

from .checks import report_for
from .detector import dictionary

PAIR_SEPARATOR = "\t"


class SpunFilter(admin.SimpleListFilter):
    title = gettext_lazy("spun copy")
    parameter_name = "spun"

    def lookups(self, request, model_admin):
        return [("suspected", gettext_lazy("Suspected spun copy (伪原创)"))]

    def queryset(self, request, queryset):
        if self.value() == "suspected":
            return queryset.filter(spun_check__isnull=False)
        return queryset


def article_report(article):
    return report_for(article.title, article.standfirst, article.body)


def may_restore(user, article):
    """The rule restore_spun_originals applies: an edit, or a working copy of a published one."""
    if workflow.allowed(user, article, "edit"):
        return True
    published = workflow.state_of(article) in (workflow.PUBLISHED, workflow.SCHEDULED)
    return published and workflow.allowed(user, article, "working_copy")


def restore_view(model_admin, request, pk):
    article = get_object_or_404(Article, pk=pk)
    if not model_admin.has_view_permission(request, article) or not may_restore(
        request.user, article
    ):
        raise PermissionDenied
    report = article_report(article)
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    if request.method == "POST":
        known = {(swap.spun, swap.original) for swap in dictionary()}
        chosen = []
        for value in request.POST.getlist("phrase"):
            pair = tuple(value.split(PAIR_SEPARATOR, 1))
            if pair not in known:
                return TemplateResponse(
                    request, "admin/spun/bad_request.html", {"message": _("Unknown phrase.")},
                    status=400,
                )  # fmt: skip
            chosen.append(pair)
        try:
            target, counts = workflow.restore_spun_originals(
                article, by=request.user, phrases=chosen
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(reverse("admin:articles_article_spun", args=[article.pk]))
        messages.success(
            request,
            _("Restored %(count)d phrases to their originals; the earlier text is a revision.")
            % {"count": sum(counts.values())},
        )
        return redirect(reverse("admin:articles_article_change", args=[target.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": _("Restore the originals of spun phrases"),
        "article": article,
        "report": report,
        "separator": PAIR_SEPARATOR,
        "change_url": change_url,
        "published": article.status == Article.Status.PUBLISHED,
    }
    return TemplateResponse(request, "admin/spun/restore.html", context)


def spun_urls(model_admin):
    """URL patterns for ArticleAdmin.get_urls(): the confirm-and-restore page."""

    def view(request, pk):
        return restore_view(model_admin, request, pk)

    return [
        path(
            "<int:pk>/spun/",
            model_admin.admin_site.admin_view(view),
            name="articles_article_spun",
        )
    ]
