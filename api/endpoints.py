"""
The API's operations. Every article comes from Article.objects.published(),
so what the site hides the API hides, on the very next request (responses
are revalidated, never kept: see ContentAPI.create_response).
"""

import uuid

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Substr
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from ninja import Query, Router

from articles.models import Article, Correction, SlugRedirect, Tag, TaggedArticle, Topic
from articles.search.query import exact_matches
from articles.search.tokenize import parse_query

from .access import caller_access
from .errors import ApiError
from .media import body_figures, full_text_html, images_for
from .pagination import KeysetPaginator, next_url
from .schemas import (
    ArticleDetailOut,
    ArticleListParams,
    ArticlePage,
    ErrorOut,
    TagListParams,
    TagPage,
    TopicOut,
)
from .timeparams import published_range

router = Router()

ERRORS = {400: ErrorOut, 401: ErrorOut, 429: ErrorOut}
# Columns no response shows; anonymous callers never get the body either.
NOT_SHOWN = ("created_by", "updated_by", "search_title", "search_text", "version")
# Enough of the body to cut a 160-character summary from when there is no standfirst.
SUMMARY_SOURCE_LENGTH = 2000
SUMMARY_LENGTH = 160

ARTICLE_ORDER = KeysetPaginator(Article, ("-published_at", "-id"))
# Within a tag, the tag links' copy of (published_at, article id), as the site's
# tag pages read it: the database walks that tag's links in order, not the
# whole archive. The cursors are the same values, so either order reads them.
TAGGED_ARTICLE_ORDER = KeysetPaginator(
    Article,
    ("-tagged_items__published_at", "-tagged_items__content_object_id"),
    attributes=("published_at", "id"),
)
TAG_ORDER = KeysetPaginator(Tag, ("slug",))


def check_params(request, schema):
    """Unknown, repeated or NUL-carrying query parameters answer 400 before any query."""
    allowed = schema.model_fields
    for name in request.GET:
        if name not in allowed:
            raise ApiError(
                400,
                "unknown_parameter",
                _("Unknown parameter %(name)s.") % {"name": name[:50]},
                param=name[:50],
            )
        values = request.GET.getlist(name)
        if len(values) > 1:
            raise ApiError(400, "bad_request", _("Give this parameter once."), param=name)
        if "\x00" in values[0]:
            raise ApiError(400, "bad_request", _("Null characters are not allowed."), param=name)


def site_root(request):
    return request.build_absolute_uri("/").rstrip("/")


def absolute(root, url):
    return root + url if url.startswith("/") else url


def published_articles(access, base=None):
    """`base` (Article.objects.published() or a narrower queryset of it), shaped for output."""
    if base is None:
        base = Article.objects.published()
    articles = base.select_related("topic", "source")
    if access.full_text:
        return articles.defer(*NOT_SHOWN)
    # Only rows without a standfirst read their body: reading (decompressing)
    # bodies was most of a list query's time.
    return articles.defer("body", *NOT_SHOWN).annotate(
        body_start=Case(
            When(standfirst="", then=Substr("body", 1, SUMMARY_SOURCE_LENGTH)),
            default=Value(""),
        )
    )


def summary(article):
    if article.standfirst:
        return article.standfirst
    text = article.body if "body" in article.__dict__ else article.body_start
    return Truncator(strip_tags(text)).chars(SUMMARY_LENGTH)


def tags_by_article(articles):
    """{article id: [{"name", "slug"}]} in one query, sorted by name (values, not models:
    taggit's prefetch builds a queryset per article, a third of a list's time)."""
    tags = {article.pk: [] for article in articles}
    if tags:
        links = (
            TaggedArticle.objects.filter(content_object_id__in=tags)
            .order_by("tag__name")
            .values_list("content_object_id", "tag__name", "tag__slug")
        )
        for article_id, name, slug in links:
            tags[article_id].append({"name": name, "slug": slug})
    return tags


def article_data(article, *, access, root, images, tags, figures):
    return {
        "id": article.uuid,
        "slug": article.slug,
        "title": article.title,
        "summary": summary(article),
        # Sanitized on the way out too, as the site's pages and feeds do.
        "body": (
            full_text_html(article, figures, absolute=lambda url: absolute(root, url))
            if access.full_text
            else None
        ),
        "url": root + article.get_absolute_url(),
        "topic": {"name": article.topic.name, "slug": article.topic.slug},
        "tags": tags[article.pk],
        "source": (
            {"name": article.source.name, "homepage": article.source.homepage}
            if article.source
            else None
        ),
        "source_url": article.source_url,
        "byline": article.byline,
        "featured": article.featured,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "images": images.get(article.pk, []) if access.redistributable_images else [],
    }


