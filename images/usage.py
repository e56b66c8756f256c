"""
Which articles use which images (ImageUsage), kept in step with the articles:
on every Article.save() and for bulk writes announced with `articles_changed`.
It powers the library's where-used lists and protects a used image from
deletion.
"""

from django.db import transaction

from .models import ImageUsage
from .rendering import figure_ids


def wanted_uses(article_id, lead_image_id, body):
    uses = set()
    if lead_image_id:
        uses.add((lead_image_id, article_id, ImageUsage.Role.LEAD))
    for image_id in figure_ids(body):
        uses.add((image_id, article_id, ImageUsage.Role.BODY))
    return uses


@transaction.atomic
def sync_usage(articles):
    """Bring the uses of `articles` (objects with pk, lead_image_id and body) up to date."""
    from .models import Image

    articles = list(articles)
    if not articles:
        return
    ids = [article.pk for article in articles]
    wanted = set()
    for article in articles:
        wanted |= wanted_uses(article.pk, article.lead_image_id, article.body)
    existing = {
        (use.image_id, use.article_id, use.role): use.pk
        for use in ImageUsage.objects.filter(article_id__in=ids)
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        ImageUsage.objects.filter(pk__in=stale).delete()
    missing = wanted - existing.keys()
    if missing:
        # A figure may name an image that is gone (or never was): no use to record.
        known = set(
            Image.objects.filter(pk__in={m[0] for m in missing}).values_list("pk", flat=True)
        )
        ImageUsage.objects.bulk_create(
            [
                ImageUsage(image_id=image_id, article_id=article_id, role=role)
                for image_id, article_id, role in missing
                if image_id in known
            ],
            ignore_conflicts=True,
        )


def sync_usage_for_ids(article_ids):
    from articles.models import Article

    for start in range(0, len(article_ids), 1000):
        chunk = article_ids[start : start + 1000]
        sync_usage(Article.objects.filter(pk__in=chunk).only("pk", "lead_image_id", "body"))
