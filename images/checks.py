"""The publication check: every image an article shows needs alt text."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Image
from .rendering import figure_ids


def images_of(article):
    ids = set(figure_ids(article.body))
    if article.lead_image_id:
        ids.add(article.lead_image_id)
    return Image.objects.filter(pk__in=ids).order_by("pk") if ids else Image.objects.none()


def missing_alt_text(article):
    """The images used by `article` (lead and body) that have no alt text yet."""
    return [image for image in images_of(article) if not image.alt_text.strip()]


def require_alt_text(article):
    """Raise ValidationError naming the images without alt text; publish() calls this."""
    missing = missing_alt_text(article)
    if missing:
        names = "、".join(f"“{image.title}” (#{image.pk})" for image in missing)
        raise ValidationError(
            _(
                "Add alt text to every image before publishing (what the picture shows, for "
                "readers who cannot see it). Missing for: %(images)s."
            )
            % {"images": names}
        )