@router.get(
    "/articles",
    response={200: ArticlePage, **ERRORS},
    summary="Published articles, newest first",
    operation_id="list_articles",
    tags=["articles"],
)
def list_articles(request, params: Query[ArticleListParams]):
    """
    Published articles, newest first (also with `q`), `page_size` at a time;
    follow `next` (or pass `next_cursor` as `cursor`) for the next page.
    Filters combine. Without a key each article has its summary; a partner key
    adds the full text (`body`) and redistributable images.
    """
    check_params(request, ArticleListParams)
    start, end = published_range(params.since, params.until)
    access = caller_access(request)
    # q: the site's search (same words, same index, only published articles).
    base = exact_matches(parse_query(params.q)) if params.q else None
    articles = published_articles(access, base)
    if params.topic:
        articles = articles.filter(topic__slug=params.topic)
    if params.source:
        articles = articles.filter(source__name=params.source)
    if start:
        articles = articles.filter(published_at__gte=start)
    if end:
        articles = articles.filter(published_at__lt=end)
    if params.tag:
        page, next_cursor = TAGGED_ARTICLE_ORDER.page(
            articles,
            cursor=params.cursor,
            page_size=params.page_size,
            scope=Q(tagged_items__tag__slug=params.tag),
        )
    else:
        page, next_cursor = ARTICLE_ORDER.page(
            articles, cursor=params.cursor, page_size=params.page_size
        )
    root = site_root(request)
    images = images_for(page, access, absolute=lambda url: absolute(root, url))
    figures = body_figures(page, access)
    tags = tags_by_article(page)
    return {
        "results": [
            article_data(a, access=access, root=root, images=images, tags=tags, figures=figures)
            for a in page
        ],
        "next_cursor": next_cursor,
        "next": next_url(request, next_cursor),
    }


@router.get(
    "/articles/{ident}",
    response={200: ArticleDetailOut, 301: None, 404: ErrorOut, **ERRORS},
    summary="One published article, by slug or id (UUID)",
    operation_id="get_article",
    tags=["articles"],
)
def get_article(request, ident: str):
    """
    A published article by its slug or its id (UUID), with its corrections.
    A former slug of a renamed article answers 301 to the current one.
    """
    check_params(request, _NoParams)
    access = caller_access(request)
    if len(ident) > 200 or "\x00" in ident:
        raise ApiError(404, "not_found", _("No such article."))
    articles = published_articles(access).prefetch_related(
        Prefetch("corrections", queryset=Correction.objects.only("article", "text", "created_at")),
    )
    try:
        lookup = {"uuid": uuid.UUID(ident)}
    except ValueError:
        lookup = {"slug": ident}
    article = articles.filter(**lookup).first()
    if article is None:
        if "slug" in lookup:
            redirect = (
                SlugRedirect.objects.filter(old_slug=ident, article__in=Article.objects.published())
                .select_related("article")
                .only("article__slug")
                .first()
            )
            if redirect is not None:
                url = reverse("api-v1:get_article", kwargs={"ident": redirect.article.slug})
                return HttpResponsePermanentRedirect(url)
        raise ApiError(404, "not_found", _("No such article."))
    root = site_root(request)
    data = article_data(
        article,
        access=access,
        root=root,
        images=images_for([article], access, absolute=lambda url: absolute(root, url)),
        tags=tags_by_article([article]),
        figures=body_figures([article], access),
    )
    data["corrections"] = [
        {"text": c.text, "created_at": c.created_at} for c in article.corrections.all()
    ]
    return data


@router.get(
    "/topics",
    response={200: list[TopicOut], **ERRORS},
    summary="Every topic (section) of the site",
    operation_id="list_topics",
    tags=["topics and tags"],
)
def list_topics(request):
    check_params(request, _NoParams)
    root = site_root(request)
    return [
        {
            "name": topic.name,
            "slug": topic.slug,
            "description": topic.description,
            "url": root + topic.get_absolute_url(),
        }
        for topic in Topic.objects.all()
    ]


@router.get(
    "/tags",
    response={200: TagPage, **ERRORS},
    summary="Tags of published articles, by slug",
    operation_id="list_tags",
    tags=["topics and tags"],
)
def list_tags(request, params: Query[TagListParams]):
    """Tags that at least one published article carries (others stay private), A to Z by slug."""
    check_params(request, TagListParams)
    in_use = Exists(Article.objects.published().filter(tagged_items__tag=OuterRef("pk")))
    tags, next_cursor = TAG_ORDER.page(
        Tag.objects.filter(in_use), cursor=params.cursor, page_size=params.page_size
    )
    root = site_root(request)
    return {
        "results": [
            {"name": tag.name, "slug": tag.slug, "url": root + tag.get_absolute_url()}
            for tag in tags
        ],
        "next_cursor": next_cursor,
        "next": next_url(request, next_cursor),
    }


class _NoParams:
    model_fields = {}
