"""
The read side shared by views, feeds, sitemaps and the page cache: lookups
by slug, the edges of the published record (for Last-Modified and the next
scheduled change), an article's neighbours and related articles.

Everything public here reads through `Article.objects.published()` (or the
LIVE condition plus explicit times, for the edge queries that must see what
is *about* to become public); the write side lives in articles/workflow.py.
"""

from django.db.models import Count, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LIVE, Article, Source, TaggedArticle, Topic

# Longer than any slug we store: answer 404 without asking the database.
MAX_SLUG_LENGTH = 200
RELATED_ARTICLES = 5
RELATED_POOL = 200
# Stored related lists (articles/related.py) start from each tag's newest links.
RELATED_TAG_POOL = 50


def get_by_slug_or_404(model, slug):
    """The topic or tag at `slug`; a slug longer than any we store is a 404 without a query."""
    if len(slug) > MAX_SLUG_LENGTH:
        raise Http404(_("No such page."))
    return get_object_or_404(model, slug=slug)


# Edges of the record -----------------------------------------------------------


def edge_value(queryset, field, *, last):
    """
    The greatest (`last`) or least value of `field` in `queryset`, as a
    subquery that walks an index (ORDER BY … LIMIT 1), where MAX(…) FILTER
    (WHERE …) would read every row.
    """
    # Plain DESC/ASC (no NULLS LAST) so the order matches a btree index.
    ordered = queryset.filter(**{f"{field}__isnull": False}).order_by(
        f"-{field}" if last else field
    )
    return Subquery(ordered.values(field)[:1])


def scalar_values(**subqueries):
    """
    Evaluate uncorrelated scalar subqueries in one round trip: {name: value}.
    One topic row carries them (there are no articles without a topic).
    """
    row = Topic.objects.order_by().annotate(**subqueries).values(*subqueries).first()
    return row or dict.fromkeys(subqueries)


def last_article_change():
    """
    The last moment public content may have changed: an edit or unpublish
    (updated_at), a scheduled article coming due, an expiry, a licence end. Used for
    Last-Modified of feeds and sitemaps, so If-Modified-Since never hides a
    removal.

    Taken over all articles, not just a feed's scope: an article moved to
    another topic or untagged (and saved) has left the scope, so the scope
    alone cannot date its removal.
    """
    now = timezone.now()
    live = Article.objects.filter(LIVE)
    moments = scalar_values(
        updated=edge_value(Article.objects.all(), "updated_at", last=True),
        due=edge_value(live.filter(published_at__lte=now), "published_at", last=True),
        expired=edge_value(live.filter(expires_at__lte=now), "expires_at", last=True),
        licence=edge_value(
            Source.objects.filter(licence_ends_at__lte=now), "licence_ends_at", last=True
        ),
    )
    return max((m for m in moments.values() if m is not None), default=None)


def next_scheduled_change(now):
    """
    The next moment a published article comes due or expires, a source's
    licence ends, or a top story's pin expires (the home page changes), or None.
    """
    live = Article.objects.filter(LIVE)
    moments = scalar_values(
        due=edge_value(live.filter(published_at__gt=now), "published_at", last=False),
        expiry=edge_value(live.filter(expires_at__gt=now), "expires_at", last=False),
        # A pin on an article not yet due counts too: harmless, and one index walk.
        pin=edge_value(
            live.filter(featured=True, pinned_until__gt=now), "pinned_until", last=False
        ),
        licence=edge_value(
            Source.objects.filter(licence_ends_at__gt=now), "licence_ends_at", last=False
        ),
    )
    return min((m for m in moments.values() if m is not None), default=None)


# Around one article --------------------------------------------------------------


def adjacent_articles(article):
    """(previous, next) published article in publication order, or None."""
    published = Article.objects.published().for_listing()
    same_time = Q(published_at=article.published_at)
    # The plain range (published_at <= / >=) lets the database walk the
    # index from this article; the OR only breaks ties at the same time.
    previous = (
        published.filter(published_at__lte=article.published_at)
        .filter(Q(published_at__lt=article.published_at) | (same_time & Q(pk__lt=article.pk)))
        .first()
    )
    following = (
        published.filter(published_at__gte=article.published_at)
        .filter(Q(published_at__gt=article.published_at) | (same_time & Q(pk__gt=article.pk)))
        .order_by("published_at", "pk")
        .first()
    )
    return previous, following


def related_article_ids(article_id, tag_ids, limit):
    """
    Ids of up to `limit` published articles sharing the most tags with
    `article_id`, newest first among equals (for storing: articles/related.py).

    Candidates are the RELATED_TAG_POOL newest links of each tag, read from the
    (tag, published_at) index of the tag links alone, then kept only if
    published: one short index walk per tag, two queries more, none of which
    grows with the size of a tag or of the archive.
    """
    tag_ids = sorted(set(tag_ids))
    if not tag_ids:
        return []
    now = timezone.now()
    pool = set()
    for tag_id in tag_ids:
        pool.update(
            TaggedArticle.objects.filter(tag_id=tag_id, published_at__lte=now)
            .order_by("-published_at", "-content_object_id")
            .values_list("content_object_id", flat=True)[:RELATED_TAG_POOL]
        )
    pool.discard(article_id)
    candidates = dict(
        Article.objects.published(now)
        .filter(pk__in=pool)
        .order_by()
        .values_list("pk", "published_at")
    )
    shared = dict.fromkeys(candidates, 0)
    links = TaggedArticle.objects.filter(
        content_object_id__in=list(candidates), tag_id__in=tag_ids
    ).values_list("content_object_id", flat=True)
    for pk in links:
        shared[pk] += 1
    ranked = sorted(candidates, key=lambda pk: (-shared[pk], -candidates[pk].timestamp(), -pk))
    return ranked[:limit]


def related_articles(article, tag_ids):
    """
    Articles sharing the most tags with this one, newest first, among the
    RELATED_POOL newest articles that share any of its tags: one query,
    and a popular tag's whole history is never counted.
    """
    if not tag_ids:
        return []
    pool = (
        Article.objects.published()
        .filter(tagged_items__tag__in=tag_ids)
        .exclude(pk=article.pk)
        .order_by("-published_at", "-pk")
        .values("pk")[:RELATED_POOL]
    )
    return list(
        Article.objects.published()
        .for_listing()
        .filter(pk__in=pool)
        .annotate(shared_tags=Count("tagged_items", filter=Q(tagged_items__tag__in=tag_ids)))
        .order_by("-shared_tags", "-published_at", "-pk")[:RELATED_ARTICLES]
    )
