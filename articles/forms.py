from django import forms
from django.db import models
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget

from . import workflow
from .models import BODY_MAX_LENGTH, Article

STANDFIRST_MAX_LENGTH = 1_000
# The body editor: what the default preset offered, plus the image library's
# button (images app), which inserts <figure data-image-id="…"></figure>.
BODY_EDITOR_EXTENSIONS = {
    "Blockquote": True,
    "Bold": True,
    "BulletList": True,
    "Heading": {"levels": [2, 3, 4]},
    "HorizontalRule": True,
    "Italic": True,
    "Link": True,
    "ListItem": True,
    "OrderedList": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Underline": True,
    "HTML": True,
    "SpecialCharacters": True,
    "LibraryImage": {
        "chooserUrl": reverse_lazy("admin:images_image_changelist"),
        "infoUrl": reverse_lazy("admin:images_image_info", args=[0]),
    },
}


def https_by_default(field, **kwargs):
    """Form fields for model fields; a URL typed without a scheme means https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class KeptOrderField(forms.IntegerField):
    """The featured order; left empty or out of the form, it keeps what it was."""

    def has_changed(self, initial, data):
        return data not in self.empty_values and super().has_changed(initial, data)


class ArticleAdminForm(forms.ModelForm):
    """
    The article form of the desk. `base_version` carries the version the
    editor started from: saving over a newer version is refused (no lost
    update), and the editor's text stays in the form. Status and publication
    times are not here: only the workflow functions change them.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The user saving, set by the admin (ArticleAdmin.get_form).
    user = None
    # An Autosave to open the form with ("restore"), set by the admin.
    restored = None

    class Meta:
        model = Article
        formfield_callback = https_by_default
        field_classes = {"featured_order": KeptOrderField}
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "topic",
            "tags",
            "byline",
            "source",
            "source_url",
            "featured",
            "featured_order",
            "pinned_until",
            "lead_image",
            "lead_image_caption",
            "seo_title",
            "meta_description",
            "social_title",
        ]
        widgets = {
            "body": AdminProseEditorWidget(
                preset="configurable", config={"extensions": BODY_EDITOR_EXTENSIONS}
            ),
            "meta_description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "featured_order" in self.fields:
            self.fields["featured_order"].required = False
        if self.instance.pk and not self.is_bound:
            self.fields["base_version"].initial = self.instance.version
            if self.restored is not None:
                data = {k: v for k, v in self.restored.data.items() if k in self.fields}
                self.initial.update(data)
                self.fields["base_version"].initial = self.restored.base_version

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        if len(body) > BODY_MAX_LENGTH:
            raise forms.ValidationError(
                _("The body is too long: %(length)d characters, at most %(max)d.")
                % {"length": len(body), "max": BODY_MAX_LENGTH}
            )
        return body

    def clean_featured_order(self):
        # Left empty: the order it had (0 for a new article).
        order = self.cleaned_data.get("featured_order")
        return self.instance.featured_order if order is None else order

    def clean_standfirst(self):
        standfirst = self.cleaned_data.get("standfirst", "")
        if len(standfirst) > STANDFIRST_MAX_LENGTH:
            raise forms.ValidationError(
                _("The standfirst is too long: %(length)d characters, at most %(max)d.")
                % {"length": len(standfirst), "max": STANDFIRST_MAX_LENGTH}
            )
        return standfirst

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            # The save service's own check, under its row lock: the state,
            # the permission and the version the editor started from.
            workflow.check_edit(self.user, self.instance.pk, cleaned.get("base_version"))
        return cleaned


DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class CurationForm(forms.ModelForm):
    """
    A row of the desk's change list: homepage curation (置顶), for users who
    may publish (ArticleAdmin.get_changelist_instance). Saved through
    workflow.curate, which checks the permission again.
    """

    class Meta:
        model = Article
        fields = workflow.CURATION_FIELDS
        # One compact input for the pin (the browser's date and time picker),
        # in the site's time zone, so the list stays readable.
        field_classes = {"pinned_until": forms.DateTimeField}
        widgets = {
            "pinned_until": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pinned_until"].input_formats = DATETIME_INPUT_FORMATS


class PublishForm(forms.Form):
    """Publish now, or at a time, in the site's time zone."""

    publish_at = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        label=_("Publish at"),
    )
    expires_at = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        label=_("Expire at"),
    )
    note = forms.CharField(required=False, max_length=5000)


class RescheduleForm(forms.Form):
    """A scheduled article's new time, in the site's time zone."""

    reschedule_at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        label=_("New publication time"),
    )


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class CorrectionForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea, label=_("Correction"))
