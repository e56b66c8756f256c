"""The endpoints: filters, cursors, detail, topics, tags, HTTP caching and CORS."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from articles import workflow
from articles.models import Article, Correction
from tests.factories import make_article, make_source, make_topic

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def all_pages(client, url):
    """Every item of a list, following `next`; and the number of pages."""
    items, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        items += data["results"]
        url = data["next"]
        pages += 1
    return items, pages


def test_list_is_newest_first_with_the_article_fields(topic, anon):
    source = make_source("新华社", homepage="https://www.news.cn/")
    older = make_article(topic=topic, age=dt.timedelta(hours=5), title="较早的文章")
    newer = make_article(
        topic=topic,
        title="较新的文章",
        tags=["芯片", "半导体"],
        source=source,
        source_url="https://www.news.cn/a.html",
        byline="记者 王五",
        featured=True,
    )
    data = anon.get("/api/v1/articles").json()
    assert [item["id"] for item in data["results"]] == [str(newer.uuid), str(older.uuid)]
    assert data["next"] is None and data["next_cursor"] is None
    item = data["results"][0]
    assert item["title"] == "较新的文章"
    assert item["slug"] == newer.slug
    assert item["url"] == f"http://testserver/articles/{newer.slug}/"
    assert item["topic"] == {"name": "业界新闻", "slug": topic.slug}
    assert item["tags"] == [
        {"name": "半导体", "slug": "ban-dao-ti"},
        {"name": "芯片", "slug": "xin-pian"},
    ]
    assert item["source"] == {"name": "新华社", "homepage": "https://www.news.cn/"}
    assert item["source_url"] == "https://www.news.cn/a.html"
    assert item["byline"] == "记者 王五"
    assert item["featured"] is True
    assert item["images"] == []
    assert dt.datetime.fromisoformat(item["published_at"]) == newer.published_at


def test_json_is_utf8_not_escaped(topic, anon):
    make_article(topic=topic, title="中文标题")
    response = anon.get("/api/v1/articles")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "中文标题".encode() in response.content


def test_cursor_pages_walk_every_article_once_even_with_equal_times(topic, anon):
    same_time = timezone.now() - dt.timedelta(hours=2)
    created = [make_article(topic=topic, published_at=same_time) for _ in range(7)]
    created += [make_article(topic=topic, age=dt.timedelta(minutes=m)) for m in range(5)]
    items, pages = all_pages(anon, "/api/v1/articles?page_size=3")
    assert pages == 4
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 12
    expected = Article.objects.order_by("-published_at", "-id").values_list("uuid", flat=True)
    assert ids == [str(u) for u in expected]
    assert {str(a.uuid) for a in created} == set(ids)


def test_new_articles_do_not_shift_later_pages(topic, anon):
    for m in range(4):
        make_article(topic=topic, age=dt.timedelta(minutes=10 + m))
    first = anon.get("/api/v1/articles?page_size=2").json()
    make_article(topic=topic, title="翻页时新发的文章")
    second = anon.get(first["next"]).json()
    expected = Article.objects.order_by("-published_at", "-id").values_list("uuid", flat=True)
    assert [i["id"] for i in first["results"] + second["results"]] == [
        str(u) for u in expected if u != Article.objects.get(title="翻页时新发的文章").uuid
    ]


def test_next_keeps_the_filters(topic, anon):
    for _ in range(3):
        make_article(topic=topic, tags=["芯片"])
    make_article(topic=topic)
    data = anon.get("/api/v1/articles?tag=xin-pian&page_size=2").json()
    assert "tag=xin-pian" in data["next"] and "page_size=2" in data["next"]
    assert (
        anon.get(f"/api/v1/articles?tag=xin-pian&page_size=2&cursor={data['next_cursor']}").json()[
            "results"
        ]
        == anon.get(data["next"]).json()["results"]
    )
    items, _ = all_pages(anon, "/api/v1/articles?tag=xin-pian&page_size=2")
    assert len(items) == 3


def test_filters(topic, anon):
    policy = make_topic("政策法规")
    xinhua = make_source("新华社")
    a = make_article(topic=topic, title="半导体出口数据", tags=["芯片"], source=xinhua)
    b = make_article(topic=policy, title="新能源汽车补贴政策", tags=["新能源"])
    c = make_article(topic=policy, title="芯片产业政策发布", tags=["芯片", "政策"], source=xinhua)

    def titles(query):
        items, _ = all_pages(anon, f"/api/v1/articles?{query}")
        return {item["title"] for item in items}

    assert titles("topic=zheng-ce-fa-gui") == {b.title, c.title}
    assert titles("tag=xin-pian") == {a.title, c.title}
    assert titles("source=新华社") == {a.title, c.title}
    assert titles("topic=zheng-ce-fa-gui&tag=xin-pian") == {c.title}
    assert titles("q=政策") == {b.title, c.title}
    assert titles("q=芯片 政策") == {c.title}
    assert titles("q=ChatGPT") == set()
    assert titles("q=!!!") == set()
    assert titles("topic=no-such-topic") == set()
    assert titles("source=没有这个来源") == set()


def test_since_and_until(topic, anon, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    shanghai = dt.timezone(dt.timedelta(hours=8))

    def at(day, hour):
        return dt.datetime(2024, 12, day, hour, 0, tzinfo=shanghai)

    make_article(topic=topic, title="四日深夜", published_at=at(4, 23))
    make_article(topic=topic, title="五日凌晨", published_at=at(5, 0))
    make_article(topic=topic, title="五日晚上", published_at=at(5, 22))
    make_article(topic=topic, title="六日早上", published_at=at(6, 8))

    def titles(query):
        return {item["title"] for item in anon.get(f"/api/v1/articles?{query}").json()["results"]}

    # Dates are whole days in the site's time zone, both ends included.
    assert titles("since=2024-12-05&until=2024-12-05") == {"五日凌晨", "五日晚上"}
    assert titles("since=2024-12-05") == {"五日凌晨", "五日晚上", "六日早上"}
    assert titles("until=2024-12-04") == {"四日深夜"}
    # Times: since included, until excluded; an offset is honoured, none means site time.
    assert titles("since=2024-12-05T22:00:00%2B08:00") == {"五日晚上", "六日早上"}
    assert titles("since=2024-12-05T14:00:00Z") == {"五日晚上", "六日早上"}
    assert titles("until=2024-12-05T22:00:00") == {"四日深夜", "五日凌晨"}


def test_detail_by_slug_and_uuid(topic, anon, editor):
    article = make_article(topic=topic, title="详情测试", tags=["芯片"])
    workflow.add_correction(article, by=editor, text="更正:数据单位应为亿元。")
    by_slug = anon.get(f"/api/v1/articles/{article.slug}").json()
    by_uuid = anon.get(f"/api/v1/articles/{article.uuid}").json()
    assert by_slug == by_uuid
    assert by_slug["id"] == str(article.uuid)
    assert [c["text"] for c in by_slug["corrections"]] == ["更正:数据单位应为亿元。"]
    assert Correction.objects.count() == 1


def test_renamed_article_answers_301_to_its_current_slug(topic, anon):
    article = make_article(topic=topic, title="改名前")
    old_slug = article.slug
    article.slug = "gai-ming-hou"
    article.save()
    response = anon.get(f"/api/v1/articles/{old_slug}")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/articles/gai-ming-hou"


def test_topics(topic, anon):
    make_topic("政策法规", description="政策发布")
    data = anon.get("/api/v1/topics").json()
    assert [t["name"] for t in data] == ["业界新闻", "政策法规"]
    assert data[0] == {
        "name": "业界新闻",
        "slug": topic.slug,
        "description": "行业动态",
        "url": f"http://testserver/topics/{topic.slug}/",
    }


def test_tags_are_paged_by_slug(topic, anon):
    names = ["芯片", "政策", "人工智能", "5G", "新能源"]
    for name in names:
        make_article(topic=topic, tags=[name])
    items, pages = all_pages(anon, "/api/v1/tags?page_size=2")
    assert pages == 3
    assert [t["slug"] for t in items] == sorted(t["slug"] for t in items)
    assert {t["name"] for t in items} == set(names)
    assert items[0]["url"] == f"http://testserver/tags/{items[0]['slug']}/"


# HTTP caching ------------------------------------------------------------------


def test_etag_and_304(topic, anon, keyed):
    make_article(topic=topic)
    for client in (anon, keyed):
        for url in ["/api/v1/articles", "/api/v1/topics", "/api/v1/tags"]:
            response = client.get(url)
            etag = response["ETag"]
            again = client.get(url, HTTP_IF_NONE_MATCH=etag)
            assert again.status_code == 304, url
            assert again.content == b""
    # The key changes the answer, so the tags differ.
    assert anon.get("/api/v1/articles")["ETag"] != keyed.get("/api/v1/articles")["ETag"]


def test_etag_changes_when_the_content_does(topic, anon, editor):
    article = make_article(topic=topic)
    etag = anon.get("/api/v1/articles")["ETag"]
    workflow.unpublish(article, by=editor)
    response = anon.get("/api/v1/articles", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_cache_headers_make_every_cache_revalidate(topic, anon, keyed):
    make_article(topic=topic)
    anonymous = anon.get("/api/v1/articles")
    assert set(anonymous["Cache-Control"].split(", ")) == {"public", "no-cache"}
    keyed_response = keyed.get("/api/v1/articles")
    assert set(keyed_response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    for response in (anonymous, keyed_response):
        assert "X-API-Key" in response["Vary"]


# CORS ------------------------------------------------------------------------------


def test_cors_allows_configured_origins_on_the_api_only(topic, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    make_article(topic=topic)
    client = Client(headers={"Origin": "https://app.example.com"})
    response = client.get("/api/v1/articles")
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/")
    other = Client(headers={"Origin": "https://evil.example.net"}).get("/api/v1/articles")
    assert "Access-Control-Allow-Origin" not in other


def test_cors_preflight_allows_the_key_header(settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = Client().options(
        "/api/v1/articles",
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert response.status_code == 200
    assert "x-api-key" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_no_cross_origin_reads_by_default(topic, anon):
    make_article(topic=topic)
    response = Client(headers={"Origin": "https://app.example.com"}).get("/api/v1/articles")
    assert "Access-Control-Allow-Origin" not in response
