"""
Sitemaps (articles/sitemaps.py, newsroom/urls.py), the Google News sitemap
(templates/sitemaps/news.xml) and robots.txt.

Every XML answer is parsed with ElementTree, so a malformed document fails
the test that fetched it.
"""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import sitemaps
from articles.models import Article
from tests.factories import make_article, make_source, make_topic, make_unpublished_variants

ORIGIN = "http://testserver"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)

SECTIONS = ["articles", "topics", "static"]
ARTICLE_SITEMAPS = ["/sitemap-articles.xml", "/sitemap-news.xml"]
ALL_SITEMAPS = ["/sitemap.xml", *(f"/sitemap-{s}.xml" for s in SECTIONS), "/sitemap-news.xml"]


def get_xml(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def url_entries(root):
    """{loc: <url> element} of a urlset, in document order."""
    assert root.tag == f"{SM}urlset"
    return {url.findtext(f"{SM}loc"): url for url in root.findall(f"{SM}url")}


def locs(client, url):
    return list(url_entries(get_xml(client, url)))


def absolute(obj_or_path):
    """The absolute URL of a model instance or of a path."""
    if hasattr(obj_or_path, "get_absolute_url"):
        obj_or_path = obj_or_path.get_absolute_url()
    return ORIGIN + obj_or_path


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def local_date(moment):
    return timezone.localtime(moment).date().isoformat()


# The index and its sections


def test_index_lists_every_section(client, topic):
    article = make_article(topic=topic)

    root = get_xml(client, "/sitemap.xml")

    assert root.tag == f"{SM}sitemapindex"
    entries = {s.findtext(f"{SM}loc"): s.findtext(f"{SM}lastmod") for s in root}
    assert list(entries) == [f"{ORIGIN}/sitemap-{section}.xml" for section in SECTIONS]
    lastmod = datetime.fromisoformat(entries[f"{ORIGIN}/sitemap-articles.xml"])
    assert lastmod == max(article.updated_at, article.published_at)


def test_index_lists_every_page_of_a_long_section(client, topic, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    articles = [make_article(topic=topic, age=timedelta(hours=n)) for n in range(1, 4)]

    index = [s.findtext(f"{SM}loc") for s in get_xml(client, "/sitemap.xml")]

    assert f"{ORIGIN}/sitemap-articles.xml?p=2" in index
    assert locs(client, "/sitemap-articles.xml") == [absolute(a) for a in articles[:2]]
    assert locs(client, "/sitemap-articles.xml?p=2") == [absolute(articles[2])]


@pytest.mark.parametrize("url", ALL_SITEMAPS)
def test_sitemaps_are_well_formed_and_publicly_cacheable(client, topic, url, settings):
    make_article(topic=topic, title="标题 & <符号> \"引号\" '单引号'", tags=["国际"])

    response = client.get(url)

    assert response.status_code == 200
    ET.fromstring(response.content)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", f"max-age={settings.PUBLIC_CACHE_SECONDS}"} <= directives


def test_articles_sitemap_lists_exactly_the_published_articles(client, topic):
    published = [make_article(topic=topic, age=timedelta(days=n)) for n in (1, 30, 400)]
    hidden = make_unpublished_variants(topic=topic)

    response = client.get("/sitemap-articles.xml")

    assert list(url_entries(ET.fromstring(response.content))) == [absolute(a) for a in published]
    text = response.content.decode()
    for kind, article in hidden.items():
        assert article.slug not in text, kind


def test_articles_sitemap_lastmod_is_the_later_of_update_and_publication(
    client, topic, time_machine
):
    time_machine.move_to(T0 - timedelta(days=5), tick=False)
    edited = make_article(topic=topic, published_at=T0 - timedelta(days=5))
    # Saved five days ago, due two days ago: its lastmod is when it came out.
    scheduled = make_article(topic=topic, published_at=T0 - timedelta(days=2))
    time_machine.move_to(T0, tick=False)
    edited.standfirst = "更正后的导语"
    edited.save()

    entries = url_entries(get_xml(client, "/sitemap-articles.xml"))

    lastmods = {loc: url.findtext(f"{SM}lastmod") for loc, url in entries.items()}
    assert lastmods == {
        absolute(edited): local_date(T0),
        absolute(scheduled): local_date(T0 - timedelta(days=2)),
    }


def test_topics_and_static_sitemaps(client, topic):
    other = make_topic("政策法规")

    assert set(locs(client, "/sitemap-topics.xml")) == {absolute(topic), absolute(other)}
    assert locs(client, "/sitemap-static.xml") == [
        absolute(reverse("articles:home")),
        absolute(reverse("articles:archive")),
    ]


# The publication rule, over time


@pytest.mark.parametrize("url", ARTICLE_SITEMAPS)
def test_scheduled_article_enters_when_due_and_expired_leaves_at_expiry(
    client, topic, url, time_machine
):
    time_machine.move_to(T0, tick=False)
    scheduled = make_article(topic=topic, published_at=T0 + timedelta(hours=2))
    expiring = make_article(topic=topic, expires_at=T0 + timedelta(hours=1))

    assert locs(client, url) == [absolute(expiring)]

    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    assert locs(client, url) == []

    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    assert locs(client, url) == [absolute(scheduled)]


# The Google News sitemap


def test_news_sitemap_holds_only_published_articles_of_the_last_48_hours(client, topic):
    fresh = make_article(topic=topic, age=timedelta(hours=1))
    two_days = make_article(topic=topic, age=timedelta(hours=47, minutes=50))
    make_article(topic=topic, age=timedelta(hours=48, minutes=10))
    make_article(topic=topic, age=timedelta(days=30))
    hidden = make_unpublished_variants(topic=topic)

    response = client.get("/sitemap-news.xml")

    assert list(url_entries(ET.fromstring(response.content))) == [
        absolute(fresh),
        absolute(two_days),
    ]
    for kind, article in hidden.items():
        assert article.slug not in response.content.decode(), kind


def test_news_window_moves_with_the_clock(client, topic, time_machine):
    time_machine.move_to(T0, tick=False)
    article = make_article(topic=topic, age=timedelta(hours=47))

    assert locs(client, "/sitemap-news.xml") == [absolute(article)]

    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    assert locs(client, "/sitemap-news.xml") == []
    assert locs(client, "/sitemap-articles.xml") == [absolute(article)]


def test_news_entry_carries_publication_title_and_iso_date(client, topic, settings):
    article = make_article(topic=topic, title="央行降准 0.5 个百分点 & <解读>")

    [url] = get_xml(client, "/sitemap-news.xml").findall(f"{SM}url")

    assert url.findtext(f"{SM}loc") == absolute(article)
    news = url.find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == settings.SITE_NAME
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "zh-cn"
    assert news.findtext(f"{NEWS}title") == "央行降准 0.5 个百分点 & <解读>"
    published = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
    assert published.tzinfo is not None
    assert published == article.published_at


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1f"], ids=["nul", "vt", "us"])
def test_control_characters_stored_behind_save_never_break_the_news_sitemap(client, topic, char):
    if char == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text columns cannot hold NUL at all")
    article = make_article(topic=topic)
    Article.objects.filter(pk=article.pk).update(title=f"坏{char}标题")

    root = get_xml(client, "/sitemap-news.xml")

    assert root.find(f"{SM}url/{NEWS}news/{NEWS}title").text == "坏标题"


# Conditional GET


@pytest.mark.parametrize("url", ARTICLE_SITEMAPS)
def test_unpublishing_defeats_if_modified_since(client, topic, url, time_machine):
    time_machine.move_to(T0, tick=False)
    kept = make_article(topic=topic, age=timedelta(hours=5))
    removed = make_article(topic=topic, age=timedelta(minutes=30))
    time_machine.shift(timedelta(minutes=5))
    response = client.get(url)
    last_modified = response["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304

    time_machine.shift(timedelta(minutes=5))
    removed.status = Article.Status.UNPUBLISHED
    removed.save()
    response = client.get(url, headers={"If-Modified-Since": last_modified})

    assert response.status_code == 200
    assert list(url_entries(ET.fromstring(response.content))) == [absolute(kept)]


@pytest.mark.parametrize("url", ARTICLE_SITEMAPS)
def test_expiry_defeats_if_modified_since(client, topic, url, time_machine):
    time_machine.move_to(T0, tick=False)
    kept = make_article(topic=topic, age=timedelta(hours=5))
    make_article(topic=topic, expires_at=T0 + timedelta(hours=1))
    last_modified = client.get(url)["Last-Modified"]

    time_machine.move_to(T0 + timedelta(hours=1, minutes=1), tick=False)
    response = client.get(url, headers={"If-Modified-Since": last_modified})

    assert response.status_code == 200
    assert list(url_entries(ET.fromstring(response.content))) == [absolute(kept)]


def test_leaving_the_news_window_defeats_if_modified_since(client, topic, time_machine):
    time_machine.move_to(T0, tick=False)
    kept = make_article(topic=topic, age=timedelta(hours=1))
    make_article(topic=topic, age=timedelta(hours=47))
    last_modified = client.get("/sitemap-news.xml")["Last-Modified"]

    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    response = client.get("/sitemap-news.xml", headers={"If-Modified-Since": last_modified})

    assert response.status_code == 200
    assert list(url_entries(ET.fromstring(response.content))) == [absolute(kept)]


# Bad requests


@pytest.mark.parametrize("url", ARTICLE_SITEMAPS)
@pytest.mark.parametrize("page", ["abc", "0", "-1", "2", "99", "1.5", ""])
def test_bad_page_number_is_404_not_500(client, topic, url, page):
    make_article(topic=topic)

    response = client.get(url, {"p": page})

    assert response.status_code == 404


def test_unknown_section_is_404(client, db):
    assert client.get("/sitemap-nope.xml").status_code == 404


# robots.txt


def test_robots_txt_is_plain_text_naming_both_sitemaps(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    assert "Disallow: /admin/" in lines


def test_robots_txt_names_https_sitemaps_over_https(client, db):
    response = client.get("/robots.txt", secure=True)

    lines = response.content.decode().splitlines()
    assert "Sitemap: https://testserver/sitemap.xml" in lines
    assert "Sitemap: https://testserver/sitemap-news.xml" in lines


# Query counts


# Most queries each answer may make, whatever the number of articles.
MAX_QUERIES = {
    # Articles' latest lastmod (one aggregate), then a count per paginated section.
    "/sitemap.xml": 3,
    # Count, page of items, last change.
    "/sitemap-articles.xml": 3,
    "/sitemap-topics.xml": 2,
    "/sitemap-static.xml": 0,
    # Count, page of items, last change, last exit from the 48-hour window.
    "/sitemap-news.xml": 4,
}


def test_index_dates_the_articles_section_without_loading_every_article(client, topic):
    for n in range(1, 6):
        make_article(topic=topic, age=timedelta(hours=n))

    with CaptureQueriesContext(connection) as ctx:
        get_xml(client, "/sitemap.xml")

    article_queries = [q["sql"] for q in ctx.captured_queries if "articles_article" in q["sql"]]
    assert article_queries
    assert all("MAX(" in sql or "COUNT(" in sql for sql in article_queries), article_queries


@pytest.mark.parametrize("url", ALL_SITEMAPS)
def test_query_count_does_not_grow_with_the_number_of_articles(
    client, topic, url, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            make_article(
                topic=make_topic(),
                tags=[f"标签{Article.objects.count()}"],
                source=make_source(),
                age=timedelta(hours=Article.objects.count() + 1),
            )

    add(3)
    small = count_queries(client, url)
    add(27)
    large = count_queries(client, url)

    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES[url]):
        response = client.get(url)
    assert len(ET.fromstring(response.content)) > 0


def test_robots_txt_makes_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/robots.txt").status_code == 200
