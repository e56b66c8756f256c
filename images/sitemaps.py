"""image:image entries for the sitemaps (https://developers.google.com/search/docs/crawling-indexing/sitemaps/image-sitemaps)."""

IMAGE_FIELDS = ("lead_image__renditions", "lead_image__title")


def image_url(image, protocol, domain):
    rendition = image.rendition("full", None, "jpg") if image is not None else None
    if rendition is None:
        return None
    url = rendition.url
    if url.startswith("//"):
        return f"{protocol}:{url}"
    if url.startswith("/"):
        return f"{protocol}://{domain}{url}"
    return url


class ImageSitemapMixin:
    """Adds url["images"]: the article's lead image, absolute, in its largest rendition."""

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        protocol = self.get_protocol(protocol)
        domain = self.get_domain(site)
        for url in urls:
            found = image_url(getattr(url["item"], "lead_image", None), protocol, domain)
            url["images"] = [found] if found else []
        return urls
