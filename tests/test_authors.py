"""
Authors (issue 15): the model and its pinyin slug, bylines read as people,
the author page and feeds (published articles only, constant queries), the
article page's credits and JSON-LD, importers and the data migration.
"""

import datetime as dt
import importlib
import io
import json
import re

import feedparser
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.authors import parse_byline
from articles.ingest.importer import import_documents
from articles.ingest.sources import StreamDocument
from articles.models import Article, ArticleAuthor, Author
from tests.factories import (
    ensure_roles,
    make_article,
    make_topic,
    make_unpublished_variants,
    make_user,
)

UTC = dt.UTC


def credit(article, *authors):
    for position, author in enumerate(authors):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    return article


@pytest.fixture
def zhang(db):
    return Author.objects.create(name="张三", title="记者", bio="跑产业线十年。")


# The model --------------------------------------------------------------------


def test_author_slug_comes_from_the_pinyin_and_stays_unique(db):
    first = Author.objects.create(name="张三")
    second = Author.objects.create(name="张三")
    assert first.slug == "zhang-san"
    assert second.slug == "zhang-san-2"
    assert first.get_absolute_url() == "/authors/zhang-san/"


@pytest.mark.parametrize(
    "byline, people",
    [
        ("张三", [("张三", "")]),
        ("记者 张三 李四", [("张三", "记者"), ("李四", "记者")]),
        ("记者张三", [("张三", "记者")]),
        ("特约撰稿人 王五", [("王五", "特约撰稿人")]),
        ("张三、李四", [("张三", ""), ("李四", "")]),
        ("文/文天祥", [("文天祥", "")]),
        ("本报记者 王芳", [("王芳", "本报记者")]),
        ("特约撰稿 陈静", [("陈静", "特约撰稿")]),
        ("本报讯", None),
        ("综合报道", None),
        ("新华社记者", None),
        ("新华社", None),
        ("记者 张三 新华社", None),
        ("By Jane Doe", None),
        ("", None),
    ],
)
def test_bylines_are_read_as_people_only_when_they_name_only_people(byline, people):
    assert parse_byline(byline) == people


# The author page --------------------------------------------------------------


def test_author_page_shows_name_title_bio_feeds_and_only_their_articles(client, zhang):
    topic = make_topic("产业")
    mine = credit(make_article(title="我的报道", topic=topic), zhang)
    make_article(title="别人的报道", topic=topic)
    response = client.get(zhang.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(
        r'<h1 class="section-title"><span class="author-title">记者</span> 张三</h1>', page
    )
    assert "跑产业线十年。" in page
    assert mine.get_absolute_url() in page and "别人的报道" not in page
    assert 'href="/authors/zhang-san/rss/"' in page and 'href="/authors/zhang-san/atom/"' in page
    assert '<link rel="alternate" type="application/rss+xml" title="张三 (RSS)"' in page
    crumbs = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]
    assert [item["name"] for item in crumbs[0]["itemListElement"]] == ["首页", "张三"]


@pytest.mark.parametrize(
    "url",
    [
        "/authors/nobody/",
        "/authors/nobody/rss/",
        "/authors/nobody/atom/",
        "/authors/" + "a" * 300 + "/",
    ],
)
def test_unknown_author_is_404(client, db, url):
    assert client.get(url).status_code == 404


def test_author_page_and_feeds_never_show_unpublished_articles(client, zhang):
    topic = make_topic("产业")
    visible = credit(make_article(title="可见的报道", topic=topic), zhang)
    hidden = make_unpublished_variants(topic=topic)
    for article in hidden.values():
        credit(article, zhang)
    for url in (zhang.get_absolute_url(), "/authors/zhang-san/rss/", "/authors/zhang-san/atom/"):
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert visible.title in text, url
        for kind, article in hidden.items():
            assert article.title not in text, f"{kind} article leaks on {url}"
            assert article.get_absolute_url() not in text, f"{kind} article linked on {url}"


