"""
The admin's import page: editors upload a file or paste a feed URL and get
the same summary as the import_articles command. Imported reprints and feed
items land as drafts, in the review queue. The importer applies the desk's
rules for the user (articles.ingest.importer): only what they could change
in the desk is changed, a writer's imports are drafts, and published
articles are never edited in place by someone who may not publish.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.models import Source, Topic

from .formats import DEFAULT_FEED_TOPIC
from .importer import import_documents
from .messages import translate_line
from .sources import StreamDocument, UrlDocument

# Larger archives take longer than a web request should: use the command.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An import creates articles and may update earlier imports.
REQUIRED_PERMISSIONS = ("articles.add_article", "articles.change_article")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A reprint page (.txt), an RSS or Atom feed (.xml) or JSON Lines (.jsonl)."),
    )
    url = forms.URLField(
        label=_("Feed URL"),
        required=False,
        assume_scheme="https",
        help_text=_("Or the http(s) address of an RSS or Atom feed."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("auto", _("Detect")),
            ("reprint", _("Reprint page")),
            ("feed", _("RSS or Atom feed")),
            ("jsonl", _("JSON Lines")),
        ],
        initial="auto",
        required=False,
    )
    topic = forms.ModelChoiceField(
        label=_("Topic for feed items"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=DEFAULT_FEED_TOPIC,
        help_text=_("Feeds do not say which of our topics an item belongs to."),
    )
    source = forms.ModelChoiceField(
        label=_("Source of feed items"),
        queryset=Source.objects.all(),
        required=False,
        help_text=_("The outlet the feed comes from (sources are managed in the admin)."),
    )
    publish = forms.BooleanField(
        label=_("Publish"),
        required=False,
        help_text=_(
            "Publish imported reprints and feed items instead of leaving them as drafts "
            "(JSON Lines keep their own status). Needs the permission to publish."
        ),
    )
    strict = forms.BooleanField(
        label=_("Strict"),
        required=False,
        help_text=_("Import nothing at all if any item has an error."),
    )
    reverse_takedowns = forms.BooleanField(
        label=_("Reverse takedowns"),
        required=False,
        help_text=_(
            "Let this import republish articles an editor unpublished and restore articles "
            "from the trash when the file says so. Chief editors only; use it to restore an "
            "archive, never for wire copy."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_publish = workflow.can_publish(user)
        if not self.may_publish:
            self.fields["publish"].disabled = True
            self.fields["publish"].help_text = _(
                "You may not publish: everything you import lands as a draft."
            )
        if not user.has_perm("articles.reverse_takedown"):
            del self.fields["reverse_takedowns"]

    def clean(self):
        data = super().clean()
        upload, url = data.get("file"), data.get("url")
        if bool(upload) == bool(url):
            if not self.errors:
                raise forms.ValidationError(_("Upload a file or give a feed URL (one of the two)."))
        elif upload and upload.size > MAX_UPLOAD_BYTES:
            self.add_error(
                "file",
                _("The file is larger than %(limit)d MB; import it with manage.py import_articles.")
                % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return data

    def document(self):
        upload = self.cleaned_data["file"]
        if upload:
            return StreamDocument(upload.name, upload.file, content_type=upload.content_type or "")
        return UrlDocument(self.cleaned_data["url"])


def import_view(request, model_admin):
    if not all(request.user.has_perm(permission) for permission in REQUIRED_PERMISSIONS):
        raise PermissionDenied
    summary = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            # The importer applies the desk's rules for this user, item by item.
            summary = import_documents(
                [form.document()],
                publish=data["publish"] and form.may_publish,
                reverse_takedowns=data.get("reverse_takedowns", False),
                strict=data["strict"],
                format=data["format"] or "auto",
                topic=data["topic"].name if data["topic"] else "",
                source=data["source"].name if data["source"] else "",
                user=request.user,
            )
    else:
        form = ImportForm(user=request.user)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": _("Import articles"),
        "form": form,
        "summary": summary,
        # The importer's lines, in the desk's language (articles/ingest/messages.py).
        "failure_lines": [translate_line(line) for line in summary.failures] if summary else [],
        "notice_lines": [translate_line(line) for line in summary.notices] if summary else [],
        "drafts_url": reverse("admin:articles_article_changelist") + "?status__exact=draft",
    }
    return TemplateResponse(request, "admin/articles/article/import.html", context)


def import_urls(model_admin):
    """URL patterns for ArticleAdmin.get_urls(): the import page, behind the admin login."""

    def view(request):
        return import_view(request, model_admin)

    return [
        path(
            "import/",
            model_admin.admin_site.admin_view(view),
            name="articles_article_import",
        )
    ]
