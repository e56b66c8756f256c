"""
Staying up when Redis or the database is not (README, "Resilience").

- `ResilientRedisCache`: Django's Redis cache backend, for which an
  unreachable Redis is a miss, not an error. A circuit breaker per Redis
  address and process: after a failure the cache is left alone for
  CACHE_RETRY_SECONDS (reads miss, writes are skipped, at no cost), then
  one request tries again. The log says once that the cache is down and
  once that it is back.
- `DatabaseUnavailableMiddleware` and `server_error`: a request that meets
  an unreachable database gets a fast 503 with Retry-After and
  templates/503.html, not a 500 after a long wait; for DATABASE_RETRY_SECONDS
  after that, requests that need the database get the 503 at once (pages in
  the page cache are still served, by the middleware before this one); then
  one request tries again, and the site recovers by itself.
"""

import logging
import sys
import threading
import time

import redis
from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.backends.signals import connection_created
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist
from django.views import defaults

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """
    Closed (calls go through) until a failure; then open for the seconds in
    the setting `retry_setting` (callers are told not to try), then one
    caller may try: success closes it, failure opens it again. One warning
    when it opens, one when it closes: never one per request.
    """

    def __init__(self, name, retry_setting):
        self.name = name
        self.retry_setting = retry_setting
        self.down = False
        self.retry_at = 0.0
        # How many outages this process has seen end (the page cache checks
        # its epoch against the database after each).
        self.recoveries = 0
        self._lock = threading.Lock()

    @property
    def retry_seconds(self):
        return getattr(settings, self.retry_setting)

    def allow(self):
        if not self.down:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self.retry_at:
                return False
            # Half-open: this caller tries; the others wait for another interval.
            self.retry_at = now + self.retry_seconds
            return True

    def failure(self, error):
        with self._lock:
            was_down = self.down
            self.down = True
            self.retry_at = time.monotonic() + self.retry_seconds
        if not was_down:
            logger.warning(
                "%s is unreachable (%s: %s); going on without it, trying again every %s s",
                self.name,
                type(error).__name__,
                error,
                self.retry_seconds,
            )

    def success(self):
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
            self.recoveries += 1
        logger.warning("%s is reachable again", self.name)


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(name, retry_setting):
    """One breaker per name and process, shared by threads (cache backends are per thread)."""
    with _breakers_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = _breakers[name] = CircuitBreaker(name, retry_setting)
        return breaker


class ResilientRedisCache(RedisCache):
    """
    RedisCache whose reads miss and whose writes are skipped while Redis is
    unreachable (connect and socket timeouts come from OPTIONS, in ms in
    settings). `available` says whether the last call reached Redis: the
    page cache uses it to know that an invalidation did not land.
    incr()/decr() raise CacheUnavailable instead (a counter has no safe
    default: the API's rate limits catch it and let requests through).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.breaker = breaker_for(f"Cache (Redis at {redact(server)})", "CACHE_RETRY_SECONDS")

    @property
    def available(self):
        return not self.breaker.down

    def _guarded(self, call, fallback):
        if not self.breaker.allow():
            return fallback
        try:
            result = call()
        except redis.RedisError as error:
            self.breaker.failure(error)
            return fallback
        self.breaker.success()
        return result

    def get(self, key, default=None, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self._guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._guarded(lambda: super(ResilientRedisCache, self).clear(), False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guarded(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing
        )
        if result is missing:
            raise CacheUnavailable(self.breaker.name)
        return result


class CacheUnavailable(Exception):
    pass


def redact(url):
    """The Redis URL without a password, for the log."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    return url


# The database.

database_breaker = CircuitBreaker("The database", "DATABASE_RETRY_SECONDS")


# SQLite result codes (the low byte of sqlite3.Error.sqlite_errorcode).
SQLITE_UNREACHABLE = {10, 14}  # SQLITE_IOERR, SQLITE_CANTOPEN
SQLITE_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def is_database_outage(error):
    """
    True for errors that say the database cannot be reached (connection
    refused or lost, pool timeout, server shutting down or starting), not
    for a query's own failure (a deadlock, a syntax error).
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ or error
    if type(cause).__module__.startswith(("psycopg", "psycopg_pool")):
        sqlstate = getattr(cause, "sqlstate", None)
        # None: failed on the client side (no connection, pool timeout).
        # Class 08: connection exception; 57P01-57P03: shutdown, crash, starting up.
        return (
            sqlstate is None or sqlstate.startswith("08") or sqlstate in {"57P01", "57P02", "57P03"}
        )
    code = getattr(cause, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in SQLITE_UNREACHABLE


def note_database_error(error):
    """For code that carries on without the database: open the breaker on an outage."""
    if is_database_outage(error):
        database_breaker.failure(error)


def is_transient(error):
    """A query that may well work if tried again: a deadlock, a lock or statement timeout."""
    cause = error.__cause__ or error
    sqlstate = getattr(cause, "sqlstate", None) or ""
    code = getattr(cause, "sqlite_errorcode", None)
    return (
        sqlstate.startswith("40")
        or sqlstate in {"55P03", "57014"}
        or (code is not None and code & 0xFF in SQLITE_BUSY)
    )


def check_pooled_connection(conn):
    """
    The pool's check before it hands out a connection (psycopg_pool's own,
    plus): when one connection is dead, the database probably restarted and
    they all are; drop them all at once, so the request waits for one new
    connection instead of meeting each dead one in turn (psycopg_pool sleeps
    a second between failed checks, longer than DATABASE_POOL_TIMEOUT).
    """
    from psycopg_pool import ConnectionPool

    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        pool = getattr(conn, "_pool", None)
        if pool is not None:
            pool.check()
        raise


def use_pool_check(sender, connection, **kwargs):
    """connection_created: give the connection's pool (once) the check above."""
    pool = getattr(connection, "pool", None)
    if pool is None or getattr(pool, "_check", None) in (None, check_pooled_connection):
        return
    # Django passes ConnectionPool.check_connection when CONN_HEALTH_CHECKS is on
    # and offers no way to choose another.
    pool._check = check_pooled_connection


connection_created.connect(use_pool_check, dispatch_uid="newsroom-pool-check")


def service_unavailable(request=None):
    """The plain 503 page: no database, no base template, no context processors."""
    from django.http import HttpResponse

    try:
        body = loader.get_template("503.html").render()
    except TemplateDoesNotExist:
        body = "Service temporarily unavailable"
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.DATABASE_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """
    A fast 503 while the database is unreachable. Sits after the page cache
    (a cached page needs no database) and before everything that reads the
    database (sessions, users, views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not database_breaker.allow():
            return service_unavailable(request)
        response = self.get_response(request)
        if not getattr(request, "_database_outage", False) and connection.connection is not None:
            # A request that used the database without meeting an outage: it is back.
            database_breaker.success()
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if is_database_outage(exception):
            request._database_outage = True
            database_breaker.failure(exception)
            return service_unavailable(request)
        if is_transient(exception):
            logger.warning("Database busy, answered 503: %s", exception)
            return service_unavailable(request)
        return None  # a query's own error: a 500, logged with its traceback


def server_error(request, template_name="500.html"):
    """
    handler500: a database outage met outside a view (the session saved by
    middleware, say) is a 503 too; everything else is Django's 500.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and is_database_outage(error):
        database_breaker.failure(error)
        return service_unavailable(request)
    return defaults.server_error(request, template_name)
