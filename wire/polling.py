"""
Polling wire feeds (采集): the scheduler's tick claims the feeds that are
due and enqueues one poll job each; a poll fetches the feed through the
safe fetcher with a conditional GET and imports it with the existing
importer, as the person who set up the feed (their permissions: a feed
whose owner may not publish only ever creates drafts).

A claim is a conditional UPDATE of the feed's next poll time, so two
schedulers (or two ticks) never enqueue the same poll twice, and a poll job
is not enqueued while another one for the same feed is waiting or running.
A failing feed waits its interval doubled for each failure in a row (at
most a day); the desk shows it as failing after three.
"""

import io
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import workflow
from articles.ingest import fetch
from articles.ingest.importer import Importer
from articles.ingest.sources import Document, Opened
from jobs import Permanent, enqueue, job
from jobs.models import Job

from .duplicates import ImportScreen
from .models import PollRun, WireFeed

logger = logging.getLogger(__name__)
REPORT_MAX = 20_000
RUNS_KEPT = 200


class FetchedDocument(Document):
    """A feed already fetched (conditionally) by the poller, for the importer."""

    def __init__(self, url, response):
        self.name = self.url = url
        self.response = response

    def open(self):
        return Opened(
            io.BytesIO(self.response.content),
            content_type=self.response.content_type,
            charset=self.response.charset,
            url=self.response.url,
        )


def poll_due_feeds(now=None):
    """Enqueue a poll for every enabled feed that is due. Returns the jobs enqueued."""
    now = now or timezone.now()
    due = WireFeed.objects.filter(enabled=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    )
    waiting = set(
        Job.objects.filter(
            name=poll.job_name,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.RETRYING],
        ).values_list("kwargs__feed_id", flat=True)
    )
    jobs = []
    for feed in due.order_by("next_poll_at", "pk"):
        slot = feed.next_poll_at
        same_slot = {"next_poll_at__isnull": True} if slot is None else {"next_poll_at": slot}
        # Claimed by whoever moves the slot first; the poll sets the real next time.
        claimed = WireFeed.objects.filter(pk=feed.pk, **same_slot).update(
            next_poll_at=now + timedelta(minutes=feed.interval)
        )
        if not claimed or feed.pk in waiting:
            continue
        jobs.append(
            enqueue(
                poll,
                key=f"wire.poll:{feed.pk}:{(slot or now).isoformat()}",
                kwargs={"feed_id": feed.pk},
            )
        )
    return jobs


def poll_now(feed):
    """The desk's "poll now": a job of its own, whatever the schedule says."""
    return enqueue(
        poll,
        key=f"wire.poll:{feed.pk}:now:{timezone.now().isoformat()}",
        kwargs={"feed_id": feed.pk},
    )


@job("wire.poll", max_attempts=1, time_limit=300)
def poll(*, feed_id):
    """One poll (the schedule is its retry: a failure is recorded and the feed backs off)."""
    run = poll_feed(feed_id)
    if run is None:
        raise Permanent(f"wire feed {feed_id} no longer exists")
    if run.outcome == PollRun.Outcome.FAILED:
        raise Permanent(run.error)
    return f"{run.get_outcome_display()}: {run.created} new, {run.updated} updated, {run.skipped} skipped, {run.failed} failed"


def poll_feed(feed_id, *, now=None):
    """Fetch and import one feed, under its row lock (one poll of a feed at a time)."""
    with transaction.atomic():
        feed = (
            WireFeed.objects.select_for_update(of=("self",))
            .select_related("source", "topic", "owner")
            .filter(pk=feed_id)
            .first()
        )
        if feed is None:
            return None
        now = now or timezone.now()
        run = PollRun(feed=feed, started_at=now)
        try:
            _poll(feed, run)
        except _PollFailed as failure:
            run.outcome = PollRun.Outcome.FAILED
            run.error = str(failure)[:5000]
        failed = run.outcome == PollRun.Outcome.FAILED
        run.finished_at = timezone.now()
        run.save()
        feed.last_polled_at = now
        if failed:
            feed.failures += 1
            feed.last_error = run.error
        else:
            feed.failures = 0
            feed.last_error = ""
            feed.last_success_at = now
        feed.next_poll_at = now + feed.delay_after(failed=failed)
        feed.save(
            update_fields=[
                "etag",
                "last_modified",
                "last_polled_at",
                "last_success_at",
                "failures",
                "last_error",
                "next_poll_at",
            ]
        )
        stale = feed.runs.order_by("-started_at", "-pk").values_list("pk", flat=True)[RUNS_KEPT:]
        PollRun.objects.filter(pk__in=list(stale)).delete()
    if failed:
        logger.warning("Wire feed %s failed (%d in a row): %s", feed.url, feed.failures, run.error)
    return run


class _PollFailed(Exception):
    pass


def _poll(feed, run):
    owner = feed.owner
    if owner is None or not owner.is_active:
        raise _PollFailed(
            _(
                "The person who set up this feed is gone: an editor must save the feed to take it over."
            )
        )
    try:
        response = fetch.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except fetch.FetchError as exc:
        raise _PollFailed(str(exc)) from exc
    run.http_status = response.status
    if response.status == 304:
        run.outcome = PollRun.Outcome.NOT_MODIFIED
        return
    notes = []
    may_publish = workflow.can_publish(owner)
    if feed.publish and not may_publish:
        notes.append(
            _("%(user)s, who set up this feed, may not publish: items arrive as drafts.")
            % {"user": owner.get_username()}
        )
    importer = Importer(
        user=owner,
        publish=feed.publish and may_publish,
        format=feed.format,
        topic=feed.topic.name,
        source=feed.source.name,
        item_status=False,
        tags=feed.tag_names(),
        screen=ImportScreen(feed.on_duplicate, feed=feed),
    )
    summary = importer.run([FetchedDocument(feed.url, response)])
    run.created, run.updated, run.skipped = summary.created, summary.updated, summary.skipped
    run.failed = summary.failed
    run.report = "\n".join([*notes, *summary.lines()])[:REPORT_MAX]
    whole = [f for f in summary.failures if f.document]
    if whole:
        # Not stored: the next poll fetches it again in full.
        raise _PollFailed("; ".join(str(f) for f in whole))
    run.outcome = PollRun.Outcome.IMPORTED
    feed.etag, feed.last_modified = response.etag[:500], response.last_modified[:100]
