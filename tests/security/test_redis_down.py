"""
Security checklist: Redis down does not take the site down (issue 9, item 3).

- With the cache at a closed port (REDIS_URL=redis://127.0.0.1:1/10), every
  public page, feed and sitemap answers 200, uncached; editors save and publish.
- A dead Redis costs nothing per request: one connection attempt per
  CACHE_RETRY_SECONDS per process, not one per request (a circuit breaker).
- The log says once that the cache is down and once that it is back.
- After the outage no page cached before it is served once a write was made
  during it (the CacheGeneration number in the database).
- The API's rate limits let requests through (fail open).
- Celery's broker down is covered by tests/test_jobs.py (jobs wait in the database).
"""

import logging
import os
import time
import uuid

import pytest
import redis
import redis.connection
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.cache import raise_generation
from articles.models import Article
from newsroom import resilience
from tests.factories import make_article, make_topic, make_user
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db

S = Article.Status
CLOSED_PORT_URL = "redis://127.0.0.1:1/10"
# Our own Redis database for the outage-and-back tests (TEST_REDIS_URL in CI).
REDIS_URL = os.environ.get(
    "RESILIENCE_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
)


def resilient_cache(location, prefix="newsroom-tests"):
    return {
        "default": {
            "BACKEND": "newsroom.resilience.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_breakers():
    resilience._breakers.clear()
    yield
    resilience._breakers.clear()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = resilient_cache(CLOSED_PORT_URL)
    settings.PAGE_CACHE = True
    settings.COUNT_CACHE = True
    settings.CACHE_RETRY_SECONDS = 30


@pytest.fixture
def connection_attempts(monkeypatch):
    """How many times redis-py opened (or tried to open) a socket."""
    attempts = []
    original = redis.connection.Connection._connect

    def counting(self):
        attempts.append(time.monotonic())
        return original(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counting)
    return attempts


def public_urls(article):
    topic, tag = article.topic, article.tags.first()
    published = article.published_at
    return [
        "/",
        "/?page=1",
        article.get_absolute_url(),
        topic.get_absolute_url(),
        tag.get_absolute_url(),
        "/archive/",
        f"/archive/{published:%Y}/",
        f"/archive/{published:%Y/%m}/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/json/",
        f"/topics/{topic.slug}/rss/",
        f"/tags/{tag.slug}/atom/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemap-articles.xml",
        "/search/?q=缓存",
        "/robots.txt",
        "/api/v1/articles",
    ]


def test_public_pages_feeds_and_sitemaps_answer_200_with_redis_down(redis_down, topic):
    article = make_article(topic=topic, title="缓存宕机时的文章", tags=["储能"])
    client = Client()
    for url in public_urls(article):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get("X-Page-Cache") in (None, "off"), url
    assert "缓存宕机时的文章" in client.get(article.get_absolute_url()).content.decode()


def test_editors_save_and_publish_with_redis_down(redis_down, topic):
    from tests.test_admin_desk import change_url, form_data, workflow_url

    editor = make_user("editor")
    client = Client()
    client.force_login(editor)
    article = make_article(topic=topic, status=S.APPROVED, published_at=None, title="待发布")
    response = client.post(change_url(article), form_data(article, title="缓存宕机时改的标题"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "缓存宕机时改的标题"
    # An edit of an approved article goes back to review; approve it again, then publish.
    if article.status == S.REVIEW:
        assert client.post(workflow_url(article, "approve")).status_code == 302
    response = client.post(workflow_url(article, "publish"), {"published_at": ""})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert Client().get(article.get_absolute_url()).status_code == 200
    # The desk itself answers.
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200


def test_a_dead_redis_costs_one_connection_attempt_not_one_per_request(
    redis_down, connection_attempts, topic
):
    # Saving the topic and the article met the outage first (invalidation).
    article = make_article(topic=topic, tags=["储能"])
    client = Client()
    started = time.perf_counter()
    for _ in range(50):
        assert client.get(article.get_absolute_url()).status_code == 200
    elapsed = time.perf_counter() - started
    assert len(connection_attempts) == 1
    # No connect timeout paid per request (0.2 s each would be 10 s).
    assert elapsed / 50 < 0.2


def test_after_the_retry_interval_one_request_tries_again(redis_down, connection_attempts):
    make_article(topic=make_topic("重试"))
    client = Client()
    for _ in range(3):
        client.get("/")
    assert len(connection_attempts) == 1
    # The interval (CACHE_RETRY_SECONDS) has passed: one request tries, the rest do not.
    breaker = resilience._breakers[f"Cache (Redis at {CLOSED_PORT_URL})"]
    breaker.retry_at = 0
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert len(connection_attempts) == 2


def test_the_log_says_once_that_the_cache_is_down(redis_down, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="newsroom.resilience"):
        make_article(topic=make_topic("日志"))
        for _ in range(20):
            assert client.get("/").status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "newsroom.resilience"]
    assert len(messages) == 1
    assert "unreachable" in messages[0] and "127.0.0.1:1" in messages[0]


def test_the_api_lets_requests_through_when_its_rate_limit_store_is_down(
    redis_down, settings, topic
):
    settings.API_RATE_LIMIT_ANONYMOUS = "2/min"
    make_article(topic=topic)
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [client.get("/api/v1/articles").status_code for _ in range(5)] == [200] * 5


# Outage and back, through a proxy in front of our own Redis database.


def redis_reachable():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def redis_behind_proxy(settings):
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    parsed = redis.connection.parse_url(REDIS_URL)
    proxy = TcpProxy(parsed.get("host", "127.0.0.1"), parsed.get("port", 6379)).start()
    prefix = f"newsroom-resilience-{uuid.uuid4().hex}"
    location = f"redis://127.0.0.1:{proxy.port}/{parsed.get('db', 0)}"
    settings.CACHES = resilient_cache(location, prefix)
    settings.PAGE_CACHE = True
    settings.COUNT_CACHE = True
    settings.PAGE_CACHE_SECONDS = 600
    settings.CACHE_RETRY_SECONDS = 0.1
    # Checked only when this process sees the cache come back (not by the clock).
    settings.CACHE_GENERATION_CHECK_SECONDS = 3600
    yield proxy
    proxy.stop()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_no_page_cached_before_the_outage_is_served_after_a_write_during_it(
    redis_behind_proxy, topic, caplog
):
    proxy = redis_behind_proxy
    editor = make_user("editor")
    article = make_article(topic=topic, title="停机前的标题")
    client = Client()
    for url in ("/", article.get_absolute_url()):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"

    with caplog.at_level(logging.INFO, logger="newsroom.resilience"):
        proxy.stop()
        workflow.unpublish(article, by=editor, note="停机时撤下")
        other = make_article(topic=topic, title="停机时发布的新文章")
        home = client.get("/")
        assert home.status_code == 200 and home["X-Page-Cache"] == "off"
        assert "停机时发布的新文章" in home.content.decode()
        assert client.get(article.get_absolute_url()).status_code == 404

        proxy.start()
        time.sleep(0.15)  # past CACHE_RETRY_SECONDS: the next request tries Redis again
        home = client.get("/")
        assert home.status_code == 200 and home["X-Page-Cache"] == "miss"
        assert "停机时发布的新文章" in home.content.decode()
        assert "停机前的标题" not in home.content.decode()
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(other.get_absolute_url()).status_code == 200
        # And caching works again.
        assert client.get("/")["X-Page-Cache"] == "hit"

    messages = [r.getMessage() for r in caplog.records if r.name == "newsroom.resilience"]
    assert len(messages) == 2, messages
    assert "unreachable" in messages[0] and "reachable again" in messages[1]


def test_a_process_that_slept_through_the_outage_learns_of_it_from_the_database(
    redis_behind_proxy, settings, topic
):
    """Another process wrote during the outage and raised the generation; this one
    never saw Redis go: it drops the old epoch at its next check."""
    settings.CACHE_GENERATION_CHECK_SECONDS = 0
    make_article(topic=topic, title="旧页面")
    client = Client()
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    raise_generation()
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
