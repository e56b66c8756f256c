"""
The JSON Lines export: one article per line, in the format import_articles
reads, so that export then import into an empty database gives the same
articles (titles, slugs, bodies, tags, topics, sources, times, statuses,
and the UUID that feeds use as GUID).
"""

import json

from django.utils import timezone

from articles.models import Article
from images.ingest import export_fields


def articles_for_export(*, statuses=None, since=None):
    # Not the trash, and not working copies (unpublished edits of a published
    # article, which would come back as articles of their own).
    articles = (
        Article.objects.not_trashed()
        .filter(working_copy_of__isnull=True)
        .select_related("topic", "source", "lead_image")
        .prefetch_related("tags")
    )
    if statuses:
        articles = articles.filter(status__in=statuses)
    if since is not None:
        articles = articles.filter(published_at__gte=since)
    return articles.order_by("pk")


def article_record(article, *, media_dir=None, relative_to=None):
    return {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "seo_title": article.seo_title,
        "meta_description": article.meta_description,
        "social_title": article.social_title,
        "body": article.body,
        "topic": article.topic.name,
        "tags": sorted(tag.name for tag in article.tags.all()),
        "published_at": _iso(article.published_at),
        "status": article.status,
        "byline": article.byline,
        "source": article.source.name if article.source else None,
        "source_url": article.source_url,
        "expires_at": _iso(article.expires_at),
        "featured": article.featured,
        "featured_order": article.featured_order,
        "pinned_until": _iso(article.pinned_until),
        "uuid": str(article.uuid),
        # image_url, image_caption, image_credit, image_alt, ..., body_images
        # (images app); with media_dir the files are copied there too.
        **export_fields(article, media_dir=media_dir, relative_to=relative_to),
    }


def export_articles(
    out, *, statuses=None, since=None, chunk_size=2000, media_dir=None, relative_to=None
):
    """
    Write the articles as JSON Lines to the text stream `out`; return how
    many. With `media_dir`, image files are copied there and each record
    names its files relative to `relative_to` (the output file's folder).
    """
    count = 0
    for article in articles_for_export(statuses=statuses, since=since).iterator(
        chunk_size=chunk_size
    ):
        record = article_record(article, media_dir=media_dir, relative_to=relative_to)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _iso(moment):
    # In the site's time zone, with its offset: 2024-12-05T14:32:26+08:00.
    return timezone.localtime(moment).isoformat() if moment else None
