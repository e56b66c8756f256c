"""
HTML for images, built from the Image row alone (no storage access, no
query): <picture> with a WebP source and a JPEG fallback, srcset/sizes,
width and height (the page never jumps), lazy loading below the fold and a
high fetch priority for an article's lead image; and the library figures in
article bodies.

An article body stores a library figure as `<figure data-image-id="12"></figure>`
(the sanitizer keeps nothing else of it). `render_body` swaps each for the
figure with its picture, caption and credit, fetching the images of a whole
page (or feed) in one query.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import Image

FIGURE = re.compile(r'<figure data-image-id="(\d+)"></figure>')
# The widths a layout shows a crop at, for the browser to choose a rendition.
SIZES = {
    "lead": "(max-width: 792px) calc(100vw - 2rem), 760px",
    "body": "(max-width: 792px) calc(100vw - 2rem), 760px",
    "featured": "(max-width: 560px) calc(100vw - 2rem), (max-width: 1112px) 50vw, 260px",
    "thumb": "(max-width: 640px) 112px, 200px",
}


def srcset(renditions, absolute=None):
    return ", ".join(f"{absolute(r.url) if absolute else r.url} {r.width}w" for r in renditions)


def picture(
    image,
    crop="full",
    *,
    sizes=SIZES["body"],
    lazy=True,
    priority=False,
    css_class="",
    alt=None,
    default_width=640,
    absolute=None,
):
    """The <picture> element for `image` in `crop`; "" if it has no renditions."""
    jpegs = image.renditions_of(crop, "jpg")
    if not jpegs:
        return ""
    webps = image.renditions_of(crop, "webp")
    fallback = next((r for r in jpegs if r.width >= default_width), jpegs[-1])
    url = (lambda u: absolute(u)) if absolute else (lambda u: u)
    attributes = {
        "src": url(fallback.url),
        "srcset": srcset(jpegs, absolute),
        "sizes": sizes,
        "width": fallback.width,
        "height": fallback.height,
        "alt": image.alt_text if alt is None else alt,
    }
    if css_class:
        attributes["class"] = css_class
    if lazy and not priority:
        attributes["loading"] = "lazy"
    attributes["decoding"] = "async"
    if priority:
        attributes["fetchpriority"] = "high"
    img = "<img " + " ".join(f'{k}="{escape(v)}"' for k, v in attributes.items()) + ">"
    source = ""
    if webps:
        source = format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">', srcset(webps, absolute), sizes
        )
    return mark_safe(f"<picture>{source}{img}</picture>")


def credit_html(credit):
    if not credit:
        return ""
    return format_html(
        '<span class="credit">{}</span>',
        _("Photo: %(credit)s") % {"credit": credit},
    )


def figure(image, *, caption=None, crop="full", sizes=SIZES["body"], lazy=True, priority=False,
           css_class="figure", absolute=None):  # fmt: skip
    """<figure> with the picture, the caption (or `caption`, an override) and the credit."""
    body = picture(image, crop, sizes=sizes, lazy=lazy, priority=priority, absolute=absolute)
    if not body:
        return ""
    text = image.caption if caption in (None, "") else caption
    parts = []
    if text:
        parts.append(format_html('<span class="caption">{}</span>', text))
    if image.credit:
        parts.append(credit_html(image.credit))
    figcaption = mark_safe(f"<figcaption>{' '.join(parts)}</figcaption>") if parts else ""
    return format_html('<figure class="{}">{}{}</figure>', css_class, body, figcaption)


def figure_ids(html):
    return [int(n) for n in FIGURE.findall(html or "")]


def images_for(bodies, *, only_redistributable=False):
    """{id: Image} for every library figure in `bodies`: one query, none when there are none."""
    ids = {n for body in bodies for n in figure_ids(body)}
    if not ids:
        return {}
    images = Image.objects.filter(pk__in=ids)
    if only_redistributable:
        images = images.filter(redistributable=True)
    return {image.pk: image for image in images}


def render_body(html, images=None, *, absolute=None):
    """The body with each library figure rendered; figures of unknown images are dropped."""
    if not html or "data-image-id" not in html:
        return mark_safe(html or "")
    if images is None:
        images = images_for([html])

    def replace(match):
        image = images.get(int(match.group(1)))
        if image is None:
            return ""
        return str(figure(image, css_class="figure body-figure", absolute=absolute))

    return mark_safe(FIGURE.sub(replace, html))
