"""
The anonymous page cache and its exact invalidation.

Public pages are cached whole, for readers without a session, and each is
valid while two things hold:

- its *dependency keys* are unchanged. While a page renders, the keys it
  depends on are collected (articles/cache_keys.py: `article-<id>` of every
  article shown, the list, topic, tag, author, archive period, feed or
  sitemap it draws from, `site`). Each key has a version, the next number
  of a purge sequence (SEQ_KEY) at its last purge; the page is stored with
  the versions of its keys and served only while all are the same (one
  more get_many on a hit). A committed write that can change a public page
  purges exactly the keys it touches, at once and again on commit, and
  sends them to Varnish (articles/varnish.py). A page whose render began
  before a purge of one of its keys is not stored.
- its *content epoch* is current: a token renewed at the next scheduled
  moment (a publication time or an expiry time coming due), because
  publication is decided at query time and a cached page must not outlive
  it, and after a cache outage (below).

So readers see a change on their next request. Keys, versions and the epoch
live in the default cache: with several app servers or gunicorn workers,
set REDIS_URL so they share them (a local-memory cache is per process;
there the page cache keeps pages for at most PUBLIC_CACHE_SECONDS).

Logged-in staff (a session cookie naming a logged-in session), the admin
and previews are never served from, nor stored in, the cache. A cookie that
names no such session is ignored.

The key holds what a page reads and nothing a caller can vary at will: the
scheme, host, language, path and the query parameters in
PAGE_CACHE_QUERY_PARAMETERS (`page`, normalised). Every other parameter
(utm_*, fbclid, junk) is removed from the request before the view sees it,
so the page stored is the page the key names.

When the cache is unreachable (newsroom.resilience.ResilientRedisCache),
pages are rendered uncached. An invalidation that could not reach the cache
raises the CacheGeneration number in the database; epochs carry the number
they were made under and are checked against it when this process sees the
cache come back, and at least every CACHE_GENERATION_CHECK_SECONDS, so no
page cached before an outage is served after a write made during it.
"""

import hashlib
import logging
import time
import uuid
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.cache import set_response_etag
from django.utils.functional import cached_property

from newsroom.resilience import CacheUnavailable, database_breaker, note_database_error

from . import cache_keys

logger = logging.getLogger(__name__)

EPOCH_KEY = "newsroom:content-epoch"
PAGE_KEY_PREFIX = "newsroom:page"
COUNT_KEY_PREFIX = "newsroom:count"
# Headers worth keeping with a cached page (the rest are per response or added outside).
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Vary",
    "Location",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Content-Type-Options",
)


def cache_available():
    """False while the cache backend says its server is unreachable."""
    return getattr(cache, "available", True)


def cache_recoveries():
    breaker = getattr(cache, "breaker", None)
    return 0 if breaker is None else breaker.recoveries


def current_generation():
    from .models import CacheGeneration

    return CacheGeneration.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def raise_generation():
    """Record in the database that an invalidation did not reach the cache."""
    from .models import CacheGeneration

    now = timezone.now()
    if not CacheGeneration.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now):
        CacheGeneration.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": now})


# When this process last compared the cache's epoch with the database.
_checked = {"at": float("-inf"), "recoveries": 0}


def epoch_is_current(epoch):
    """
    False if the epoch was made before a change the cache missed. Asks the
    database after every cache outage this process saw end, and otherwise at
    most every CACHE_GENERATION_CHECK_SECONDS (a process that slept through
    an outage learns of it that way). True when the database cannot answer.
    """
    recoveries = cache_recoveries()
    now = time.monotonic()
    if (
        _checked["recoveries"] == recoveries
        and now - _checked["at"] < settings.CACHE_GENERATION_CHECK_SECONDS
    ) or database_breaker.down:
        return True
    try:
        generation = current_generation()
    except DatabaseError as error:
        # Serve what the cache has; the next middleware answers 503 at once
        # to requests that need the database.
        note_database_error(error)
        return True
    _checked.update(at=now, recoveries=recoveries)
    return epoch.get("generation") == generation


