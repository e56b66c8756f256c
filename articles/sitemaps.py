from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from images.sitemaps import IMAGE_FIELDS, ImageSitemapMixin

from .cache import CachedCountPaginator
from .models import LIVE, Article, Topic
from .selectors import edge_value, last_article_change, scalar_values
from .text import strip_invalid_xml_chars

NEWS_SITEMAP_WINDOW = timedelta(hours=48)


class LastChangeMixin:
    """
    Django dates a sitemap (Last-Modified) by its newest lastmod, which a
    removal does not move, so If-Modified-Since would hide an unpublished or
    expired article. Date it by the last change to any article instead.
    """

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        self.latest_lastmod = self.last_change()
        return urls

    def last_change(self):
        return last_article_change()


class ArticleSitemap(ImageSitemapMixin, LastChangeMixin, Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .select_related("lead_image")
            .only("slug", "published_at", "updated_at", *IMAGE_FIELDS)
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)

    def get_latest_lastmod(self):
        # For the index: one aggregate, not every published article loaded
        # to take the max in Python (Django's default).
        latest = self.items().aggregate(updated=Max("updated_at"), published=Max("published_at"))
        return max((m for m in latest.values() if m is not None), default=None)

    @property
    def paginator(self):
        # Counted once per content change, like the public lists.
        return CachedCountPaginator(self._items(), self.limit, count_key="sitemap:articles")


class TopicSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6

    def items(self):
        return Topic.objects.all()


class StaticSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return ["articles:home", "articles:archive"]

    def location(self, name):
        return reverse(name)


class NewsSitemap(ImageSitemapMixin, LastChangeMixin, Sitemap):
    """Google News sitemap: articles published in the last 48 hours."""

    limit = 1000

    def items(self):
        since = timezone.now() - NEWS_SITEMAP_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .select_related("lead_image")
            .only("slug", "title", "published_at", "updated_at", *IMAGE_FIELDS)
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            # Rows written behind Article.save() (imports, SQL) may carry
            # characters XML cannot; one would make the whole sitemap unreadable.
            url["title"] = strip_invalid_xml_chars(url["item"].title)
        return urls

    def last_change(self):
        # An article leaving the 48-hour window changes the sitemap too.
        since = timezone.now() - NEWS_SITEMAP_WINDOW
        left = scalar_values(
            at=edge_value(
                Article.objects.filter(LIVE, published_at__lt=since), "published_at", last=True
            )
        )["at"]
        moments = [super().last_change(), left and left + NEWS_SITEMAP_WINDOW]
        return max((m for m in moments if m is not None), default=None)


SITEMAPS = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "static": StaticSitemap,
}
