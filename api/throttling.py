"""
Rate limits: per partner key for keyed requests, per address for anonymous
ones, counted in the default cache (Redis in production) in fixed windows.

django-ninja's own SimpleRateThrottle (a port of Django REST framework's)
keeps a list of timestamps per caller that every request reads, extends
and writes back: two workers at once lose a count, the list grows with the
rate, and the state of the request in progress sits on the shared throttle
object. A counter per window is one atomic increment, whatever the rate.
So these throttles keep ninja's interface (ninja calls allow_request() and
wait() and answers 429 with Retry-After) and its rate syntax ("60/min")
and client address (NINJA_NUM_PROXIES), and count with cache.add/incr.

When the cache is unreachable, the API keeps answering without limits
(fail open) and says so in the log, at most once a minute per process.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import SimpleRateThrottle

from .access import caller_access

logger = logging.getLogger(__name__)

KEY_PREFIX = "newsroom:api-rate"
LOG_EVERY_SECONDS = 60


class WindowThrottle(SimpleRateThrottle):
    """Requests per window for one identity; subclasses say whose and which setting."""

    scope = None
    setting_name = None
    timer = time.time
    _last_logged = None  # time.monotonic() of the last outage warning

    def __init__(self):
        # The rate is read per request (settings may change in tests); no rate here.
        self._local = threading.local()

    def get_rate(self):
        return getattr(settings, self.setting_name)

    def get_identity(self, request):
        raise NotImplementedError

    def allow_request(self, request):
        self._local.wait = None
        rate = self.get_rate()
        identity = self.get_identity(request)
        if not rate or identity is None:
            return True
        limit, duration = self.parse_rate(rate)
        now = self.timer()
        window = int(now // duration)
        key = f"{KEY_PREFIX}:{self.scope}:{identity}:{duration}:{window}"
        try:
            count = self._count(key, duration)
        except Exception:
            self._log_outage()
            return True
        if count <= limit:
            return True
        self._local.wait = (window + 1) * duration - now
        return False

    @staticmethod
    def _count(key, duration):
        """This request's number in the window: incr() counts, add() starts a window."""
        try:
            return cache.incr(key)
        except ValueError:  # no counter yet: the first request of the window
            # add() is atomic: of two first requests, one adds, the other counts.
            if cache.add(key, 1, duration + 1):
                return 1
            return cache.incr(key)

    def wait(self):
        return getattr(self._local, "wait", None)

    @classmethod
    def _log_outage(cls):
        now = time.monotonic()
        last = WindowThrottle._last_logged
        if last is None or now - last >= LOG_EVERY_SECONDS:
            WindowThrottle._last_logged = now
            logger.warning(
                "API rate limits are off: the cache is unreachable (requests are let through)",
                exc_info=True,
            )


class PartnerKeyThrottle(WindowThrottle):
    """API_RATE_LIMIT_PARTNER per partner key (all of a partner's clients together)."""

    scope = "key"
    setting_name = "API_RATE_LIMIT_PARTNER"

    def get_identity(self, request):
        partner = caller_access(request).partner
        return None if partner is None else str(partner.pk)


class AddressThrottle(WindowThrottle):
    """API_RATE_LIMIT_ANONYMOUS per client address, for requests without a key."""

    scope = "address"
    setting_name = "API_RATE_LIMIT_ANONYMOUS"

    def get_identity(self, request):
        if caller_access(request).partner is not None:
            return None
        return self.get_ident(request) or "unknown"
