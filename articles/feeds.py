"""
RSS 2.0, Atom and JSON Feed 1.1: the latest articles, one topic, one tag.

Each item carries a permanent GUID (the article's UUID), its tags as
categories, the standfirst as summary and the sanitized body as full content
(`content:encoded` in RSS, `<content>` in Atom, `content_html` in JSON),
except for reprints whose licence does not allow redistribution (summary
and link only). With WEBSUB_HUB_URLS set, every feed names its hubs
(`<link rel="hub">`, JSON Feed `hubs`), which wire.push pings on publication.
"""

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed, rfc3339_date
from django.utils.html import escape
from django.utils.http import http_date

from images import feeds as image_feeds

from .cache_keys import collect
from .models import Article, Author, Tag, Topic, author_links_prefetch
from .rendering import feed_body
from .selectors import get_by_slug_or_404, last_article_change
from .text import strip_invalid_xml_chars


def xml_safe(value):
    """Strip characters XML 1.0 cannot carry, in strings and lists of strings."""
    if isinstance(value, str):
        return strip_invalid_xml_chars(value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(v) for v in value)
    return value


class XMLSafeFeedMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{k: xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **{k: xml_safe(v) for k, v in kwargs.items()})


class RssWithContentFeed(XMLSafeFeedMixin, Rss201rev2Feed):
    """
    RSS readers take <description> as HTML; the standfirst is plain text, so
    it goes out escaped (a "<b>" typed by an editor shows as "<b>").
    """

    def add_item(self, *args, description=None, **kwargs):
        if description is not None:
            description = escape(description)
        super().add_item(*args, description=description, **kwargs)

    def rss_attributes(self):
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        attrs["xmlns:media"] = image_feeds.MEDIA_NS
        return attrs

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for hub in self.feed.get("hubs") or ():
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])
        if item.get("media"):
            image_feeds.add_media_elements(handler, item["media"])


