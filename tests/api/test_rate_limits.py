"""
Rate limits: per address without a key, per key with one; 429 with
Retry-After; on the local-memory cache and on Redis; and when the cache is
down the API keeps answering (fail open) and logs it.
"""

import logging
import os
import uuid
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone

from api.keys import issue_key
from api.models import PartnerKey
from api.throttling import WindowThrottle
from tests.factories import make_article

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_available():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def limits(request, settings, topic):
    """Low limits over each cache backend."""
    prefix = None
    if request.param == "redis":
        if not redis_available():
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not reachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        # A prefix of its own: runs sharing the Redis database never meet.
        prefix = f"newsroom-api-tests-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
    settings.API_RATE_LIMIT_ANONYMOUS = "3/min"
    settings.API_RATE_LIMIT_PARTNER = "5/min"
    make_article(topic=topic)
    yield request.param
    if prefix:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def statuses(client, n, url="/api/v1/articles", **extra):
    return [client.get(url, **extra).status_code for _ in range(n)]


def test_anonymous_callers_are_limited_per_address_with_retry_after(limits, time_machine):
    time_machine.move_to(timezone.now().replace(second=10), tick=False)
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert statuses(client, 3) == [200, 200, 200]
    response = client.get("/api/v1/articles")
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert "no-store" in response["Cache-Control"]
    # Whole seconds until the window ends (50 s into a minute window at :10).
    assert response["Retry-After"] == "50"
    # Other endpoints share the caller's allowance.
    assert client.get("/api/v1/topics").status_code == 429
    # Another address has its own.
    assert statuses(Client(REMOTE_ADDR="203.0.113.6"), 3) == [200, 200, 200]
    # The next window starts afresh.
    time_machine.move_to(timezone.now() + timedelta(seconds=51), tick=False)
    assert client.get("/api/v1/articles").status_code == 200


def test_x_forwarded_for_cannot_dodge_the_limit_without_trusted_proxies(limits):
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [
        client.get("/api/v1/articles", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_counts(limits, settings):
    settings.NINJA_NUM_PROXIES = 1
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert statuses(proxy, 4, HTTP_X_FORWARDED_FOR="198.51.100.1") == [200, 200, 200, 429]
    assert statuses(proxy, 1, HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.2") == [200]


def test_partners_are_limited_per_key_not_per_address(limits):
    raw = issue_key(PartnerKey(name="甲"), by=None)
    other = issue_key(PartnerKey(name="乙"), by=None)
    assert statuses(Client(REMOTE_ADDR="203.0.113.5", headers={"X-API-Key": raw}), 3) == [200] * 3
    # Same key, another address: the same allowance (5).
    keyed_elsewhere = Client(REMOTE_ADDR="203.0.113.9", headers={"X-API-Key": raw})
    assert statuses(keyed_elsewhere, 3) == [200, 200, 429]
    assert "Retry-After" in keyed_elsewhere.get("/api/v1/articles")
    # Another key, and anonymous callers at the same address, are not affected.
    assert statuses(Client(REMOTE_ADDR="203.0.113.9", headers={"X-API-Key": other}), 5) == [200] * 5
    assert statuses(Client(REMOTE_ADDR="203.0.113.5"), 3) == [200] * 3


def test_an_empty_rate_switches_a_limit_off(limits, settings):
    settings.API_RATE_LIMIT_ANONYMOUS = ""
    assert set(statuses(Client(), 10)) == {200}


def test_the_api_keeps_answering_when_the_cache_is_down(settings, topic, caplog, monkeypatch):
    """Nothing listens on port 1: every cache call fails; the API must not."""
    # Written first: saving articles touches the cache too (not the API's part).
    article = make_article(topic=topic)
    raw = issue_key(PartnerKey(name="甲"), by=None)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    settings.API_RATE_LIMIT_ANONYMOUS = "1/min"
    settings.API_RATE_LIMIT_PARTNER = "1/min"
    monkeypatch.setattr(WindowThrottle, "_last_logged", None)
    with caplog.at_level(logging.WARNING, logger="api.throttling"):
        for client in (Client(), Client(headers={"X-API-Key": raw})):
            for url in ["/api/v1/articles", f"/api/v1/articles/{article.slug}", "/api/v1/tags"]:
                assert statuses(client, 2, url) == [200, 200], url
    outage = [r for r in caplog.records if r.name == "api.throttling"]
    # Logged, but once a minute, not once a request.
    assert len(outage) == 1
    assert "cache is unreachable" in outage[0].getMessage()