def content_epoch(now=None, epoch=None):
    """
    {"token": str, "next_change": datetime | None, "generation": int} for
    public content as it is now. `epoch` is the value already read from the
    cache, if any.
    """
    now = now or timezone.now()
    if epoch is None:
        epoch = cache.get(EPOCH_KEY)
    if (
        epoch is None
        or (epoch["next_change"] is not None and now >= epoch["next_change"])
        or not epoch_is_current(epoch)
    ):
        from .selectors import next_scheduled_change

        epoch = {
            "token": uuid.uuid4().hex,
            "next_change": next_scheduled_change(now),
            "generation": current_generation(),
        }
        cache.set(EPOCH_KEY, epoch, timeout=None)
    return epoch


KEY_PREFIX = "newsroom:key"
SEQ_KEY = "newsroom:purge-seq"


def key_name(key):
    return f"{KEY_PREFIX}:{key}"


def next_purge_number():
    """
    A number greater than any given before: the purge sequence. Begins at
    the clock in milliseconds, so a sequence lost with the cache (flushed,
    evicted) restarts above every number stored before.
    """
    try:
        return cache.incr(SEQ_KEY)
    except ValueError:
        cache.add(SEQ_KEY, int(time.time() * 1000))
        return cache.incr(SEQ_KEY)


def purge_keys(keys):
    """
    Invalidate every cached page that depends on any of `keys`: each key's
    version becomes the next number of the purge sequence. A page is served
    only while all its keys hold the versions it was stored with.
    """
    keys = sorted(set(keys))
    if not keys:
        return
    try:
        number = next_purge_number()
        failed = cache.set_many({key_name(key): number for key in keys}, timeout=None)
    except CacheUnavailable:
        failed = True  # newsroom.resilience logs the outage, once
    except Exception:
        logger.exception("Cache keys %s not purged", keys[:20])
        failed = True
    if failed or not cache_available():
        # The cache did not hear of this change: when it is back, its epoch
        # (and every page stored under it) must not be trusted.
        raise_generation()


def end_epoch():
    """Invalidate every cached page (all of them depend on the `site` key)."""
    purge_keys([cache_keys.SITE])


def purge(keys):
    """
    Purge `keys` now and again once the transaction commits (our cache), and
    after the commit in the Varnish instances in front (articles/varnish.py):
    a reader who renders between the two may cache pre-commit content, but
    only under versions that the commit then changes.
    """
    keys = set(keys)
    if not keys:
        return
    purge_keys(keys)

    def after_commit():
        from .varnish import send_purge

        purge_keys(keys)
        send_purge(keys)

    transaction.on_commit(after_commit, robust=True)


def article_saved(sender, instance, **kwargs):
    purge(cache_keys.keys_for_articles([instance.pk]))


def article_related_saved(sender, instance, **kwargs):
    """A correction or slug redirect: the pages showing its article."""
    purge(cache_keys.keys_for_articles([instance.article_id], neighbours=False))


def tag_link_saved(sender, instance, **kwargs):
    keys = cache_keys.keys_for_articles([instance.content_object_id], neighbours=False)
    if keys:
        keys.add(f"tag-{instance.tag_id}")
    purge(keys)


def author_link_saved(sender, instance, **kwargs):
    keys = cache_keys.keys_for_articles([instance.article_id], neighbours=False)
    if keys:
        keys.add(f"author-{instance.author_id}")
    purge(keys)


def tags_changed(sender, instance, action, pk_set=None, reverse=False, model=None, **kwargs):
    if not action.startswith("post_"):
        return
    from .models import Article

    if isinstance(instance, Article):
        article_ids, tag_ids = [instance.pk], set(pk_set or ())
    elif pk_set:
        article_ids, tag_ids = list(pk_set), {instance.pk}
    else:
        # A tag cleared of all its articles: every page that listed it.
        purge([cache_keys.SITE])
        return
    keys = cache_keys.keys_for_articles(article_ids, neighbours=False)
    if keys:
        keys |= {f"tag-{pk}" for pk in tag_ids}
    purge(keys)


def site_changed(sender, instance=None, created=False, **kwargs):
    """Topics, tags, sources and authors show on many pages (navigation, names)."""
    from .models import Author, Tag

    if created and sender in (Tag, Author):
        return  # a new tag or author shows nowhere until an article names it
    purge([cache_keys.SITE])


def articles_changed(sender, ids=(), **kwargs):
    # Sent after commit by bulk writers.
    purge(cache_keys.keys_for_articles(ids))


def content_changed(**kwargs):
    """Everything may have changed: purge the whole site."""
    purge([cache_keys.SITE])


