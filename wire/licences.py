"""
Reprint licences. When a source's licence ends, its articles leave the
public site at that very moment: the publication rule
(Article.objects.published) hides them, and the page cache's epoch ends
then (articles.selectors.next_scheduled_change counts licence ends). The
record follows: the scheduler's tick finds ended licences with articles
still marked published and enqueues a job that unpublishes each through the
workflow, with an event naming the licence (and so a takedown push).
"""

import hashlib
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from articles import workflow
from articles.models import LIVE, Article, Source
from jobs import enqueue, job

EXPIRING_DAYS = 30


def expiring(now=None, days=EXPIRING_DAYS):
    """Sources whose licence ends within `days`, soonest first."""
    now = now or timezone.now()
    return Source.objects.filter(
        licence_ends_at__gt=now, licence_ends_at__lte=now + timedelta(days=days)
    ).order_by("licence_ends_at", "name")


def enforce_licences(now=None):
    """Enqueue the unpublishing of articles whose source's licence has ended. Returns the jobs."""
    now = now or timezone.now()
    jobs = []
    for source in Source.objects.filter(licence_ends_at__lte=now):
        ids = list(
            Article.objects.filter(LIVE, source=source, working_copy_of__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            continue
        digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=8).hexdigest()
        jobs.append(
            enqueue(
                end_licence,
                key=f"wire.licence:{source.pk}:{source.licence_ends_at.isoformat()}:{digest}",
                kwargs={"source_id": source.pk, "ids": ids},
            )
        )
    return jobs


def licence_note(source):
    ends = timezone.localtime(source.licence_ends_at)
    note = _("The reprint licence of %(source)s ended at %(time)s.") % {
        "source": source.name,
        "time": ends.strftime("%Y-%m-%d %H:%M %Z"),
    }
    if source.licence_reference:
        note += " " + _("Licence: %(reference)s") % {"reference": source.licence_reference[:500]}
    return note


@job("wire.end_licence", max_attempts=5, time_limit=300)
def end_licence(*, source_id, ids):
    """Unpublish the source's articles `ids` that are still live, if its licence has still ended."""
    source = Source.objects.filter(pk=source_id).first()
    now = timezone.now()
    if source is None or source.licence_ends_at is None or source.licence_ends_at > now:
        return "licence renewed or gone: nothing to do"
    note = licence_note(source)
    done = 0
    for article in Article.objects.filter(LIVE, pk__in=ids, source=source).order_by("pk"):
        workflow.unpublish(article, by=workflow.SYSTEM, note=note)
        done += 1
    return f"{done} unpublished"
