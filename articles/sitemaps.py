from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from .models import Article, Topic

NEWS_SITEMAP_WINDOW = timedelta(hours=48)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


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


class NewsSitemap(Sitemap):
    """Google News sitemap: articles published in the last 48 hours."""

    limit = 1000

    def items(self):
        since = timezone.now() - NEWS_SITEMAP_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "title", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


SITEMAPS = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "static": StaticSitemap,
}
