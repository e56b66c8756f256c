"""
Push on publish: when an article is published (or comes due), corrected or
edited while published, or taken down, tell WebSub hubs (our feeds changed),
IndexNow and Baidu's link submission (this URL changed).

Workflow events are announced after commit (articles.changes.
article_events_recorded); `plan` turns them into PushDelivery rows, one per
event and endpoint (unique, so nothing is announced twice), and enqueues one
job per endpoint and batch. The editor never waits: the job runs in a
worker, retried with backoff on failure, and each delivery keeps the
endpoint's answer. A scheduled publication is pushed when it comes due.
At send time a delivery is checked against the public site: an article
unpublished again before its push is not announced as published.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleEvent
from jobs import Permanent, enqueue, job

from .models import PushDelivery

logger = logging.getLogger(__name__)
A = ArticleEvent.Action
D = PushDelivery
CHANGES = {
    A.PUBLISH: D.Change.PUBLISHED,
    A.SCHEDULE: D.Change.PUBLISHED,
    A.RESTORE: D.Change.PUBLISHED,
    A.PUBLISH_EDIT: D.Change.UPDATED,
    A.CORRECT: D.Change.UPDATED,
    A.UNPUBLISH: D.Change.REMOVED,
    A.TRASH: D.Change.REMOVED,
}
RESPONSE_MAX = 2000


class PushFailed(Exception):
    """The endpoint did not take the push; retried by the job."""


def endpoints():
    """The endpoints configured in settings (none without SITE_URL: links must be absolute)."""
    if not settings.SITE_URL:
        return []
    found = []
    if settings.WEBSUB_HUB_URLS:
        found.append(D.Endpoint.WEBSUB)
    if settings.INDEXNOW_KEY:
        found.append(D.Endpoint.INDEXNOW)
    if settings.BAIDU_PUSH_TOKEN:
        found.append(D.Endpoint.BAIDU)
    return found


def absolute(path):
    return settings.SITE_URL + path


def feed_urls(article):
    """The feeds an article appears in (site, its topic, its tags), in every format."""
    urls = [
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("articles:feed-json"),
    ]
    topic = article.topic
    urls += [
        reverse(f"articles:topic-{kind}", kwargs={"slug": topic.slug})
        for kind in ("rss", "atom", "json")
    ]
    for tag in article.tags.all():
        urls += [
            reverse(f"articles:tag-{kind}", kwargs={"slug": tag.slug})
            for kind in ("rss", "atom", "json")
        ]
    return [absolute(url) for url in urls]


def plan(events):
    """Deliveries and jobs for the workflow `events` that change what readers see."""
    targets = endpoints()
    events = [e for e in events if e.action in CHANGES and e.article_id]
    if not targets or not events:
        return []
    articles = {
        a.pk: a
        for a in Article.objects.filter(
            pk__in={e.article_id for e in events}, working_copy_of__isnull=True
        )
        .select_related("topic")
        .prefetch_related("tags")
    }
    now = timezone.now()
    deliveries = []
    for event in events:
        article = articles.get(event.article_id)
        if article is None:
            continue  # a working copy, or gone since
        change = CHANGES[event.action]
        not_before = now
        if event.action == A.SCHEDULE and article.published_at and article.published_at > now:
            not_before = article.published_at
        if event.action == A.TRASH and event.from_status != Article.Status.PUBLISHED:
            continue  # a draft moved to the trash was never public
        for endpoint in targets:
            deliveries.append(
                D(
                    article=article,
                    event_id=event.pk,
                    endpoint=endpoint,
                    change=change,
                    url=absolute(article.get_absolute_url()),
                    feeds=feed_urls(article) if endpoint == D.Endpoint.WEBSUB else [],
                    not_before=not_before,
                )
            )
    if not deliveries:
        return []
    with transaction.atomic():
        D.objects.bulk_create(deliveries, ignore_conflicts=True)
        stored = list(
            D.objects.filter(
                event_id__in=[e.pk for e in events], status=D.Status.PENDING
            ).values_list("pk", "endpoint", "not_before")
        )
        groups = {}
        for pk, endpoint, not_before in stored:
            moment = not_before if not_before > now else None
            groups.setdefault((endpoint, moment), []).append(pk)
        for (endpoint, moment), ids in groups.items():
            ids.sort()
            enqueue(
                send_pushes,
                key=f"push:{endpoint}:{ids[0]}-{ids[-1]}:{len(ids)}",
                kwargs={"ids": ids},
                run_after=moment,
            )
    return stored


@job("wire.push", max_attempts=6, time_limit=120)
def send_pushes(*, ids):
    """Deliver the pending deliveries `ids` (one endpoint); raise to retry the ones that failed."""
    with transaction.atomic():
        pending = list(
            D.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, status=D.Status.PENDING)
            .select_related("article")
            .order_by("pk")
        )
        if not pending:
            return "nothing pending"
        due, dropped = _still_true(pending)
        for delivery in dropped:
            delivery.status = D.Status.SKIPPED
            delivery.response = "not sent: the article's state changed before the push"
            delivery.save(update_fields=["status", "response"])
        if not due:
            return f"{len(dropped)} skipped"
        endpoint = due[0].endpoint
        sender = {
            D.Endpoint.WEBSUB: _websub,
            D.Endpoint.INDEXNOW: _indexnow,
            D.Endpoint.BAIDU: _baidu,
        }[endpoint]
        answers = sender(due)  # [(delivery list, status, text, ok)]
        failed = []
        now = timezone.now()
        for group, status, text, ok in answers:
            for delivery in group:
                delivery.attempts += 1
                delivery.response_status = status
                delivery.response = text[:RESPONSE_MAX]
                if ok:
                    delivery.status = D.Status.DELIVERED
                    delivery.delivered_at = now
                elif status is not None and 400 <= status < 500 and status != 429:
                    delivery.status = D.Status.FAILED  # refused: retrying would not help
                else:
                    failed.append(delivery)
                delivery.save(
                    update_fields=[
                        "attempts",
                        "response_status",
                        "response",
                        "status",
                        "delivered_at",
                    ]
                )
    if failed:
        raise PushFailed(
            f"{len(failed)} of {len(due)} deliveries to {endpoint} failed: {failed[0].response[:200]}"
        )
    refused = [d for d in due if d.status == D.Status.FAILED]
    if refused:
        raise Permanent(
            f"{endpoint} refused {len(refused)} deliveries: {refused[0].response[:200]}"
        )
    return f"{len(due)} delivered to {endpoint}"


def _still_true(deliveries):
    """Split into (still worth sending, no longer true): a published article must still be public, a removed one not."""
    public = set(
        Article.objects.published()
        .filter(pk__in=[d.article_id for d in deliveries if d.article_id])
        .values_list("pk", flat=True)
    )
    due, dropped = [], []
    for delivery in deliveries:
        visible = delivery.article_id in public
        wanted = visible if delivery.change != D.Change.REMOVED else not visible
        (due if wanted else dropped).append(delivery)
    return due, dropped


# Senders: each returns [(deliveries, HTTP status or None, answer text, ok)] -----------


def _post(url, data, content_type):
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": content_type, "User-Agent": "Newsroom-push/1.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.PUSH_TIMEOUT) as response:
            return response.status, response.read(RESPONSE_MAX).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(RESPONSE_MAX).decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _websub(deliveries):
    """One publish ping per hub naming every feed that changed (hub.url repeated)."""
    feeds = sorted({url for d in deliveries for url in d.feeds})
    body = urllib.parse.urlencode(
        [("hub.mode", "publish"), *(("hub.url", url) for url in feeds)]
    ).encode()
    answers = []
    for hub in settings.WEBSUB_HUB_URLS:
        status, text = _post(hub, body, "application/x-www-form-urlencoded")
        answers.append((status, f"{hub}: {status} {text}".strip()))
    ok = all(status is not None and 200 <= status < 300 for status, _ in answers)
    worst = next((s for s, _ in answers if not (s and 200 <= s < 300)), answers[-1][0])
    return [(deliveries, worst, "\n".join(text for _, text in answers), ok)]


def indexnow_key_location():
    return absolute(reverse("wire:indexnow-key", kwargs={"key": settings.INDEXNOW_KEY}))


def _indexnow(deliveries):
    """One request for up to 10,000 URLs (the IndexNow limit)."""
    answers = []
    for start in range(0, len(deliveries), 10_000):
        group = deliveries[start : start + 10_000]
        payload = {
            "host": urllib.parse.urlsplit(settings.SITE_URL).hostname,
            "key": settings.INDEXNOW_KEY,
            "keyLocation": indexnow_key_location(),
            "urlList": sorted({d.url for d in group}),
        }
        status, text = _post(
            settings.INDEXNOW_ENDPOINT,
            json.dumps(payload).encode(),
            "application/json; charset=utf-8",
        )
        answers.append((group, status, f"{status} {text}".strip(), status in (200, 202)))
    return answers


BAIDU_ACTIONS = {D.Change.PUBLISHED: "urls", D.Change.UPDATED: "update", D.Change.REMOVED: "del"}


def _baidu(deliveries):
    """Baidu's link submission: new URLs to /urls, changed to /update, removed to /del."""
    answers = []
    for change, action in BAIDU_ACTIONS.items():
        group = [d for d in deliveries if d.change == change]
        if not group:
            continue
        query = urllib.parse.urlencode(
            {"site": settings.SITE_URL, "token": settings.BAIDU_PUSH_TOKEN}
        )
        url = f"{settings.BAIDU_PUSH_ENDPOINT.rstrip('/')}/{action}?{query}"
        body = "\n".join(sorted({d.url for d in group})).encode()
        status, text = _post(url, body, "text/plain")
        ok = status == 200 and '"error"' not in text
        answers.append((group, status, f"{status} {text}".strip(), ok))
    return answers
