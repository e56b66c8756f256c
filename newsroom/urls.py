from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control

from articles.cache_keys import collect
from articles.sitemaps import SITEMAPS, NewsSitemap
from articles.views import RobotsView
from images.views import serve_media
from newsroom.security import security_txt


def sitemap_cache(view):
    """Public cache headers, and the `sitemap` key every publication purges."""
    view = cache_control(public=True, max_age=settings.PUBLIC_CACHE_SECONDS)(view)

    @wraps(view)
    def sitemap_view(request, *args, **kwargs):
        collect("sitemap")
        return view(request, *args, **kwargs)

    return sitemap_view


urlpatterns = [
    # Two-factor login for the desk (accounts/views.py).
    path("admin/two-factor/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path(
        "sitemap.xml",
        sitemap_cache(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        sitemap_cache(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="sitemap-news",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_cache(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    path("api/", include("api.urls")),
    path("", include("previews.urls")),
    path("", include("wire.urls")),
    path("", include("articles.urls")),
]

# Image files from MEDIA_ROOT when no web server serves them (see README).
if (settings.DEBUG or settings.SERVE_MEDIA) and not settings.S3_BUCKET:
    prefix = settings.MEDIA_URL.lstrip("/")
    if prefix and "://" not in settings.MEDIA_URL:
        urlpatterns.insert(0, re_path(rf"^{prefix}(?P<path>.+)$", serve_media, name="media"))

# A database outage met outside a view answers 503, not 500 (newsroom/resilience.py).
handler500 = "newsroom.resilience.server_error"
