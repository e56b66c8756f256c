"""
Article bodies and list items rendered once per version (articles/rendering.py):
what is kept is never stale, never unpublished, and the pages render without
a cache. The page cache is off here (tests/settings.py): every request
reaches the views, and the render cache (the default cache) is what is tested.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import rendering, workflow
from articles.models import Article, Topic
from newsroom import resilience
from tests.factories import make_article, make_image, make_source, make_user

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def editor(db):
    return make_user("editor")


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def kept_keys(prefix):
    """The render cache's keys of one kind (the tests' cache is local memory)."""
    return [key for key in cache._cache if f":{prefix}:" in key]


# The article body ------------------------------------------------------------


def test_body_is_rendered_once_and_served_from_the_cache(client, topic, monkeypatch):
    article = make_article(topic=topic, body="<p>第一版正文</p>")
    assert "第一版正文" in page(client, article.get_absolute_url())
    assert len(kept_keys(rendering.BODY_KEY_PREFIX)) == 1

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(rendering, "render_body", no_rendering)
    assert "第一版正文" in page(client, article.get_absolute_url())


def test_an_edit_published_through_a_working_copy_shows_at_once(client, topic, editor):
    article = make_article(topic=topic, body="<p>旧的正文</p>")
    assert "旧的正文" in page(client, article.get_absolute_url())

    copy = workflow.create_working_copy(article, by=editor)
    copy.body = "<p>新的正文</p>"
    workflow.save_article(copy, by=editor)
    # The copy is a draft: readers keep the published text, cached or not.
    html = page(client, article.get_absolute_url())
    assert "旧的正文" in html and "新的正文" not in html

    workflow.submit_for_review(copy, by=editor)
    workflow.approve(copy, by=editor)
    workflow.publish(copy, by=editor)
    html = page(client, article.get_absolute_url())
    assert "新的正文" in html and "旧的正文" not in html


def test_a_write_around_save_never_serves_the_old_body(client, topic):
    article = make_article(topic=topic, body="<p>原文</p>")
    page(client, article.get_absolute_url())
    # A bulk update counts no version; the key still names the text.
    Article.objects.filter(pk=article.pk).update(body="<p>批量改过的正文</p>")
    html = page(client, article.get_absolute_url())
    assert "批量改过的正文" in html and "原文" not in html


def test_a_correction_shows_with_the_body_unchanged(client, topic, editor):
    article = make_article(topic=topic, body="<p>正文不变</p>")
    page(client, article.get_absolute_url())
    version = article.version
    workflow.add_correction(article, by=editor, text="更正：日期有误。")
    html = page(client, article.get_absolute_url())
    assert "更正：日期有误。" in html and "正文不变" in html
    assert Article.objects.get(pk=article.pk).version > version


def test_a_figure_follows_its_image_not_the_cached_copy(client, topic):
    image = make_image(caption="旧图注", credit="新华社")
    article = make_article(
        topic=topic, body=f'<p>文</p><figure data-image-id="{image.pk}"></figure>'
    )
    assert "旧图注" in page(client, article.get_absolute_url())
    image.caption = "新图注"
    image.save()
    html = page(client, article.get_absolute_url())
    assert "新图注" in html and "旧图注" not in html


def test_a_figure_credit_is_in_the_readers_language(client, topic):
    image = make_image(credit="新华社")
    article = make_article(topic=topic, body=f'<figure data-image-id="{image.pk}"></figure>')
    url = article.get_absolute_url()
    assert "图片来源:新华社" in page(client, url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Photo: 新华社" in english and "图片来源" not in english
    assert "图片来源:新华社" in page(client, url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_feed_bodies_are_kept_apart_from_page_bodies(client, topic):
    image = make_image(credit="新华社", redistributable=True)
    make_article(topic=topic, body=f'<p>文</p><figure data-image-id="{image.pk}"></figure>')
    for _ in range(2):
        feed = page(client, "/feeds/rss/")
        # Feeds carry absolute image URLs; pages relative ones.
        assert "http://testserver/media/" in feed
    assert len(kept_keys(rendering.BODY_KEY_PREFIX)) == 1


# List items ------------------------------------------------------------------


def test_list_items_follow_the_article_topic_and_source(client, topic):
    source = make_source("人民日报")
    article = make_article(topic=topic, title="列表里的标题", source=source)
    assert "列表里的标题" in page(client, "/")
    assert len(kept_keys(rendering.ITEM_KEY_PREFIX)) == 1

    article.title = "改过的标题"
    article.save()
    Topic.objects.filter(pk=topic.pk).update(name="改名的栏目")
    source.name = "经济日报"
    source.save()
    html = page(client, "/")
    assert "改过的标题" in html and "列表里的标题" not in html
    assert "改名的栏目" in html and "经济日报" in html and "人民日报" not in html


def test_list_items_are_in_the_readers_language(client, topic):
    make_article(topic=topic, source=make_source("人民日报"))
    assert "转自人民日报" in page(client, "/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = page(client, "/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Reprinted from 人民日报" in english and "转自" not in english


def test_home_and_topic_items_use_their_own_heading(client, topic):
    make_article(topic=topic, title="标题层级")
    assert '<h3 class="article-item-title">' in page(client, "/")
    assert '<h2 class="article-item-title">' in page(client, topic.get_absolute_url())


def test_unpublished_articles_never_come_out_of_the_cache(client, topic, editor):
    visible = make_article(topic=topic, title="仍然公开的文章")
    hidden = make_article(topic=topic, title="即将撤下的文章")
    draft = make_article(topic=topic, title="草稿不公开", status=S.DRAFT, published_at=None)
    # Staff preview renders the draft's body through the same cache.
    client.force_login(make_user("chief"))
    assert "草稿不公开" in page(client, f"/admin/articles/article/{draft.pk}/preview/")
    client.logout()
    for url in ("/", topic.get_absolute_url(), "/feeds/rss/"):
        html = page(client, url)
        assert "即将撤下的文章" in html and "草稿不公开" not in html

    workflow.unpublish(hidden, by=editor)
    for url in ("/", topic.get_absolute_url(), "/feeds/rss/"):
        html = page(client, url)
        assert "仍然公开的文章" in html
        assert "即将撤下的文章" not in html and "草稿不公开" not in html
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert visible.pk


# Without a cache ---------------------------------------------------------------


@pytest.fixture
def cache_down(settings):
    resilience._breakers.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.resilience.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/10",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5},
        }
    }
    yield
    resilience._breakers.clear()


def test_pages_and_feeds_render_while_the_cache_is_down(client, topic, cache_down):
    image = make_image(credit="新华社", redistributable=True)
    article = make_article(
        topic=topic,
        title="缓存宕机时的文章",
        source=make_source("人民日报"),
        body=f'<p>宕机正文</p><figure data-image-id="{image.pk}"></figure>',
    )
    html = page(client, article.get_absolute_url())
    assert "宕机正文" in html and "图片来源:新华社" in html
    assert "缓存宕机时的文章" in page(client, "/")
    assert "宕机正文" in page(client, "/feeds/rss/")


# Query counts ------------------------------------------------------------------


PUBLIC_PAGES = {
    "home": "/",
    "topic": "/topics/ye-jie-xin-wen/",
    "tag": "/tags/guo-ji/",
    "archive-month": None,  # the month of the articles, filled in below
    "article": None,
    "rss": "/feeds/rss/",
    "atom": "/feeds/atom/",
    "json": "/feeds/json/",
    "topic-json": "/topics/ye-jie-xin-wen/json/",
    "tag-json": "/tags/guo-ji/json/",
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_articles(count, topic, image):
    for n in range(count):
        make_article(
            topic=topic,
            tags=["国际", f"标签{n % 4}"],
            source=make_source() if n % 2 else None,
            lead_image=image if n % 3 == 0 else None,
            body=f'<p>正文{n}</p><figure data-image-id="{image.pk}"></figure>',
        )


def test_public_pages_cost_the_same_queries_cold_and_warm_at_two_sizes(client, topic):
    image = make_image(credit="新华社", redistributable=True)
    add_articles(3, topic, image)
    article = Article.objects.published().order_by("pk").first()
    month = article.published_at
    urls = {
        **PUBLIC_PAGES,
        "archive-month": f"/archive/{month:%Y}/{month:%m}/",
        "article": article.get_absolute_url(),
    }

    def costs():
        cache.clear()
        cold = {name: count_queries(client, url) for name, url in urls.items()}
        warm = {name: count_queries(client, url) for name, url in urls.items()}
        return cold, warm

    small_cold, small_warm = costs()
    add_articles(30, topic, image)
    large_cold, large_warm = costs()
    assert small_cold == large_cold
    assert small_warm == large_warm
    # Kept bodies and items save rendering, never a query: the figures' images
    # are read either way (a caption may have changed).
    assert large_warm == large_cold