def test_author_page_is_paginated_twenty_a_page(client, zhang):
    topic = make_topic("产业")
    for i in range(45):
        credit(
            make_article(
                title=f"报道{i}",
                topic=topic,
                published_at=dt.datetime(2024, 5, 1, tzinfo=UTC) + dt.timedelta(hours=i),
            ),
            zhang,
        )
    pages = [client.get(f"/authors/zhang-san/?page={n}").content.decode() for n in (1, 2, 3)]
    counts = [len(re.findall(r'class="article-item-title"', p)) for p in pages]
    assert counts == [20, 20, 5]
    assert "报道44" in pages[0] and "报道0<" in pages[2]
    assert client.get("/authors/zhang-san/?page=4").status_code == 404
    assert client.get("/authors/zhang-san/?page=abc").status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_credited(count, authors, topic, start):
    for i in range(count):
        credit(
            make_article(
                title=f"批量{start + i}",
                topic=topic,
                tags=["国际", f"标签{i % 3}"],
                published_at=dt.datetime(2024, 6, 1, tzinfo=UTC) + dt.timedelta(minutes=start + i),
            ),
            *authors,
        )


def test_author_page_feeds_and_article_cost_the_same_queries_at_two_sizes(client, zhang):
    li = Author.objects.create(name="李四", title="特约撰稿人")
    topic = make_topic("产业")
    add_credited(3, [zhang, li], topic, start=0)
    article = Article.objects.get(title="批量0")
    urls = {
        "author": "/authors/zhang-san/",
        "author-page-2": None,
        "rss": "/authors/zhang-san/rss/",
        "atom": "/authors/zhang-san/atom/",
        "article": article.get_absolute_url(),
    }
    small = {k: count_queries(client, u) for k, u in urls.items() if u}
    add_credited(40, [zhang, li], topic, start=100)
    urls["author-page-2"] = "/authors/zhang-san/?page=2"
    large = {k: count_queries(client, u) for k, u in urls.items() if u}
    assert large.pop("author-page-2") == large["author"]
    assert small == large
    # navigation, author, count, page; feeds: author, last change, items, tags, authors
    assert large["author"] <= 4
    assert large["rss"] <= 5 and large["atom"] <= 5
    assert large["article"] <= 8


# Feeds --------------------------------------------------------------------------


def test_author_feeds_name_the_credited_authors(client, zhang):
    li = Author.objects.create(name="李四")
    article = credit(
        make_article(title="合写", topic=make_topic("产业"), byline="记者 张三 李四"), zhang, li
    )
    rss = feedparser.parse(client.get("/authors/zhang-san/rss/").content)
    atom = feedparser.parse(client.get("/authors/zhang-san/atom/").content)
    for parsed in (rss, atom):
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert [e.title for e in parsed.entries] == [article.title]
        assert "张三、李四" in parsed.entries[0].author
    assert atom.feed.title.startswith("张三")


# The article page ------------------------------------------------------------------


def test_article_credits_its_authors_in_order_with_links_and_json_ld(client, zhang):
    li = Author.objects.create(name="李四", title="特约撰稿人")
    article = credit(
        make_article(title="合写的报道", topic=make_topic("产业"), byline="x"), li, zhang
    )
    page = client.get(article.get_absolute_url()).content.decode()
    byline = re.search(r'<span class="byline">(.*?)</span>', page, re.S)[1]
    assert byline == (
        '特约撰稿人 <a rel="author" href="/authors/li-si/">李四</a>、'
        '记者 <a rel="author" href="/authors/zhang-san/">张三</a>'
    )
    blocks = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]
    news = next(b for b in blocks if b["@type"] == "NewsArticle")
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "李四",
            "url": "http://testserver/authors/li-si/",
            "jobTitle": "特约撰稿人",
        },
        {
            "@type": "Person",
            "name": "张三",
            "url": "http://testserver/authors/zhang-san/",
            "jobTitle": "记者",
        },
    ]


def test_agency_copy_keeps_its_free_text_byline(client, db):
    article = make_article(title="通稿", topic=make_topic("产业"), byline="新华社记者")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="byline">新华社记者</span>' in page
    assert 'rel="author"' not in page


# Importers and the data migration ------------------------------------------------------


