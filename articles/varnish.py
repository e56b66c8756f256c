"""
Purges sent to the Varnish instances in front (VARNISH_PURGE_URLS).

After a write commits, its keys go to each instance as one request
`PURGE /` with the header `xkey-purge: key1 key2 …` (deploy/varnish/default.vcl
accepts it from its ACL only). With a job queue (JOBS_BROKER_URL) the purge
is a job, retried while an instance is down; without one it is sent at once
with a short timeout (VARNISH_PURGE_TIMEOUT). Either way a Varnish that is
down never blocks nor breaks a save: it is logged once per outage, and its
pages are bounded by the TTL the app gave them (X-Cache-TTL).
"""

import logging
import urllib.error
import urllib.request

from django.conf import settings

from jobs import enqueue, job

logger = logging.getLogger(__name__)

# Instances whose last purge failed: logged once until one succeeds again.
_down = set()


def send_purge(keys):
    """Purge `keys` in every configured Varnish (after commit); never raises."""
    if not settings.VARNISH_PURGE_URLS or not keys:
        return
    keys = sorted(set(keys))
    try:
        if settings.JOBS_BROKER_URL:
            for url in settings.VARNISH_PURGE_URLS:
                enqueue(purge_varnish_job, kwargs={"url": url, "keys": keys})
            return
    except Exception:
        logger.exception("Varnish purge not queued; sending it now")
    for url in settings.VARNISH_PURGE_URLS:
        purge_varnish(url, keys)


def purge_varnish(url, keys, *, raise_errors=False):
    """One PURGE request to the Varnish at `url`; True if it answered 200."""
    request = urllib.request.Request(
        url.rstrip("/") + "/", method="PURGE", headers={"xkey-purge": " ".join(keys)}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.VARNISH_PURGE_TIMEOUT) as response:
            ok = response.status == 200
    except (OSError, urllib.error.URLError) as error:
        if url not in _down:
            _down.add(url)
            logger.warning(
                "Varnish at %s did not take a purge (%s); pages saved anyway", url, error
            )
        if raise_errors:
            raise
        return False
    if ok and url in _down:
        _down.discard(url)
        logger.warning("Varnish at %s takes purges again", url)
    return ok


@job("cache.purge_varnish", max_attempts=5, time_limit=30)
def purge_varnish_job(*, url, keys):
    """The queued form: an instance that is down is tried again with backoff."""
    purge_varnish(url, keys, raise_errors=True)
