"""
The image library in the desk: a grid of thumbnails with search and
filters, the add form (one file and its metadata) and the upload page
(several files at once, with progress), the change form with the focal point
picked by clicking the picture and the list of articles using the image,
and the chooser (the grid in a popup) used by the article form's lead image
field and the body editor's image button.

Writers upload images and edit the metadata of their own uploads; editors
edit any image. An image that articles use cannot be deleted: Django's
delete page lists those articles instead (the uses are protected foreign keys).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.forms import https_by_default

from . import processing, services, views
from .models import Image, ImageUsage


class ImageAddForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Image file"),
        help_text=_("JPEG, PNG, GIF (still) or WebP, up to %(size)d MB and 50 megapixels.")
        % {"size": 20},
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )

    class Meta:
        model = Image
        formfield_callback = https_by_default
        fields = ["title", "alt_text", "caption", "credit", "source_url", "redistributable", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the file's name.")

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        limit = processing.max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{upload.size / 1e6:.1f}", "limit": f"{limit / 1e6:.0f}"}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None or self.errors:
            return cleaned
        metadata = {
            name: cleaned[name]
            for name in ("alt_text", "caption", "credit", "source_url", "redistributable")
            if name in cleaned
        }
        if cleaned.get("title"):
            metadata["title"] = cleaned["title"]
        # Adding is this form's whole job, and its failures are the editor's
        # to read here, with the rest of the form kept: a refused file, or a
        # storage that cannot be reached (nothing is left behind either way).
        try:
            self.added = services.add_image(
                upload.read(), filename=upload.name, user=self.user, **metadata
            )
        except processing.ImageRefused as refused:
            self.add_error("upload", str(refused))
        except processing.STORAGE_ERRORS as exc:
            self.add_error(
                "upload",
                gettext("The image could not be stored (%(error)s); nothing was saved.")
                % {"error": exc},
            )
        return cleaned


class ImageChangeForm(forms.ModelForm):
    class Meta:
        model = Image
        formfield_callback = https_by_default
        fields = [
            "title",
            "alt_text",
            "caption",
            "credit",
            "source_url",
            "redistributable",
            "tags",
            "focal_x",
            "focal_y",
        ]
        widgets = {"focal_x": forms.HiddenInput, "focal_y": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        x, y = cleaned.get("focal_x"), cleaned.get("focal_y")
        if x is None or y is None or self.errors:
            return cleaned
        if (x, y) != (self.initial.get("focal_x"), self.initial.get("focal_y")):
            # The crops follow the focal point: remake them now, so a storage
            # failure is a message on this form (with its text kept), not a 500.
            try:
                services.set_focal_point(self.instance, x, y)
            except processing.STORAGE_ERRORS as exc:
                raise ValidationError(
                    gettext("The new crops could not be stored (%(error)s); try again later.")
                    % {"error": exc}
                ) from exc
        return cleaned


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    change_list_template = "admin/images/image/change_list.html"
    change_form_template = "admin/images/image/change_form.html"
    list_display = ["title", "credit", "uploaded_by", "uploaded_at", "use_count"]
    list_filter = ["uploaded_by", "uploaded_at", "redistributable"]
    search_fields = ["title", "caption", "credit", "alt_text", "tags__name"]
    date_hierarchy = "uploaded_at"
    list_per_page = 48
    actions = None
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["focal_picker", "dimensions", "uploaded", "where_used", "sha256"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ImageChangeForm if obj is not None else ImageAddForm
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        return form_class

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["upload", "title", "alt_text", "caption", "credit"]}),
                (_("Rights"), {"fields": ["source_url", "redistributable", "tags"]}),
            ]
        return [
            (None, {"fields": ["focal_picker", "focal_x", "focal_y"]}),
            (None, {"fields": ["title", "alt_text", "caption", "credit"]}),
            (_("Rights"), {"fields": ["source_url", "redistributable", "tags"]}),
            (_("Where it is used"), {"fields": ["where_used"]}),
            (_("Record"), {"fields": ["dimensions", "uploaded", "sha256"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("uploaded_by")
            .annotate(use_count=Count("usages", distinct=True))
        )

    # Permissions: writers edit what they uploaded; editors anything.

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        return (
            obj is not None
            and obj.uploaded_by_id == request.user.pk
            and request.user.has_perm("images.add_image")
        )

    # Saving ----------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        added = form.added
        form.duplicate = not added.created
        # The admin goes on with `obj`: make it the image in the library.
        for field in Image._meta.concrete_fields:
            setattr(obj, field.attname, getattr(added.image, field.attname))
        obj._state.adding = False
        if form.duplicate:
            messages.warning(request, views.duplicate_message(added.image))
        for note in added.notes:
            messages.info(request, gettext("The image was %(note)s.") % {"note": note})

    def response_add(self, request, obj, post_url_continue=None):
        # On to the new (or already present) image: its focal point and metadata.
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return HttpResponseRedirect(reverse("admin:images_image_change", args=[obj.pk]))

    def save_related(self, request, form, formsets, change):
        if getattr(form, "duplicate", False):
            return  # the library's image keeps its own tags
        super().save_related(request, form, formsets, change)

    # Read-only parts of the change form -----------------------------------------------------

    @admin.display(description=_("focal point"))
    def focal_picker(self, obj):
        rendition = obj.rendition("full", 960, "jpg")
        if rendition is None:
            return "—"
        return format_html(
            '<div class="focal-picker" data-focal-x="{}" data-focal-y="{}">'
            '<img src="{}" width="{}" height="{}" alt="{}">'
            '<span class="focal-dot" aria-hidden="true"></span></div>'
            '<p class="help">{}</p>',
            obj.focal_x,
            obj.focal_y,
            rendition.url,
            rendition.width,
            rendition.height,
            obj.alt_text,
            gettext(
                "Click the picture on what must stay in view: the 16:9, 4:3 and square crops "
                "(lists, the featured block, social cards) are centred there."
            ),
        )

    @admin.display(description=_("size"))
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}"

    @admin.display(description=_("uploaded"))
    def uploaded(self, obj):
        return f"{obj.uploaded_by or '—'} · {obj.uploaded_at:%Y-%m-%d %H:%M}"

    @admin.display(description=_("articles"))
    def where_used(self, obj):
        uses = (
            ImageUsage.objects.filter(image=obj).select_related("article").order_by("-article_id")
        )
        if not uses:
            return gettext("Not used in any article.")
        return format_html(
            '<ul class="where-used">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({})</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[use.article_id]),
                        use.article.title,
                        use.get_role_display(),
                    )
                    for use in uses
                ),
            ),
        )

    @admin.display(description=_("used in"), ordering="use_count")
    def use_count(self, obj):
        return obj.use_count

    # Extra pages -------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "upload/",
                wrap(lambda request: views.upload_view(self, request)),
                name="images_image_upload",
            ),
            path(
                "<int:pk>/info/",
                wrap(lambda request, pk: views.info_view(self, request, pk)),
                name="images_image_info",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_upload": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)


class ImageChooserWidget(ForeignKeyRawIdWidget):
    """The lead image field: a thumbnail, "choose from the library" (the grid in a popup), "upload"."""

    template_name = "admin/images/widgets/image_chooser.html"

    class Media:
        js = ["images/desk.js"]
        css = {"all": ["images/desk.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        image = Image.objects.filter(pk=value).first() if value not in (None, "") else None
        context["image"] = image
        context["info_url_template"] = reverse("admin:images_image_info", args=[0])
        context["upload_url"] = reverse("admin:images_image_upload")
        return context

    def label_and_url_for_value(self, value):
        return "", ""  # the thumbnail and title are shown instead


class ImageChooserMixin:
    """For ArticleAdmin: the lead image is chosen from the library."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_image":
            kwargs["widget"] = ImageChooserWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
