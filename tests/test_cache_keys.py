"""
Dependency keys of the page cache (articles/cache_keys.py): what each public
page records, and that a write purges exactly the pages that show what it
touched, on the local-memory cache and on Redis.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from articles import cache_keys, workflow
from articles.cache import AnonymousPageCacheMiddleware, key_name, purge_keys
from articles.models import Article, ArticleAuthor, Author
from tests import test_cache
from tests.factories import make_article, make_topic

pytestmark = pytest.mark.django_db

# The page cache switched on, over local memory and Redis.
page_cache = test_cache.page_cache

S = Article.Status


@pytest.fixture
def editor():
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="编辑 Editor"))
    return user


def keys_of(response):
    return set(response["xkey"].split())


def warm(client, urls):
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert client.get(url)["X-Page-Cache"] == "hit", url


def archive_urls(moment):
    day = timezone.localtime(moment)
    return [
        "/archive/",
        f"/archive/{day.year:04d}/",
        f"/archive/{day.year:04d}/{day.month:02d}/",
        f"/archive/{day.year:04d}/{day.month:02d}/{day.day:02d}/",
    ]


@pytest.fixture
def newsroom(topic):
    """Two topics, two tags, an author and five articles, oldest first (the last just now)."""
    world = make_topic("国际")
    author = Author.objects.create(name="李记者", slug="li")
    now = timezone.now()
    a1 = make_article(
        topic=topic, title="甲芯片", tags=["芯片"], published_at=now - timedelta(days=10)
    )
    a2 = make_article(
        topic=world, title="乙能源", tags=["能源"], published_at=now - timedelta(days=8)
    )
    a3 = make_article(
        topic=world, title="丙能源", tags=["能源"], published_at=now - timedelta(days=6)
    )
    a4 = make_article(
        topic=topic, title="丁芯片", tags=["芯片"], published_at=now - timedelta(days=4)
    )
    a5 = make_article(topic=world, title="戊国际", published_at=now - timedelta(seconds=30))
    ArticleAuthor.objects.create(article=a1, author=author)
    return {
        "chips": topic,
        "world": world,
        "author": author,
        "articles": [a1, a2, a3, a4, a5],
        "tag_chips": a1.tags.get(),
        "tag_energy": a2.tags.get(),
    }


def test_collector_records_articles_loaded_and_what_views_say():
    article = make_article()
    with cache_keys.collecting() as collector:
        list(Article.objects.filter(pk=article.pk))
        cache_keys.collect("list")
    assert collector.result() == {"site", "list", f"article-{article.pk}"}
    # Outside a public request nothing is collected, nor fails.
    cache_keys.collect("list")
    list(Article.objects.all())


def test_a_page_showing_too_many_articles_depends_on_all_articles(monkeypatch):
    monkeypatch.setattr(cache_keys, "MAX_ARTICLE_KEYS", 2)
    for _ in range(3):
        make_article()
    with cache_keys.collecting() as collector:
        list(Article.objects.all())
    assert collector.result() == {"site", "all-articles"}


def test_every_public_page_sends_the_keys_it_depends_on(page_cache, newsroom):
    a1, a2, a3, a4, a5 = newsroom["articles"]
    Article.objects.filter(pk=a3.pk).update(related_ids=[a1.pk])
    chips, world, author = newsroom["chips"], newsroom["world"], newsroom["author"]
    tag = newsroom["tag_energy"]
    day = timezone.localtime(a3.published_at)
    y, m, d = f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"
    expected = {
        "/": {"site", "list", *(f"article-{a.pk}" for a in newsroom["articles"])},
        world.get_absolute_url(): {f"topic-{world.pk}", f"article-{a3.pk}", f"article-{a5.pk}"},
        tag.get_absolute_url(): {f"tag-{tag.pk}", f"article-{a2.pk}", f"article-{a3.pk}"},
        author.get_absolute_url(): {f"author-{author.pk}", f"article-{a1.pk}"},
        "/archive/": {"archive"},
        f"/archive/{y}/": {f"archive-{y}", f"article-{a3.pk}"},
        f"/archive/{y}/{m}/": {f"archive-{y}-{m}", f"article-{a3.pk}"},
        f"/archive/{y}/{m}/{d}/": {f"archive-{y}-{m}-{d}", f"article-{a3.pk}"},
        # The article, its neighbours (prev/next) and its related articles.
        a3.get_absolute_url(): {
            f"article-{a3.pk}",
            f"neighbours-{a3.pk}",
            f"article-{a2.pk}",
            f"article-{a4.pk}",
            f"article-{a1.pk}",
        },
        "/feeds/rss/": {"feed", f"article-{a3.pk}"},
        "/feeds/atom/": {"feed", f"article-{a3.pk}"},
        "/feeds/json/": {"feed", f"article-{a3.pk}"},
        f"/topics/{world.slug}/rss/": {f"topic-{world.pk}", f"article-{a3.pk}"},
        f"/tags/{tag.slug}/atom/": {f"tag-{tag.pk}", f"article-{a3.pk}"},
        f"/authors/{author.slug}/rss/": {f"author-{author.pk}", f"article-{a1.pk}"},
        "/sitemap.xml": {"sitemap"},
        "/sitemap-articles.xml": {"sitemap", f"article-{a3.pk}"},
        "/sitemap-news.xml": {"sitemap"},
        chips.get_absolute_url(): {f"article-{a1.pk}", f"article-{a4.pk}"},
    }
    client = Client()
    for url, keys in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert keys | {"site"} <= keys_of(response), (url, keys_of(response))
        assert int(response["X-Cache-TTL"]) > 0, url
        hit = client.get(url)
        assert hit["X-Page-Cache"] == "hit" and keys_of(hit) == keys_of(response), url
    # A page never lists an article it does not show.
    assert f"article-{a1.pk}" not in keys_of(client.get(world.get_absolute_url()))
    # Search is never cached: no keys.
    assert "xkey" not in client.get("/search/?q=能源")


def test_publication_purges_its_lists_and_neighbours_and_nothing_else(page_cache, newsroom, editor):
    a1, a2, a3, a4, a5 = newsroom["articles"]
    chips, world, author = newsroom["chips"], newsroom["world"], newsroom["author"]
    new = make_article(
        topic=chips, title="新发布的芯片消息", tags=["芯片"], status=S.APPROVED, published_at=None
    )
    ArticleAuthor.objects.create(article=new, author=author)
    joined = [
        "/",
        chips.get_absolute_url(),
        newsroom["tag_chips"].get_absolute_url(),
        author.get_absolute_url(),
        *archive_urls(timezone.now()),
        "/feeds/rss/",
        f"/topics/{chips.slug}/rss/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
        a5.get_absolute_url(),  # its "next" is now the new article
    ]
    untouched = [
        world.get_absolute_url(),
        newsroom["tag_energy"].get_absolute_url(),
        f"/topics/{world.slug}/rss/",
        *(a.get_absolute_url() for a in (a1, a2, a3, a4)),
    ]
    client = Client()
    warm(client, joined + untouched)
    workflow.publish(new, by=editor)
    for url in joined:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
        if url != "/sitemap.xml":
            assert (
                new.title in response.content.decode() or new.slug in response.content.decode()
            ), url
    for url in untouched:
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_takedown_removes_the_article_from_every_cached_page_at_once(page_cache, newsroom, editor):
    a1, a2, a3, a4, a5 = newsroom["articles"]
    # a1's page lists a3 among its related articles.
    Article.objects.filter(pk=a1.pk).update(related_ids=[a3.pk])
    world, tag = newsroom["world"], newsroom["tag_energy"]
    showing = [
        "/",
        world.get_absolute_url(),
        tag.get_absolute_url(),
        *archive_urls(a3.published_at),
        "/feeds/rss/",
        "/feeds/json/",
        f"/topics/{world.slug}/atom/",
        f"/tags/{tag.slug}/rss/",
        "/sitemap-articles.xml",
        a2.get_absolute_url(),  # next: a3
        a4.get_absolute_url(),  # previous: a3
        a1.get_absolute_url(),  # related: a3
    ]
    client = Client()
    warm(client, [*showing, a3.get_absolute_url(), newsroom["chips"].get_absolute_url()])
    for url in showing:
        assert a3.slug in client.get(url).content.decode(), url
    workflow.trash(a3, by=editor)
    assert client.get(a3.get_absolute_url()).status_code == 404
    for url in showing:
        response = client.get(url)
        # Its day archive is empty now: 404.
        assert response.status_code in (200, 404), url
        assert a3.slug not in response.content.decode(), url
    # A page that never showed it keeps its cached copy.
    assert client.get(newsroom["chips"].get_absolute_url())["X-Page-Cache"] == "hit"


def test_correction_purges_the_pages_showing_the_article_only(page_cache, newsroom, editor):
    a1, a2, a3, a4, a5 = newsroom["articles"]
    client = Client()
    warm(client, [a3.get_absolute_url(), a2.get_absolute_url(), a1.get_absolute_url()])
    workflow.add_correction(a3, by=editor, text="更正:装机容量应为千瓦。")
    assert "装机容量应为千瓦" in client.get(a3.get_absolute_url()).content.decode()
    assert client.get(a2.get_absolute_url())["X-Page-Cache"] == "miss"  # shows a3 as next
    assert client.get(a1.get_absolute_url())["X-Page-Cache"] == "hit"


def test_edit_purges_every_page_showing_the_article(page_cache, newsroom, editor):
    a1, a2, a3, a4, a5 = newsroom["articles"]
    client = Client()
    urls = ["/", newsroom["world"].get_absolute_url(), a2.get_absolute_url(), "/feeds/rss/"]
    warm(client, [*urls, a1.get_absolute_url()])
    copy = workflow.create_working_copy(a3, by=editor)
    copy.title = "丙能源(更新)"
    copy.save()
    for url in urls:  # a draft copy changes nothing public
        assert client.get(url)["X-Page-Cache"] == "hit", url
    workflow.publish(copy, by=editor)
    for url in urls:
        assert "丙能源(更新)" in client.get(url).content.decode(), url
    assert client.get(a1.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_draft_never_published_purges_nothing(page_cache, newsroom):
    client = Client()
    urls = ["/", "/feeds/rss/", newsroom["articles"][0].get_absolute_url()]
    warm(client, urls)
    draft = make_article(topic=newsroom["chips"], title="草稿", status=S.DRAFT, published_at=None)
    draft.tags.add("芯片")
    draft.title = "草稿二"
    draft.save()
    for url in urls:
        assert client.get(url)["X-Page-Cache"] == "hit", url


def test_topic_rename_purges_every_page(page_cache, newsroom):
    client = Client()
    url = newsroom["articles"][0].get_absolute_url()
    warm(client, ["/", url])
    newsroom["world"].name = "环球"
    newsroom["world"].save()
    for page in ["/", url]:  # the navigation names every topic
        assert "环球" in client.get(page).content.decode(), page


def test_a_purge_during_the_render_keeps_the_page_out_of_the_cache(page_cache, topic):
    calls = []

    def view(request):
        calls.append(1)
        cache_keys.collect("list")
        # A write commits while this page renders (after its data was read).
        purge_keys(["list"])
        response = HttpResponse("old")
        response["Cache-Control"] = "public, max-age=60"
        return response

    middleware = AnonymousPageCacheMiddleware(view)
    factory = RequestFactory()
    assert middleware(factory.get("/"))["X-Page-Cache"] == "miss"
    assert middleware(factory.get("/"))["X-Page-Cache"] == "miss"
    assert len(calls) == 2


def test_a_key_lost_from_the_cache_invalidates_its_pages(page_cache, newsroom):
    a1 = newsroom["articles"][0]
    client = Client()
    warm(client, [a1.get_absolute_url()])
    cache.delete(key_name(f"article-{a1.pk}"))  # evicted
    # While nothing at all is purged the page stands (nothing changed);
    # after any purge its versions are checked, and the lost one fails.
    assert client.get(a1.get_absolute_url())["X-Page-Cache"] == "hit"
    purge_keys(["tag-0"])
    assert client.get(a1.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(a1.get_absolute_url())["X-Page-Cache"] == "hit"


def test_keys_for_a_bulk_write_of_many_articles_purge_the_site(topic):
    ids = [make_article(topic=topic).pk for _ in range(cache_keys.BULK_SITE_PURGE + 1)]
    assert cache_keys.keys_for_articles(ids) == {"site"}
    assert f"article-{ids[0]}" in cache_keys.keys_for_articles(ids[:1])
