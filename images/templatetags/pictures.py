"""
{% load pictures %}

    {% picture image "4x3" "thumb" %}                 a lazy <picture> (crop, layout)
    {% picture image "16x9" "featured" lazy=False %}  above the fold
    {% lead_figure article %}                         the article's lead image, caption and credit

All built from the Image row (no query, no storage access); nothing when
there is no image.
"""

from django import template

from images import rendering

register = template.Library()


@register.simple_tag
def picture(image, crop="full", layout="body", lazy=True, css_class=""):
    if image is None:
        return ""
    return rendering.picture(
        image, crop, sizes=rendering.SIZES[layout], lazy=lazy, css_class=css_class
    )


@register.simple_tag
def lead_figure(article):
    image = article.lead_image
    if image is None:
        return ""
    return rendering.figure(
        image,
        caption=article.lead_image_caption,
        sizes=rendering.SIZES["lead"],
        lazy=False,
        priority=True,
        css_class="figure lead-figure",
    )
