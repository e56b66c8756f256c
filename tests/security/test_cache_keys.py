"""
Security checklist: nobody can fill the page cache (issue 9, item 7).

- The key holds only what a page reads: scheme, host, language, path and
  `page` (PAGE_CACHE_QUERY_PARAMETERS). Tracking parameters (utm_*, fbclid,
  gclid, spm, from) and made-up ones are dropped before the view runs: N
  junk requests add no cache keys, on local memory and on Redis.
- A made-up session cookie does not bypass the cache; a logged-in session does.
- http and https pages are kept apart (canonical and feed links carry the scheme).
"""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from newsroom import resilience
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get(
    "RESILIENCE_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
)
JUNK = [
    "utm_source={n}",
    "utm_medium=x&utm_campaign={n}",
    "fbclid={n}",
    "gclid={n}",
    "spm=a.b.{n}",
    "from=timeline{n}",
    "x{n}=1",
    "page=1&junk={n}",
    "page=0001&n={n}",
    "q={n}",
]


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache switched on; yields a function counting the keys stored."""
    settings.PAGE_CACHE = True
    settings.COUNT_CACHE = True
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "locmem":
        yield lambda: len(caches["default"]._cache)
        return
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    resilience._breakers.clear()
    prefix = f"newsroom-keys-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.resilience.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(REDIS_URL)
    yield lambda: sum(1 for _ in client.scan_iter(f"{prefix}:*"))
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_junk_and_tracking_parameters_add_no_cache_keys(page_cache, topic):
    count_keys = page_cache
    article = make_article(topic=topic, title="参数测试")
    client = Client()
    urls = ["/", article.get_absolute_url(), topic.get_absolute_url(), "/feeds/rss/"]
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url
    keys = count_keys()
    for n in range(50):
        for url in urls:
            response = client.get(f"{url}?{JUNK[n % len(JUNK)].format(n=n)}")
            assert response.status_code == 200
            assert response["X-Page-Cache"] == "hit", url
    assert count_keys() == keys


def test_the_page_number_is_keyed_and_normalised(page_cache, topic):
    for i in range(25):
        make_article(topic=topic, title=f"第{i}篇")
    client = Client()
    assert client.get("/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/?page=02&utm_source=x")["X-Page-Cache"] == "hit"
    assert client.get("/?page=1")["X-Page-Cache"] == "miss"  # the same page as /
    assert client.get("/")["X-Page-Cache"] == "hit"
    first, second = client.get("/").content, client.get("/?page=2").content
    assert first != second
    # Bad page numbers are 404s, never stored.
    keys = page_cache()
    for page in ["abc", "99999", "0", "-1", "9" * 5000]:
        assert client.get(f"/?page={page}").status_code == 404
    assert page_cache() == keys


def test_pages_rendered_for_a_junk_url_carry_no_junk(page_cache, topic):
    for i in range(25):
        make_article(topic=topic, title=f"第{i}篇")
    html = Client().get("/?utm_source=evil&x=<script>").content.decode()
    assert "utm_source" not in html and "evil" not in html
    assert "?page=2" in html


def test_a_made_up_session_cookie_does_not_bypass_the_cache(page_cache, topic):
    make_article(topic=topic)
    Client().get("/")
    keys = page_cache()
    for n in range(20):
        client = Client()
        client.cookies["sessionid"] = f"made-up-session-{n:04d}-{'x' * 20}"
        response = client.get("/")
        assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    assert page_cache() == keys


def test_a_logged_in_session_still_bypasses_the_cache(page_cache, topic):
    make_article(topic=topic)
    Client().get("/")
    staff = Client()
    staff.force_login(make_user("editor"))
    response = staff.get("/")
    assert response.status_code == 200 and "X-Page-Cache" not in response


def test_http_and_https_pages_are_kept_apart(page_cache, topic, settings):
    article = make_article(topic=topic)
    client = Client()
    for url in ["/", article.get_absolute_url(), "/feeds/atom/"]:
        plain = client.get(url)
        secure = client.get(url, secure=True)
        assert secure["X-Page-Cache"] == "miss", url
        assert "https://testserver/" in secure.content.decode(), url
        assert "https://testserver/" not in plain.content.decode(), url
