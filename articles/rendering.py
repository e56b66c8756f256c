"""
Article HTML rendered once per version and kept in the cache (issue 16):
the body of an article page or a feed item, and an article's item in a list.

A key names everything the HTML is made from, so a stored copy is never
stale and needs no purge: the article's id and version, a hash of the text
itself (a write around save(), which does not count a version, still changes
it), the language (captions say "Photo: …"), the variant (page, or a feed
with its absolute URLs) and, for figures and pictures, a digest of the
library images they show. A list item's key also holds a digest of its
template's source, so editing the template renews them; RENDER_VERSION
changes every key when the code that makes the HTML changes: bump it then.

Only published articles reach these functions (the views and feeds select
them through `published()`), and a key holds the text it was rendered from,
so a draft's text cannot come out under a published article's key. When the
cache is down (newsroom.resilience answers None), the HTML is rendered as if
nothing was stored.
"""

import hashlib
from functools import cache as once

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from images.rendering import figure_ids, images_for, render_body

from .text import render_body as sanitized

RENDER_VERSION = 1
BODY_KEY_PREFIX = "newsroom:body"
ITEM_KEY_PREFIX = "newsroom:item"
# Keys never go stale (they name their inputs): this only bounds the memory.
RENDER_CACHE_SECONDS = 7 * 24 * 3600
ITEM_TEMPLATE = "articles/_article_item.html"


def _digest(*parts):
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def image_state(image):
    """What a picture or figure reads of an image, as a short digest ('' for none)."""
    if image is None:
        return ""
    return _digest(
        image.pk,
        image.width,
        image.height,
        image.alt_text,
        image.caption,
        image.credit,
        image.redistributable,
        sorted(image.renditions.items())
        if isinstance(image.renditions, dict)
        else image.renditions,
    )


def body_images(article, *, only_redistributable=False):
    """The library images of the body's figures: one query, none without figures."""
    return images_for([article.body], only_redistributable=only_redistributable)


def body_key(article, images, variant):
    figures = sorted(set(figure_ids(article.body)))
    state = [image_state(images.get(pk)) for pk in figures]
    return (
        f"{BODY_KEY_PREFIX}:{RENDER_VERSION}:{article.pk}:{article.version}:"
        f"{translation.get_language()}:{_digest(variant, article.body, *state)}"
    )


def rendered_body(article, images=None, *, absolute=None, variant="page"):
    """
    The body as a page (or, with `absolute` and a `variant` naming the site,
    a feed) shows it: sanitized, library figures rendered. `images` are the
    figures' images (body_images); fetched when not given.
    """
    if images is None:
        images = body_images(article)
    key = body_key(article, images, variant)
    html = cache.get(key)
    if html is None:
        html = str(render_body(sanitized(article.body), images, absolute=absolute))
        cache.set(key, html, RENDER_CACHE_SECONDS)
    return mark_safe(html)


@once
def item_template_version():
    """A digest of the list item's template source, read once per process."""
    return _digest(get_template(ITEM_TEMPLATE).template.source)[:8]


def item_key(article, context_key):
    topic, source = article.topic, article.source
    return (
        f"{ITEM_KEY_PREFIX}:{RENDER_VERSION}.{item_template_version()}:{article.pk}:{article.version}:"
        f"{translation.get_language()}:"
        + _digest(
            context_key,
            timezone.get_current_timezone_name(),
            article.slug,
            article.title,
            article.standfirst,
            article.published_at.isoformat(),
            topic.pk,
            topic.name,
            topic.slug,
            source.name if source else "",
            image_state(article.lead_image),
        )
    )


def rendered_items(articles, *, item_heading="h2"):
    """
    The list items (<li>) of `articles`, each rendered once per version and
    kept: one cache round trip for the whole list, the missing ones rendered
    and stored together. `articles` carry topic, source and lead_image
    (for_listing()).
    """
    articles = list(articles)
    if not articles:
        return mark_safe("")
    keys = [item_key(article, item_heading) for article in articles]
    found = cache.get_many(keys)
    template = get_template(ITEM_TEMPLATE)
    missing = {}
    parts = []
    for key, article in zip(keys, articles, strict=True):
        html = found.get(key)
        if html is None:
            html = template.render({"article": article, "item_heading": item_heading})
            missing[key] = html
        parts.append(html)
    if missing:
        cache.set_many(missing, RENDER_CACHE_SECONDS)
    return mark_safe("".join(parts))


def feed_body(article):
    """
    A feed item's full text: the body with absolute figure URLs, only
    redistributable images (attach_figures fetched them for the whole feed).
    """
    from images import feeds as image_feeds

    request = image_feeds.current_request.get()
    images = getattr(article, "feed_figures", None)
    if images is None:
        images = body_images(article, only_redistributable=True)
    site = request.build_absolute_uri("/") if request is not None else ""
    return str(
        rendered_body(article, images, absolute=image_feeds.absolute, variant=f"feed:{site}")
    )