def connect_signals():
    from .changes import articles_changed as articles_changed_signal
    from .models import (
        Article,
        ArticleAuthor,
        Author,
        Correction,
        SlugRedirect,
        Source,
        Tag,
        TaggedArticle,
        Topic,
    )

    handlers = [
        (Article, article_saved),
        (Correction, article_related_saved),
        (SlugRedirect, article_related_saved),
        (TaggedArticle, tag_link_saved),
        (ArticleAuthor, author_link_saved),
        (Source, site_changed),
        (Tag, site_changed),
        (Topic, site_changed),
        (Author, site_changed),
    ]
    for model, handler in handlers:
        post_save.connect(handler, sender=model, dispatch_uid=f"page-cache-save-{model.__name__}")
        post_delete.connect(
            handler, sender=model, dispatch_uid=f"page-cache-delete-{model.__name__}"
        )
    m2m_changed.connect(tags_changed, sender=TaggedArticle, dispatch_uid="page-cache-tags")
    articles_changed_signal.connect(articles_changed, dispatch_uid="page-cache-bulk")


def seconds_until(moment, now):
    return None if moment is None else (moment - now).total_seconds()


class AnonymousPageCacheMiddleware:
    """
    Serve and store whole public pages for anonymous GET requests. Sits
    inside ConditionalGetMiddleware (so cached pages still answer 304s) and
    before the session and locale middleware, which a hit does not need; the
    language, part of the key, is read as LocaleMiddleware reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.is_cacheable_request(request):
            return self.get_response(request)
        canonicalise_query(request)
        now = timezone.now()
        key = self.page_key(request)
        # One round trip for the epoch, the purge sequence and the page; a
        # second one for the versions of the page's keys.
        found = cache.get_many([EPOCH_KEY, SEQ_KEY, key])
        if not cache_available():
            # Redis is down: render uncached (the backend tries it again later).
            response = self.get_response(request)
            response.headers["X-Page-Cache"] = "off"
            return response
        try:
            epoch = self.current_epoch(now, found.get(EPOCH_KEY))
        except DatabaseError as error:
            note_database_error(error)
            epoch = None
        if epoch is None:
            # The database is down and the epoch must be renewed: no page can
            # be trusted; the view answers (with a 503, from the next middleware).
            return self.get_response(request)
        stored = found.get(key)
        if stored is not None and stored[0] == epoch["token"]:
            _token, stored_at, versions, status, headers, content, expires = stored
            # No purge at all since the page was stored (the sequence has not
            # moved): nothing it shows changed, no second round trip.
            if found.get(SEQ_KEY) == stored_at or self.versions_unchanged(versions):
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response.headers[name] = value
                self.mark_cacheable(response, versions, expires - time.time())
                response.headers["X-Page-Cache"] = "hit"
                return response
        # Purges from here on change the versions this page will be stored with.
        started = found.get(SEQ_KEY)
        if started is None:
            cache.add(SEQ_KEY, int(time.time() * 1000))
            started = cache.get(SEQ_KEY)
        with cache_keys.collecting() as collector:
            response = self.get_response(request)
        if self.is_cacheable_response(response):
            timeout = settings.PAGE_CACHE_SECONDS
            until_change = seconds_until(epoch["next_change"], now)
            if until_change is not None:
                timeout = min(timeout, int(until_change))
            versions = self.versions_at(collector.result(), started)
            if timeout > 0 and versions is not None and cache_available():
                if not response.has_header("ETag"):
                    set_response_etag(response)
                headers = [
                    (h, response.headers[h]) for h in STORED_HEADERS if h in response.headers
                ]
                expires = time.time() + timeout
                value = (
                    epoch["token"],
                    started,
                    versions,
                    response.status_code,
                    headers,
                    response.content,
                    expires,
                )
                cache.set(key, value, timeout)
                self.mark_cacheable(response, versions, timeout)
            response.headers["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def versions_unchanged(versions):
        current = cache.get_many([key_name(k) for k in versions])
        return all(current.get(key_name(k)) == v for k, v in versions.items())

    @staticmethod
    def versions_at(keys, started):
        """
        {key: version} for `keys` as they are now, or None if any was purged
        since the request started (its render may predate the purge). A key
        never purged gets a version now (only if it still has none), so that
        losing it from the cache later changes it.
        """
        if started is None:
            return None
        names = {key_name(k): k for k in keys}
        current = cache.get_many(list(names))
        for name in names.keys() - current.keys():
            if not cache.add(name, started, timeout=None):
                current[name] = cache.get(name)
            else:
                current[name] = started
        versions = {names[name]: version for name, version in current.items()}
        if len(versions) != len(names) or any(v is None or v > started for v in versions.values()):
            return None
        return versions

    @staticmethod
    def mark_cacheable(response, versions, seconds):
        """
        The keys for a cache in front (Varnish's xkey) and how long it may
        keep the page: at most until the next scheduled moment.
        """
        response.headers["xkey"] = " ".join(sorted(versions))
        response.headers["X-Cache-TTL"] = str(max(int(seconds), 0))

    @staticmethod
    def current_epoch(now, epoch):
        """The epoch, or None when it needs the database and the database is down."""
        if database_breaker.down:
            due = epoch is None or (
                epoch["next_change"] is not None and now >= epoch["next_change"]
            )
            return None if due else epoch
        return content_epoch(now, epoch)

    @staticmethod
    def is_cacheable_request(request):
        return (
            settings.PAGE_CACHE
            and request.method == "GET"
            and not request.path.startswith(settings.PAGE_CACHE_EXCLUDE_PREFIXES)
            and not has_logged_in_session(request)
        )

    @staticmethod
    def is_cacheable_response(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code in (200, 301)
            and not response.streaming
            and "public" in cache_control
            and "Set-Cookie" not in response.headers
            and not response.cookies
            and "Cookie" not in response.get("Vary", "")
        )

    @staticmethod
    def page_key(request):
        language = translation.get_language_from_request(request)
        raw = f"{request.scheme}|{request.get_host()}|{language}|{request.get_full_path()}"
        return f"{PAGE_KEY_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()}"


def has_logged_in_session(request):
    """
    True if the session cookie names a session someone is logged in with.
    A made-up cookie costs one lookup and is then served from the cache
    like any anonymous reader; while the database is down nobody counts as
    logged in (the public page is all anyone can have).
    """
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    if database_breaker.down:
        return False
    engine = import_module(settings.SESSION_ENGINE)
    try:
        return engine.SessionStore(session_key).get(SESSION_KEY) is not None
    except DatabaseError as error:
        note_database_error(error)
        return False


def canonicalise_query(request):
    """
    Keep only the query parameters cached pages read (one value each, page
    numbers without leading zeros, no page=1): the view sees exactly the
    request the page key names.
    """
    kept = []
    for name in settings.PAGE_CACHE_QUERY_PARAMETERS:
        value = request.GET.get(name)
        if value is None:
            continue
        if name == "page" and value.isascii() and value.isdigit():
            value = value.lstrip("0") or "0"
            if value == "1":
                continue
        kept.append((name, value))
    query = urlencode(kept)
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


class CachedCountPaginator(Paginator):
    """
    A paginator for long archives:

    - it counts once per change of the lists (the `list` and `site` keys)
      and scheduled moment instead of on every request (a
      COUNT(*) over a large archive is the costliest part of a list);
      `count_key` names the list (view and its arguments), not the SQL, which
      carries the current time;
    - past the first pages it fetches a page in two steps, the ids first
      (an index-only scan, however deep the OFFSET) and then just those rows,
      so page 500 costs about what page 1 does.
    """

    # Below this offset one query is cheaper than two.
    DEEP_OFFSET = 100

    def __init__(self, object_list, per_page, *, count_key, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        if not settings.COUNT_CACHE or not cache_available():
            return super().count
        token = content_epoch()["token"]
        # Every publication, takedown or move purges `list`; `site` the rest.
        names = [key_name("list"), key_name(cache_keys.SITE)]
        versions = cache.get_many(names)
        digest = hashlib.sha256(self.count_key.encode()).hexdigest()
        key = (
            f"{COUNT_KEY_PREFIX}:{token}:{versions.get(names[0])}:{versions.get(names[1])}:{digest}"
        )
        count = cache.get(key)
        if count is None:
            count = super().count
            cache.set(key, count, settings.PAGE_CACHE_SECONDS)
        return count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom < self.DEEP_OFFSET or not hasattr(self.object_list, "values_list"):
            return self._get_page(self.object_list[bottom:top], number, self)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
