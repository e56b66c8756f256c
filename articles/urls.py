from django.urls import path, re_path

from . import feeds, views
from .search.views import SearchView

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    # Date archives: four-digit years and two-digit numeric months, so URLs
    # never depend on the locale.
    path("archive/", views.ArticleArchiveIndexView.as_view(), name="archive"),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArticleMonthArchiveView.as_view(),
        name="archive-month",
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.ArticleDayArchiveView.as_view(),
        name="archive-day",
    ),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("search/", SearchView.as_view(), name="search"),
    # Feeds
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("feeds/json/", feeds.LatestArticlesJsonFeed(), name="feed-json"),
    path("topics/<slug:slug>/rss/", feeds.TopicFeed(), name="topic-rss"),
    path("topics/<slug:slug>/atom/", feeds.TopicAtomFeed(), name="topic-atom"),
    path("topics/<slug:slug>/json/", feeds.TopicJsonFeed(), name="topic-json"),
    path("tags/<slug:slug>/rss/", feeds.TagFeed(), name="tag-rss"),
    path("tags/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag-atom"),
    path("tags/<slug:slug>/json/", feeds.TagJsonFeed(), name="tag-json"),
    path("authors/<slug:slug>/rss/", feeds.AuthorFeed(), name="author-rss"),
    path("authors/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-atom"),
]  # fmt: skip