def import_jsonl(*records, **options):
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return import_documents([StreamDocument("in.jsonl", io.BytesIO(text.encode()))], **options)


def record(title, byline):
    return {
        "title": title,
        "body": "<p>正文</p>",
        "topic": "业界新闻",
        "byline": byline,
        "published_at": "2025-03-01T09:00:00+08:00",
        "status": "published",
    }


def test_importer_credits_known_authors_and_keeps_other_bylines_as_text(db, zhang, topic):
    ensure_roles()
    li = Author.objects.create(name="李四")
    summary = import_jsonl(
        record("两位记者", "记者 李四 张三"),
        record("一位生人", "记者 张三 王五"),
        record("通讯社", "新华社记者"),
        user=make_user("editor", name="importer"),
    )
    assert summary.created == 3, summary.lines()
    both = Article.objects.get(title="两位记者")
    assert [a.name for a in both.credited_authors] == ["李四", "张三"]
    assert both.byline == "记者 李四 张三"  # feeds and the API still read it
    # One name unknown: the importer creates no author and credits nobody.
    assert list(Article.objects.get(title="一位生人").credited_authors) == []
    assert list(Article.objects.get(title="通讯社").credited_authors) == []
    assert set(Author.objects.values_list("name", flat=True)) == {"张三", "李四"}
    assert li.article_links.count() == 1


def test_data_migration_turns_bylines_into_authors(db):
    migration = importlib.import_module("articles.migrations.0012_reader_authors_from_bylines")
    topic = make_topic("产业")
    Author.objects.create(name="张三", title="记者")
    two = make_article(title="两人", topic=topic, byline="记者 张三 李四")
    one = make_article(title="一人", topic=topic, byline="特约撰稿人 王五")
    agency = make_article(title="通稿", topic=topic, byline="新华社记者")
    bare = make_article(title="无署名", topic=topic, byline="")

    migration.authors_from_bylines(apps, None)
    migration.authors_from_bylines(apps, None)  # a second run changes nothing

    def names(article):
        return [a.name for a in Article.objects.with_authors().get(pk=article.pk).credited_authors]

    assert names(two) == ["张三", "李四"]
    assert names(one) == ["王五"]
    assert names(agency) == names(bare) == []
    assert Author.objects.get(name="王五").title == "特约撰稿人"
    assert Author.objects.get(name="李四").slug == "li-si"
    assert Author.objects.filter(name="张三").count() == 1  # the existing one is reused
    assert ArticleAuthor.objects.count() == 3
    assert Article.objects.get(pk=two.pk).byline == "记者 张三 李四"


def test_authors_are_edited_in_the_admin(admin_client, zhang):
    credit(make_article(title="一篇", topic=make_topic("产业")), zhang)
    listing = admin_client.get("/admin/articles/author/")
    assert listing.status_code == 200
    assert "张三" in listing.content.decode()
    response = admin_client.post(
        "/admin/articles/author/add/",
        {"name": "王五", "slug": "", "title": "特约撰稿人", "bio": "", "photo": "", "user": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Author.objects.get(name="王五").slug == "wang-wu"


def test_author_page_shows_the_library_photo(client, zhang):
    from tests.factories import make_image

    zhang.photo = make_image(title="头像", alt_text="张三的照片")
    zhang.save()
    credit(make_article(title="一篇", topic=make_topic("产业")), zhang)
    page = client.get(zhang.get_absolute_url()).content.decode()
    assert re.search(r'<div class="author-photo"><picture>.*alt="张三的照片"', page, re.S)


def test_demo_content_credits_its_reporters(client, db):
    from django.core.management import call_command

    call_command("load_demo_content", stdout=io.StringIO())
    wang = Author.objects.get(name="王芳")
    assert wang.slug == "wang-fang" and wang.title == "本报记者"
    published = Article.objects.published().filter(author_links__author=wang)
    assert published.exists()
    page = client.get("/authors/wang-fang/").content.decode()
    assert published.order_by("-published_at").first().get_absolute_url() in page
    assert not Author.objects.filter(name="特约撰稿").exists()
