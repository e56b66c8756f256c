"""What crawlers and social sites read about an article's lead image: og:image and JSON-LD."""

from .processing import MIME_TYPES

JSON_LD_CROPS = ("16x9", "4x3", "1x1")


def og_image(image, absolute):
    """{url, width, height, type, alt} of the 1200×630 social card, or None."""
    if image is None:
        return None
    rendition = image.rendition("og", None, "jpg")
    if rendition is None:
        return None
    return {
        "url": absolute(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "type": MIME_TYPES["jpg"],
        "alt": image.alt_text or image.title,
    }


def json_ld_images(image, absolute):
    """
    NewsArticle.image: the picture in 16:9, 4:3 and 1:1, each in its largest
    rendition (Google's Article guidelines ask for the three ratios, high
    resolution), as ImageObjects carrying the credit.
    """
    if image is None:
        return []
    objects = []
    for crop in JSON_LD_CROPS:
        rendition = image.rendition(crop, None, "jpg")
        if rendition is None:
            continue
        data = {
            "@type": "ImageObject",
            "url": absolute(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
        }
        if image.caption:
            data["caption"] = image.caption
        if image.credit:
            data["creditText"] = image.credit
            data["copyrightNotice"] = image.credit
        objects.append(data)
    return objects
