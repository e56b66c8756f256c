"""
The image library: one row per distinct picture (by content hash), with the
metadata a newsroom needs (alt text, caption, credit, redistribution rights,
focal point) and the list of renditions made for it at upload.

Renditions are described on the row (`renditions`, see images.processing), so
a page that shows an image builds its <picture> from the row alone: no query
per rendition and no look at the storage to see whether a file exists.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from articles.models import Tag

from . import processing

unit_interval = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Image(models.Model):
    file = models.FileField(
        _("file"),
        max_length=255,
        editable=False,
        help_text=_("The master copy: re-encoded at upload, without EXIF, in sRGB."),
    )
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    sha256 = models.CharField(
        _("content hash"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("SHA-256 of the uploaded file: the same file uploaded twice is one image."),
    )
    title = models.CharField(_("title"), max_length=200)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the picture shows, for readers who cannot see it. Required before an "
            "article using the image can be published."
        ),
    )
    caption = models.TextField(_("caption"), max_length=1000, blank=True)
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_("摄影 / 图片来源, e.g. 新华社记者 张三."),
    )
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    redistributable = models.BooleanField(
        _("may be redistributed"),
        default=True,
        help_text=_("Images we may not redistribute stay out of the feeds."),
    )
    focal_x = models.FloatField(
        _("focal point (x)"),
        default=0.5,
        validators=unit_interval,
        help_text=_("0 = left edge, 1 = right edge. Crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point (y)"),
        default=0.5,
        validators=unit_interval,
        help_text=_("0 = top edge, 1 = bottom edge."),
    )
    renditions = models.JSONField(_("renditions"), default=dict, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    tags = TaggableManager(through="TaggedImage", blank=True, verbose_name=_("tags"))

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        indexes = [models.Index(fields=["-uploaded_at", "-id"], name="image_uploaded_idx")]

    def __str__(self):
        return self.title

    # What templates and feeds read: all from the row, no storage access.

    def rendition(self, crop, width=None, fmt="jpg"):
        """The rendition of `crop` closest to `width` (the largest if None): a Rendition or None."""
        return processing.pick(self, crop, width, fmt)

    def renditions_of(self, crop, fmt):
        return processing.renditions_of(self, crop, fmt)

    @property
    def thumbnail_url(self):
        rendition = self.rendition("4x3", 320, "jpg") or self.rendition("full", 320, "jpg")
        return rendition.url if rendition else ""

    @property
    def credit_line(self):
        return self.credit


class TaggedImage(ItemBase):
    """Image tags share the articles' tag table (one vocabulary for the newsroom)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_images")
    content_object = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("tagged image")
        verbose_name_plural = _("tagged images")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_image_tag")
        ]


class ImageUsage(models.Model):
    """
    Where an image is used: as an article's lead image or inside its body.
    Kept in step with the articles (images.usage); protects the image from
    deletion while any article uses it.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("lead image")
        BODY = "body", _("in the body")

    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="usages")
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="image_usages"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("image use")
        verbose_name_plural = _("image uses")
        constraints = [
            models.UniqueConstraint(fields=["image", "article", "role"], name="unique_image_use")
        ]

    def __str__(self):
        return f"{self.article} ({self.get_role_display()})"
