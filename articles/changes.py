"""
What follows a write to articles, said out loud instead of hidden in signals.

- The search index: `Article.save()` re-indexes its article when (and only
  when) the title, standfirst or body changed; writers that go around
  save() (bulk_create, QuerySet.update, the importer) call
  `articles_written(ids, text_changed=True)`. Indexing never fails a write:
  an error is logged (once, with the ids and the command that repairs it),
  retried once, and the write stands.
- Everyone else (the page cache, and later purges and pushes) listens to
  `articles_changed`, sent with the ids once the transaction has committed.
- Every audit event (ArticleEvent: created, edited, published, corrected,
  unpublished, trashed, ...) is announced after commit with
  `article_events_recorded`, by workflow.record() and by the importer's bulk
  writes alike: wire/ listens, to push publications, corrections and
  takedowns and to fingerprint new text for near-duplicates.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent after commit by bulk writers: articles_changed.send(sender=Article, ids=[...])
articles_changed = Signal()
# Sent after commit for every audit event written:
# article_events_recorded.send(sender=ArticleEvent, events=[ArticleEvent, ...])
article_events_recorded = Signal()


def announce_events(events):
    """Send `article_events_recorded` for `events` once the current transaction commits."""
    events = list(events)
    if not events:
        return

    def announce():
        from .models import ArticleEvent

        article_events_recorded.send(sender=ArticleEvent, events=events)

    transaction.on_commit(announce, robust=True)


def articles_written(ids, *, reindex_ids=()):
    """
    Announce a bulk write of the articles `ids`, once the current transaction
    commits (at once outside one): re-index `reindex_ids` (those whose text
    may have changed), then send `articles_changed`. The on_commit callback
    is robust: an error in a listener is logged by Django, never raised into
    the request whose data is already committed.
    """
    ids = sorted(set(ids) | set(reindex_ids))
    reindex_ids = sorted(set(reindex_ids))
    if not ids:
        return

    def announce():
        if reindex_ids:
            reindex(reindex_ids)
        from .models import Article

        articles_changed.send(sender=Article, ids=ids)

    transaction.on_commit(announce, robust=True)


def reindex(ids, *, using="default"):
    """Index the articles `ids` now (after a bulk write). True if indexed."""
    from .search.index import index_articles

    return _robustly(lambda: index_articles(ids, using=using), ids, using)


def index_saved_article(article):
    """Index one article just saved (Article.save() calls this when its text changed)."""
    from .search.index import index_article

    return _robustly(lambda: index_article(article), [article.pk], article._state.db)


def _robustly(index, ids, using, attempts=2):
    """
    Run `index` in a savepoint, so a failed index write never breaks the
    caller's transaction; on failure try once more, then log it (once) and
    let the write stand.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic(using=using):
                index()
            return True
        except Exception:
            if attempt == attempts:
                logger.exception(
                    "Search index not updated for %d article(s) %s; the articles are saved. "
                    "Repair with: manage.py rebuild_search_index --ids %s",
                    len(ids),
                    ids[:20],
                    ",".join(map(str, ids[:1000])),
                )
    return False
