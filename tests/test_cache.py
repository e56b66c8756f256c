"""
The anonymous page cache: hits, bypasses and exact invalidation, on the
local-memory cache and on Redis.
"""

import os
import random
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import workflow
from articles.changes import articles_changed
from articles.models import Article, Topic
from tests.factories import make_article

pytestmark = pytest.mark.django_db

S = Article.Status
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_available():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache switched on, over each cache backend."""
    prefix = None
    if request.param == "redis":
        if not redis_available():
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not reachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        # A prefix of its own, so test runs sharing the server never meet
        # (cache.clear() would flush the whole Redis database).
        prefix = f"newsroom-tests-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
    else:
        cache.clear()
    settings.PAGE_CACHE = True
    settings.COUNT_CACHE = True
    settings.PAGE_CACHE_SECONDS = 600
    yield request.param
    if prefix:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture
def editor():
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="编辑 Editor"))
    return user


def get(client, url):
    response = client.get(url)
    return response, response.content.decode()


def test_second_anonymous_request_is_a_hit_without_queries(page_cache, topic):
    article = make_article(topic=topic, title="缓存测试文章")
    client = Client()
    for url in ["/", article.get_absolute_url(), topic.get_absolute_url(), "/feeds/rss/"]:
        first = client.get(url)
        assert first["X-Page-Cache"] == "miss", url
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url)
        assert second["X-Page-Cache"] == "hit", url
        assert len(queries) == 0, url
        assert second.content == first.content
        assert "public" in second["Cache-Control"] and "max-age" in second["Cache-Control"]
        assert second["ETag"] == first["ETag"]


def test_cached_page_answers_304(page_cache, topic):
    make_article(topic=topic)
    client = Client()
    etag = client.get("/")["ETag"]
    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_language_is_part_of_the_key(page_cache, topic):
    make_article(topic=topic)
    client = Client()
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "最新新闻" in chinese and "Latest news" in english


def test_logged_in_staff_never_get_or_fill_the_cache(page_cache, topic, editor):
    make_article(topic=topic)
    staff = Client()
    staff.force_login(editor)
    for _ in range(2):
        response = staff.get("/")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
    # Nothing was stored for anonymous readers either.
    assert Client().get("/")["X-Page-Cache"] == "miss"


def test_admin_and_preview_are_never_cached(page_cache, topic, editor):
    article = make_article(topic=topic, status=S.DRAFT)
    staff = Client()
    staff.force_login(editor)
    preview = staff.get(f"/admin/articles/article/{article.pk}/preview/")
    assert preview.status_code == 200 and "X-Page-Cache" not in preview
    assert "no-store" in preview["Cache-Control"]
    assert "X-Page-Cache" not in Client().get("/admin/login/")


def test_not_found_is_not_cached(page_cache, topic):
    response = Client().get("/articles/does-not-exist/")
    assert response.status_code == 404 and "X-Page-Cache" not in response


def fill(client, *urls):
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_publish_and_unpublish_show_on_the_next_request(page_cache, topic, editor):
    article = make_article(topic=topic, title="待发布的稿件", status=S.APPROVED, published_at=None)
    client = Client()
    fill(client, "/", topic.get_absolute_url(), "/feeds/rss/")
    workflow.publish(article, by=editor)
    for url in ["/", topic.get_absolute_url(), "/feeds/rss/"]:
        assert "待发布的稿件" in client.get(url).content.decode(), url
    fill(client, "/", article.get_absolute_url())
    workflow.unpublish(article, by=editor)
    assert "待发布的稿件" not in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_edit_of_a_published_article_shows_on_the_next_request(page_cache, topic, editor):
    article = make_article(topic=topic, title="旧的标题")
    client = Client()
    fill(client, "/", article.get_absolute_url())
    copy = workflow.create_working_copy(article, by=editor)
    copy.title = "新的标题"
    copy.save()
    # The working copy is a draft: readers still get the cached published page.
    assert "旧的标题" in client.get(article.get_absolute_url()).content.decode()
    workflow.publish(copy, by=editor)
    assert "新的标题" in client.get(article.get_absolute_url()).content.decode()
    assert "新的标题" in client.get("/").content.decode()


def test_correction_shows_on_the_next_request(page_cache, topic, editor):
    article = make_article(topic=topic)
    client = Client()
    fill(client, article.get_absolute_url())
    workflow.add_correction(article, by=editor, text="更正:数据单位应为亿元。")
    assert "数据单位应为亿元" in client.get(article.get_absolute_url()).content.decode()


def test_topic_and_tag_changes_show_on_the_next_request(page_cache, topic):
    article = make_article(topic=topic, tags=["芯片"])
    client = Client()
    fill(client, "/", article.get_absolute_url())
    topic.name = "行业快讯"
    topic.save()
    assert "行业快讯" in client.get("/").content.decode()
    article.tags.add("半导体")
    assert "半导体" in client.get(article.get_absolute_url()).content.decode()


def test_trash_shows_on_the_next_request(page_cache, topic, editor):
    article = make_article(topic=topic, title="将被删除")
    client = Client()
    fill(client, "/")
    workflow.trash(article, by=editor)
    assert "将被删除" not in client.get("/").content.decode()


def test_bulk_write_announced_with_articles_changed(page_cache, topic):
    article = make_article(topic=topic, title="批量之前")
    client = Client()
    fill(client, "/")
    Article.objects.filter(pk=article.pk).update(title="批量之后")
    # update() bypasses save(): the writer announces it, as importers do.
    articles_changed.send(sender=Article, ids=[article.pk])
    assert "批量之后" in client.get("/").content.decode()


def test_cache_ends_when_the_commit_lands(page_cache, topic, django_capture_on_commit_callbacks):
    make_article(topic=topic)
    client = Client()
    fill(client, "/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Topic.objects.create(name="新栏目")
    assert callbacks, "the keys must also be purged when the transaction commits"
    client.get("/")  # a reader filling the cache before the commit
    for callback in callbacks:
        callback()
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert "新栏目" in client.get("/").content.decode()


def test_scheduled_article_appears_at_its_time_through_the_cache(page_cache, topic, editor):
    make_article(topic=topic, title="早先的文章")
    article = make_article(topic=topic, title="定时的文章", status=S.APPROVED, published_at=None)
    at = timezone.now() + timedelta(hours=1)
    workflow.publish(article, by=editor, at=at)
    client = Client()
    with time_machine.travel(at - timedelta(minutes=1), tick=False):
        fill(client, "/", "/feeds/rss/", topic.get_absolute_url())
        assert "定时的文章" not in client.get("/").content.decode()
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        for url in ["/", "/feeds/rss/", topic.get_absolute_url()]:
            assert "定时的文章" in client.get(url).content.decode(), url


def test_expired_article_leaves_at_its_time_through_the_cache(page_cache, topic):
    expires = timezone.now() + timedelta(hours=1)
    article = make_article(topic=topic, title="会过期的文章", expires_at=expires)
    client = Client()
    with time_machine.travel(expires - timedelta(minutes=1), tick=False):
        fill(client, "/", article.get_absolute_url())
    with time_machine.travel(expires + timedelta(seconds=1), tick=False):
        assert "会过期的文章" not in client.get("/").content.decode()
        assert client.get(article.get_absolute_url()).status_code == 404


def test_list_counts_once_per_content_change(page_cache, topic, settings):
    settings.PAGE_CACHE = False  # render every time; only the count is kept
    for _ in range(25):
        make_article(topic=topic)
    client = Client()
    client.get("/?page=2")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/?page=2").status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in queries)
    make_article(topic=topic)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/?page=2")
    assert any("COUNT(" in q["sql"].upper() for q in queries)
    assert response.context["paginator"].count == 26


def test_page_cache_can_be_switched_off(page_cache, topic, settings):
    settings.PAGE_CACHE = False
    make_article(topic=topic)
    assert "X-Page-Cache" not in Client().get("/")


def test_deep_pages_are_fetched_by_id_in_order_and_in_constant_queries(topic):
    from articles.cache import CachedCountPaginator
    from tests.factories import make_unpublished_variants

    base = timezone.now() - timedelta(days=1)
    order = list(range(130))
    random.Random(7).shuffle(order)  # ids must not follow publication order
    for i in order:
        make_article(topic=topic, title=f"第{i:03d}篇", published_at=base - timedelta(minutes=i))
    make_unpublished_variants(topic=topic)
    deep = 1 + CachedCountPaginator.DEEP_OFFSET // 20  # first page fetched in two steps
    client = Client()

    def titles_and_queries(page):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/?page={page}")
        assert response.status_code == 200
        return [a.title for a in response.context["articles"]], len(queries)

    titles, small = titles_and_queries(deep)
    start = (deep - 1) * 20
    assert titles == [f"第{i:03d}篇" for i in range(start, start + 20)]
    for i in range(130, 260):
        make_article(topic=topic, title=f"第{i:03d}篇", published_at=base - timedelta(minutes=i))
    titles, large = titles_and_queries(deep)
    assert titles == [f"第{i:03d}篇" for i in range(start, start + 20)]
    assert large == small
    last, _ = titles_and_queries(13)  # 260 articles: page 13 is the last
    assert last == [f"第{i:03d}篇" for i in range(240, 260)]
