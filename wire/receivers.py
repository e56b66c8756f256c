"""
What the wire desk does after a workflow event commits
(articles.changes.article_events_recorded): fingerprint new or changed text
for near-duplicates, and plan the pushes of publications, corrections and
takedowns. Neither may break the write that was committed: errors are
logged, and fingerprints of large imports are computed by a job.
"""

import logging

from articles.models import ArticleEvent
from jobs import enqueue, job

from . import duplicates, push

logger = logging.getLogger(__name__)
A = ArticleEvent.Action
TEXT_ACTIONS = {A.CREATE, A.EDIT, A.PUBLISH_EDIT, A.RESTORE_VERSION}
# More articles than this in one announcement are fingerprinted by a job.
INLINE_FINGERPRINTS = 20


def on_events(sender, events, **kwargs):
    ids = sorted({e.article_id for e in events if e.action in TEXT_ACTIONS and e.article_id})
    if ids:
        try:
            if len(ids) <= INLINE_FINGERPRINTS:
                duplicates.fingerprint_articles(ids)
            else:
                enqueue(
                    fingerprint,
                    key=f"wire.fingerprint:{ids[0]}-{ids[-1]}:{len(ids)}:{events[-1].pk}",
                    kwargs={"ids": ids},
                )
        except Exception:
            logger.exception("Near-duplicate fingerprints not computed for articles %s", ids[:20])
    try:
        push.plan(events)
    except Exception:
        logger.exception("Pushes not planned for events %s", [e.pk for e in events][:20])


@job("wire.fingerprint", max_attempts=3, time_limit=600)
def fingerprint(*, ids):
    return f"{len(duplicates.fingerprint_articles(ids))} fingerprints"
