"""
The public reading site. Every view reads through `Article.objects.published()`
(via PublishedArticleMixin or ArticleDetailView.get_queryset); none repeats
the publication rule.
"""

from datetime import date, timedelta

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.dates import (
    ArchiveIndexView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)

from images.metadata import json_ld_images, og_image

from .cache import CachedCountPaginator
from .cache_keys import collect
from .models import Article, Author, SlugRedirect, Tag, Topic
from .navigation import archive_crumbs, archive_months, home_crumb
from .related import related_for_page
from .rendering import rendered_body
from .selectors import MAX_SLUG_LENGTH, adjacent_articles, get_by_slug_or_404
from .text import web_url

FEATURED_ARTICLES = 4
# An article edited later than this after its publication shows when.
UPDATED_AFTER = timedelta(minutes=10)

public_cache = method_decorator(
    cache_control(public=True, max_age=settings.PUBLIC_CACHE_SECONDS), name="dispatch"
)


def feed_links(title, rss_url, atom_url):
    return [
        {"title": f"{title} (RSS)", "url": rss_url, "type": "application/rss+xml"},
        {"title": f"{title} (Atom)", "url": atom_url, "type": "application/atom+xml"},
    ]


def site_feed_links():
    return feed_links(
        settings.SITE_NAME, reverse("articles:feed-rss"), reverse("articles:feed-atom")
    ) + [
        {
            "title": f"{settings.SITE_NAME} (JSON Feed)",
            "url": reverse("articles:feed-json"),
            "type": "application/feed+json",
        }
    ]


class PublishedArticleMixin:
    """Published articles, newest first, 20 a page: shared by every list and archive."""

    paginate_by = 20
    date_field = "published_at"
    # Pages 1..N only; ?page=abc or ?page=99999 answer 404 (Django's paginator).
    page_kwarg = "page"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # Counted once per content change: the list is named by view, URL
        # arguments and query parameters (all but the page number).
        params = sorted((k, v) for k, v in self.request.GET.items() if k != self.page_kwarg)
        count_key = f"{type(self).__name__}:{sorted(self.kwargs.items())}:{params}"
        return CachedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            count_key=count_key,
            **kwargs,
        )

    # The top navigation's item for this page: "home", "archive" or a topic's slug.
    current_section = None

    def get_breadcrumbs(self):
        """[(name, url), ...] from the home page to this one; none on the home page."""
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("feed_links", site_feed_links())
        context.setdefault("breadcrumbs", self.get_breadcrumbs())
        context.setdefault("current_section", self.current_section)
        return context


