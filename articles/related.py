"""
Related articles, computed when an article is written and stored on it.

Counting shared tags on every view cost the article page a query that grows
with its tags' sizes (a popular tag holds thousands of articles). Instead the
workflow (every `_save`: edits, tag changes, publication, unpublication,
trash) and bulk writers (`articles_changed`) refresh the article's
`related_ids` after commit, and the page reads those ids by primary key
through `Article.objects.published()`. So nothing unpublished can show:
an article that leaves publication vanishes from every stored list on the
next read, without touching the lists.

A workflow write also recomputes the lists of the articles it just chose, so
a new publication joins its closest neighbours' lists at once; elsewhere it
joins when those articles are next written or `refresh_related_articles`
runs (nightly, say). Candidates come from each tag's newest links (see
selectors.related_article_ids), so computing one list costs a few short
index walks whatever the tags' sizes.
"""

import logging

from django.db import transaction

from .models import Article, TaggedArticle
from .selectors import RELATED_ARTICLES, related_article_ids, related_articles

logger = logging.getLogger(__name__)

# Stored per article: more than shown, so the list survives a few of them leaving publication.
RELATED_STORED = 12


def compute_related(ids):
    """Recompute and store `related_ids` for the articles `ids`: {id: [related ids]}."""
    ids = sorted(set(ids))
    tags = {}
    for article_id, tag_id in TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag_id"
    ):
        tags.setdefault(article_id, []).append(tag_id)
    stored = {}
    for article_id in Article.objects.filter(pk__in=ids).values_list("pk", flat=True):
        related = related_article_ids(article_id, tags.get(article_id, []), RELATED_STORED)
        Article.objects.filter(pk=article_id).update(related_ids=related)
        stored[article_id] = related
    return stored


def refresh_related(ids):
    """Refresh the lists of `ids`, then those of the articles they chose (one level)."""
    stored = compute_related(ids)
    neighbours = {pk for related in stored.values() for pk in related} - set(stored)
    if neighbours:
        compute_related(neighbours)
    return stored


def refresh_related_after_commit(ids, *, neighbours=True):
    """Refresh once the current transaction commits; an error is logged, the write stands."""
    ids = list(ids)

    def refresh():
        try:
            if neighbours:
                refresh_related(ids)
            else:
                compute_related(ids)
        except Exception:
            logger.exception(
                "Related articles of %s not refreshed; run manage.py refresh_related_articles",
                ids,
            )

    transaction.on_commit(refresh)


def articles_changed(sender, ids=(), **kwargs):
    """
    Bulk writes (the importer, bulk actions) announce their ids after commit:
    their own lists are recomputed (a few ms each), not their neighbours'.
    """
    if ids:
        refresh_related_after_commit(ids, neighbours=False)


def connect_signals():
    from .changes import articles_changed as articles_changed_signal

    articles_changed_signal.connect(articles_changed, dispatch_uid="related-articles-bulk")


def related_for_page(article):
    """
    Up to RELATED_ARTICLES published articles for `article`'s page: its stored
    list read by primary key (one query that does not grow with tag sizes),
    or, before the list was first computed, the live query.
    """
    if article.related_ids is None:
        return related_articles(article, [tag.pk for tag in article.tags.all()])
    ids = [pk for pk in article.related_ids if isinstance(pk, int)][:RELATED_STORED]
    if not ids:
        return []
    found = {
        related.pk: related
        for related in Article.objects.published().for_listing().filter(pk__in=ids)
    }
    return [found[pk] for pk in ids if pk in found][:RELATED_ARTICLES]
