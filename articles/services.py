"""Writes that touch several rows, each in one transaction."""

from django.db import transaction

from .models import Article, Source, Topic


@transaction.atomic
def save_reprint(reprint, *, status=Article.Status.DRAFT, featured=False, user=None, source_url=""):
    """Create an article (with its topic, source and tags) from a parsed `Reprint`."""
    topic, _ = Topic.objects.get_or_create(name=reprint.category)
    source = None
    if reprint.source:
        source, _ = Source.objects.get_or_create(name=reprint.source)
    article = Article.objects.create(
        title=reprint.title,
        standfirst=reprint.standfirst,
        body=reprint.body_html,
        topic=topic,
        source=source,
        source_url=source_url,
        status=status,
        published_at=reprint.published_at,
        featured=featured,
        created_by=user,
        updated_by=user,
    )
    article.tags.set(reprint.keywords)
    return article
