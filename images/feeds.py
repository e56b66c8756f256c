"""
Images in the RSS and Atom feeds: the lead image as an enclosure (RSS
<enclosure>, Atom <link rel="enclosure">) and as Media RSS <media:content>
with <media:credit>, and the body's library figures with absolute URLs in
the full content. Images not marked redistributable stay out of the feeds.
"""

import contextvars

from django.utils.feedgenerator import Enclosure

from .processing import rendition_bytes
from .rendering import images_for

MEDIA_NS = "http://search.yahoo.com/mrss/"
FEED_WIDTH = 1280
current_request = contextvars.ContextVar("feed_request", default=None)


def feed_image(image):
    """The lead image's rendition for feeds (JPEG, about 1280 wide), or None."""
    if image is None or not image.redistributable:
        return None
    return image.rendition("full", FEED_WIDTH, "jpg")


def absolute(url):
    request = current_request.get()
    return request.build_absolute_uri(url) if request is not None else url


def enclosures(article):
    rendition = feed_image(article.lead_image)
    if rendition is None:
        return []
    length = rendition_bytes(article.lead_image, rendition) or 0
    return [Enclosure(absolute(rendition.url), str(length), rendition.mime_type)]


def media_content(article):
    image = article.lead_image
    rendition = feed_image(image)
    if rendition is None:
        return None
    return {
        "url": absolute(rendition.url),
        "type": rendition.mime_type,
        "width": str(rendition.width),
        "height": str(rendition.height),
        "credit": image.credit,
        "description": article.lead_image_caption or image.caption or image.alt_text,
    }


def attach_figures(articles):
    """One query for the body figures of a whole feed; each article keeps the map."""
    articles = list(articles)
    found = images_for([a.body for a in articles], only_redistributable=True)
    for article in articles:
        article.feed_figures = found
    return articles


def add_media_elements(handler, media):
    attrs = {k: media[k] for k in ("url", "type", "width", "height")}
    attrs["medium"] = "image"
    handler.startElement("media:content", attrs)
    if media["credit"]:
        handler.addQuickElement("media:credit", media["credit"], {"role": "photographer"})
    if media["description"]:
        handler.addQuickElement("media:description", media["description"])
    handler.endElement("media:content")