class AtomWithContentFeed(XMLSafeFeedMixin, Atom1Feed):
    """The standfirst as <summary type="text"> (Django says html), the body as html content."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for hub in self.feed.get("hubs") or ():
            handler.addQuickElement("link", "", {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item.get("description"):
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class JsonFeedGenerator(SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = self.feed
        data = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed.get("language") or "",
        }
        if feed.get("hubs"):
            data["hubs"] = [{"type": "WebSub", "url": hub} for hub in feed["hubs"]]
        data = {key: value for key, value in data.items() if value}
        data["items"] = [self.item(item) for item in self.items]
        outfile.write(json.dumps(data, ensure_ascii=False).encode(encoding))

    @staticmethod
    def item(item):
        entry = {
            "id": item["unique_id"],
            "url": item["link"],
            "title": item["title"],
            "summary": item["description"] or "",
            "date_published": rfc3339_date(item["pubdate"]),
            "date_modified": rfc3339_date(item["updateddate"]),
            "tags": item["categories"] or [],
        }
        # A feed item needs a content; a licence that forbids redistribution leaves the summary.
        if item.get("content"):
            entry["content_html"] = item["content"]
        else:
            entry["content_text"] = item["description"] or item["title"]
        if item.get("external_url"):
            entry["external_url"] = item["external_url"]
        if item.get("author_name"):
            entry["authors"] = [{"name": item["author_name"]}]
        return {key: value for key, value in entry.items() if value not in ("", None, [])}


class ArticleFeed(Feed):
    """Base feed: published articles in a scope, with cache headers."""

    feed_type = RssWithContentFeed
    item_guid_is_permalink = False
    ordering = ("-published_at", "-pk")
    description = settings.SITE_DESCRIPTION

    def scope(self, obj):
        """All articles (any status) this feed draws from."""
        return Article.objects.all()

    def get_object(self, request, *args, **kwargs):
        # The site feeds list every publication (see articles/cache_keys.py).
        collect("feed")
        return None

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Django dates the feed by its newest item; a removal would not move
        # that, so date it by the scope's last change instead.
        last_change = getattr(request, "_feed_last_change", None)
        if last_change:
            response.headers["Last-Modified"] = http_date(last_change.timestamp())
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response

    def get_feed(self, obj, request):
        # Kept on the request: one Feed instance serves every thread.
        request._feed_last_change = self.last_change(obj)
        token = image_feeds.current_request.set(request)  # absolute image URLs
        try:
            return super().get_feed(obj, request)
        finally:
            image_feeds.current_request.reset(token)

    def last_change(self, obj):
        return last_article_change()

    def items(self, obj):
        articles = (
            self.scope(obj)
            .published()
            .select_related("topic", "source", "lead_image")
            .prefetch_related("tags")
            .order_by(*self.ordering)[: settings.FEED_ITEMS]
        )
        # The body figures of all items in one query.
        return image_feeds.attach_figures(articles)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return item.uuid.urn

    def item_author_name(self, item):
        return item.byline or (item.source.name if item.source else None)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item):
        return image_feeds.enclosures(item)

    def item_extra_kwargs(self, item):
        source = item.source
        redistribute = source is None or source.licence_redistribute
        return {
            "content": feed_body(item) if redistribute else None,
            "media": image_feeds.media_content(item),
            "external_url": item.source_url if source is not None else "",
        }

    def feed_extra_kwargs(self, obj):
        return {"hubs": list(settings.WEBSUB_HUB_URLS)}


class LatestArticlesFeed(ArticleFeed):
    def title(self):
        return settings.SITE_NAME

    def link(self):
        return reverse("articles:home")

    def feed_url(self):
        return reverse("articles:feed-rss")


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWithContentFeed
    subtitle = settings.SITE_DESCRIPTION

    def feed_url(self):
        return reverse("articles:feed-atom")


class LatestArticlesJsonFeed(LatestArticlesFeed):
    feed_type = JsonFeedGenerator

    def feed_url(self):
        return reverse("articles:feed-json")


class ScopedFeedMixin:
    model = None
    # The key a publication in this scope purges: topic-<id>, tag-<id>, author-<id>.
    scope_key = None

    def get_object(self, request, slug):
        obj = get_by_slug_or_404(self.model, slug)
        collect(f"{self.scope_key}-{obj.pk}")
        return obj

    def title(self, obj):
        return f"{obj.name} - {settings.SITE_NAME}"

    def link(self, obj):
        return obj.get_absolute_url()


class TopicFeed(ScopedFeedMixin, ArticleFeed):
    model = Topic
    scope_key = "topic"

    def scope(self, obj):
        return Article.objects.filter(topic=obj)

    def description(self, obj):
        return obj.description or settings.SITE_DESCRIPTION

    def feed_url(self, obj):
        return reverse("articles:topic-rss", kwargs={"slug": obj.slug})


class TopicAtomFeed(TopicFeed):
    feed_type = AtomWithContentFeed

    def feed_url(self, obj):
        return reverse("articles:topic-atom", kwargs={"slug": obj.slug})


class TagFeed(ScopedFeedMixin, ArticleFeed):
    model = Tag
    scope_key = "tag"

    def scope(self, obj):
        return Article.objects.filter(tagged_items__tag=obj)

    # As the tag page: walk this tag's links in publication order.
    ordering = ("-tagged_items__published_at", "-tagged_items__content_object_id")

    def feed_url(self, obj):
        return reverse("articles:tag-rss", kwargs={"slug": obj.slug})


class TagAtomFeed(TagFeed):
    feed_type = AtomWithContentFeed

    def feed_url(self, obj):
        return reverse("articles:tag-atom", kwargs={"slug": obj.slug})


class TopicJsonFeed(TopicFeed):
    feed_type = JsonFeedGenerator

    def feed_url(self, obj):
        return reverse("articles:topic-json", kwargs={"slug": obj.slug})


class TagJsonFeed(TagFeed):
    feed_type = JsonFeedGenerator

    def feed_url(self, obj):
        return reverse("articles:tag-json", kwargs={"slug": obj.slug})


class AuthorFeed(ScopedFeedMixin, ArticleFeed):
    """An author's published articles; items name their credited authors."""

    model = Author
    scope_key = "author"

    def scope(self, obj):
        return Article.objects.filter(author_links__author=obj)

    def items(self, obj):
        items = super().items(obj)
        prefetch_related_objects(items, author_links_prefetch())
        return items

    def description(self, obj):
        return obj.bio or settings.SITE_DESCRIPTION

    def item_author_name(self, item):
        names = [author.name for author in item.credited_authors]
        return "、".join(names) or super().item_author_name(item)

    def feed_url(self, obj):
        return reverse("articles:author-rss", kwargs={"slug": obj.slug})


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomWithContentFeed

    def feed_url(self, obj):
        return reverse("articles:author-atom", kwargs={"slug": obj.slug})
