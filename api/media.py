"""
Images in API responses: the extension point for the images app.

Anonymous callers get no images; partners get the images of each article
that are marked redistributable. There are no images yet (they are being
built in their own app), so by default every article's `images` is [].

The images app plugs in with one setting, API_IMAGES_PROVIDER: the dotted
path of a callable

    provider(articles: list[Article]) -> dict[article id, list[dict]]

called once per response with all of its articles (so a page costs the
same number of queries however many articles it has). It must return only
images that may be redistributed; each dict has the fields of
api.schemas.ImageOut. The API never calls it for anonymous callers.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def images_provider():
    path = getattr(settings, "API_IMAGES_PROVIDER", None)
    return import_string(path) if path else None


def images_for(articles, access):
    """{article id: [image dict]} for the articles a caller may see images of."""
    if not access.redistributable_images or not articles:
        return {}
    provider = images_provider()
    if provider is None:
        return {}
    return provider(list(articles))
