"""
Images in API answers. Anonymous callers get none; partners get the images
that are marked redistributable (images.models.Image.redistributable), as
the feeds do:

- `body`: the library figures of the text, with absolute URLs; figures of
  images that may not be redistributed are left out (full_text_html);
- `images`: what API_IMAGES_PROVIDER returns, by default the lead image
  (lead_images).

API_IMAGES_PROVIDER is the dotted path of a callable

    provider(articles: list[Article]) -> dict[article id, list[dict]]

called once per answer with all of its articles (so a page costs the same
number of queries however many articles it has), never for anonymous
callers; it must return only redistributable images, each dict with the
fields of api.schemas.ImageOut (a relative `url` is made absolute).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from images.feeds import FEED_WIDTH
from images.models import Image
from images.rendering import images_for as figures_for
from images.rendering import render_body


def lead_images(articles):
    """Each article's lead image, if it may be redistributed: one query (none without any)."""
    ids = {article.lead_image_id for article in articles if article.lead_image_id}
    if not ids:
        return {}
    images = Image.objects.filter(pk__in=ids, redistributable=True).in_bulk()
    found = {}
    for article in articles:
        image = images.get(article.lead_image_id)
        rendition = image.rendition("full", FEED_WIDTH, "jpg") if image else None
        if rendition is None:
            continue
        found[article.pk] = [
            {
                "url": rendition.url,
                "width": rendition.width,
                "height": rendition.height,
                "alt": image.alt_text,
                "caption": article.lead_image_caption or image.caption,
                "credit": image.credit,
            }
        ]
    return found


def images_provider():
    path = getattr(settings, "API_IMAGES_PROVIDER", None)
    return import_string(path) if path else None


def images_for(articles, access, *, absolute):
    """{article id: [image dict]} for the articles a caller may see images of."""
    if not access.redistributable_images or not articles:
        return {}
    provider = images_provider()
    if provider is None:
        return {}
    found = provider(list(articles))
    for images in found.values():
        for image in images:
            image["url"] = absolute(image["url"])
    return found


def body_figures(articles, access):
    """The redistributable library figures of the articles' bodies: one query, or none."""
    if not access.full_text:
        return {}
    return figures_for([article.body_html for article in articles], only_redistributable=True)


def full_text_html(article, figures, *, absolute):
    """The body as partners get it: sanitized, figures rendered with absolute URLs."""
    return str(render_body(article.body_html, figures, absolute=absolute))