@public_cache
class HomeView(PublishedArticleMixin, ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"
    allow_empty = True
    current_section = "home"

    def get_context_data(self, **kwargs):
        collect("list")
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        if page.number == 1:
            # In the editors' order, without expired pins (the page cache's
            # epoch ends when the next pin expires: selectors.next_scheduled_change).
            context["featured"] = list(
                Article.objects.for_listing().featured_on_home()[:FEATURED_ARTICLES]
            )
        return context


class DateArchiveMixin(PublishedArticleMixin):
    """Year, month and day archives."""

    current_section = "archive"

    def get_breadcrumbs(self):
        # The view's own dates, from the URL (get_dated_items has run by now).
        year, month, day = self.get_year(), self.kwargs.get("month"), self.kwargs.get("day")
        when = dict(year=date(int(year), 1, 1))
        if month:
            when["month"] = date(int(year), int(month), 1)
        if day:
            when["day"] = date(int(year), int(month), int(day))
        return archive_crumbs(**when)

    def get(self, request, *args, **kwargs):
        # Django's date views overflow at the ends of the calendar (the day
        # after 9999-12-31; 0001-01-01 here is before the first UTC datetime):
        # answer 404 rather than 500. No news is dated there.
        if not 1 < int(kwargs["year"]) < 9999:
            raise Http404(_("Date out of range"))
        # The period this page lists: archive-2024, archive-2024-12, archive-2024-12-05.
        collect(
            "-".join(["archive", *(kwargs[k] for k in ("year", "month", "day") if k in kwargs)])
        )
        return super().get(request, *args, **kwargs)


@public_cache
class ArticleArchiveIndexView(PublishedArticleMixin, ArchiveIndexView):
    template_name = "articles/archive_index.html"
    allow_empty = True
    current_section = "archive"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Years and months with their counts, in one query (archive_months),
        # in place of the generic view's list of years.
        self.archive_months = archive_months(queryset)
        return [year for year, _count, _months in self.archive_months]

    def get_breadcrumbs(self):
        return archive_crumbs()

    def get(self, request, *args, **kwargs):
        collect("archive")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["archive_years"] = self.archive_months
        return super().get_context_data(**kwargs)


@public_cache
class ArticleYearArchiveView(DateArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"
    make_object_list = True


@public_cache
class ArticleMonthArchiveView(DateArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
    month_format = "%m"


@public_cache
class ArticleDayArchiveView(DateArchiveMixin, DayArchiveView):
    template_name = "articles/archive_day.html"
    month_format = "%m"


class ScopedListView(PublishedArticleMixin, ListView):
    """A list of published articles narrowed to one topic or tag."""

    context_object_name = "articles"
    allow_empty = True
    scope_model = None
    feed_url_names = ()

    def get_scope(self):
        return get_by_slug_or_404(self.scope_model, self.kwargs["slug"])

    # The key a publication in this scope purges: topic-<id>, tag-<id>, author-<id>.
    scope_key = None

    def get(self, request, *args, **kwargs):
        self.scope = self.get_scope()
        collect(f"{self.scope_key}-{self.scope.pk}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rss, atom = self.feed_url_names
        kwargs["scope"] = self.scope
        kwargs["feed_links"] = (
            feed_links(
                str(self.scope),
                reverse(rss, kwargs={"slug": self.scope.slug}),
                reverse(atom, kwargs={"slug": self.scope.slug}),
            )
            + site_feed_links()
        )
        return super().get_context_data(**kwargs)


@public_cache
class TopicView(ScopedListView):
    template_name = "articles/topic.html"
    scope_model = Topic
    scope_key = "topic"
    feed_url_names = ("articles:topic-rss", "articles:topic-atom")

    def get_breadcrumbs(self):
        return [home_crumb(), (self.scope.name, self.scope.get_absolute_url())]

    def get_context_data(self, **kwargs):
        kwargs["current_section"] = self.scope.slug
        return super().get_context_data(**kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(topic=self.scope)


@public_cache
class TagView(ScopedListView):
    template_name = "articles/tag.html"
    scope_model = Tag
    scope_key = "tag"
    feed_url_names = ("articles:tag-rss", "articles:tag-atom")

    def get_breadcrumbs(self):
        name = _("Tag: %(tag)s") % {"tag": self.scope.name}
        return [home_crumb(), (name, self.scope.get_absolute_url())]

    def get_queryset(self):
        # Ordered by the link's copy of the publication time: the database
        # walks this tag's links in order, not the whole archive.
        return (
            super()
            .get_queryset()
            .filter(tagged_items__tag=self.scope)
            .order_by("-tagged_items__published_at", "-tagged_items__content_object_id")
        )


@public_cache
class AuthorView(ScopedListView):
    """An author's published articles, newest first, with their photo and biography."""

    template_name = "articles/author.html"
    scope_model = Author
    scope_key = "author"
    feed_url_names = ("articles:author-rss", "articles:author-atom")

    def get_scope(self):
        slug = self.kwargs["slug"]
        if len(slug) > MAX_SLUG_LENGTH:
            raise Http404(_("No such page."))
        return get_object_or_404(Author.objects.select_related("photo"), slug=slug)

    def get_queryset(self):
        return super().get_queryset().filter(author_links__author=self.scope)

    def get_breadcrumbs(self):
        return [home_crumb(), (self.scope.name, self.scope.get_absolute_url())]


@public_cache
class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("topic", "source", "lead_image")
            .prefetch_related("tags")
            .with_authors()
        )

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        if len(slug) > MAX_SLUG_LENGTH:
            raise Http404(_("No such article."))
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A renamed article keeps its old URLs: answer 301 to the current one.
            redirect = (
                SlugRedirect.objects.filter(old_slug=slug, article__in=Article.objects.published())
                .select_related("article")
                .first()
            )
            if redirect is None:
                raise
            return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # Its prev/next links change when a neighbour is published beside it.
        collect(f"neighbours-{article.pk}")
        context["previous_article"], context["next_article"] = adjacent_articles(article)
        # Stored when the article was written: a few rows by primary key.
        context["related_articles"] = related_for_page(article)
        # Most articles have no correction: no query for them.
        context["corrections"] = list(article.corrections.all()) if article.correction_count else []
        context["source_url"] = web_url(article.source_url)
        context["modified_at"] = max(article.updated_at, article.published_at)
        if article.updated_at > article.published_at + UPDATED_AFTER:
            context["updated_at"] = article.updated_at
        context["canonical_url"] = self.request.build_absolute_uri(article.get_absolute_url())
        context["json_ld"] = self.news_article_json_ld(article, context["canonical_url"])
        context["current_section"] = article.topic.slug
        context["breadcrumbs"] = [
            home_crumb(),
            (article.topic.name, article.topic.get_absolute_url()),
            (article.title, article.get_absolute_url()),
        ]
        # Rendered once per version and kept; library figures in the body:
        # one query for all of them, none without.
        context["body_html"] = rendered_body(article)
        context["og_image"] = og_image(article.lead_image, self.request.build_absolute_uri)
        context["feed_links"] = (
            feed_links(
                article.topic.name,
                reverse("articles:topic-rss", kwargs={"slug": article.topic.slug}),
                reverse("articles:topic-atom", kwargs={"slug": article.topic.slug}),
            )
            + site_feed_links()
        )
        return context

    def news_article_json_ld(self, article, url):
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": url,
            "url": url,
            # The headline is the article's own title; the description the one
            # written for search engines, if any.
            "headline": article.title[:110],
            "description": article.page_description,
            "datePublished": article.published_at.isoformat(),
            "dateModified": max(article.updated_at, article.published_at).isoformat(),
            "articleSection": article.topic.name,
            "keywords": [tag.name for tag in article.tags.all()],
            "inLanguage": "zh-Hans",
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        }
        if images := json_ld_images(article.lead_image, self.request.build_absolute_uri):
            data["image"] = images
        if authors := article.credited_authors:
            data["author"] = [
                {
                    "@type": "Person",
                    "name": author.name,
                    "url": self.request.build_absolute_uri(author.get_absolute_url()),
                    **({"jobTitle": author.title} if author.title else {}),
                }
                for author in authors
            ]
        elif article.byline:
            data["author"] = {"@type": "Person", "name": article.byline}
        if article.source:
            data["sourceOrganization"] = {"@type": "Organization", "name": article.source.name}
            if source_url := web_url(article.source_url):
                data["isBasedOn"] = source_url
        return data


@public_cache
class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
