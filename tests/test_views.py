"""
The public HTML site: the publication rule on every page, the article page's
content and metadata, prev/next and related articles, old-slug redirects,
pagination and bad input, HTTP caching, and a fixed query count per page.
"""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertInHTML, assertTemplateUsed

from articles.models import Article, SlugRedirect, Tag
from articles.related import compute_related
from tests.factories import make_article, make_source, make_topic, make_unpublished_variants

UTC = dt.UTC
# 14:00 in Asia/Shanghai: every time in the publication grid below, from
# three hours before to three hours after, falls on the same local day.
NOW = dt.datetime(2024, 12, 5, 6, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


# Helpers ------------------------------------------------------------------


def page_text(response):
    return response.content.decode()


class ElementCollector(HTMLParser):
    def __init__(self, tag):
        super().__init__()
        self.tag, self.found = tag, []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag:
            self.found.append(dict(attrs))


def elements(response, tag):
    """The attributes of every <tag> element of the page, in order."""
    collector = ElementCollector(tag)
    collector.feed(page_text(response))
    return collector.found


def links(response, rel=None):
    """The hrefs of <a> elements (optionally only those with a given rel), in page order."""
    return [a["href"] for a in elements(response, "a") if rel is None or a.get("rel") == rel]


def feed_links(response):
    """(type, href) of each <link rel="alternate">: feed autodiscovery."""
    return [
        (link["type"], link["href"])
        for link in elements(response, "link")
        if link.get("rel") == "alternate"
    ]


def prev_next_nav(response):
    match = re.search(r'<nav class="prev-next"[^>]*>(.*?)</nav>', page_text(response), re.S)
    return match.group(1)


def section(response, css_class):
    """The inner HTML of the first <section class="css_class ...">."""
    match = re.search(
        rf'<section class="{css_class}\b[^"]*"[^>]*>(.*?)</section>', page_text(response), re.S
    )
    return match.group(1) if match else ""


def ui(message):
    """A message of the interface as readers see it (in the site's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


def main_content(response):
    """The page's <main> element: what a reader sees, without the head's metadata."""
    return re.search(r"<main\b.*?</main>", page_text(response), re.S).group(0)


def json_ld(response):
    """The page's one JSON-LD block besides its breadcrumbs (tests/test_reader.py)."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', page_text(response), re.S
    )
    blocks = [b for b in blocks if '"@type": "BreadcrumbList"' not in b]
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


def listed_urls(response):
    """Article URLs of the main article list, in order."""
    # Items are h2, or h3 under the home page's and the archive's section headings.
    return re.findall(r'<h[23] class="article-item-title"><a href="([^"]*)">', page_text(response))


def archive_urls(when):
    """Year, month and day archive URLs for the local date of `when`."""
    local = timezone.localtime(when)
    return [
        f"/archive/{local:%Y}/",
        f"/archive/{local:%Y}/{local:%m}/",
        f"/archive/{local:%Y}/{local:%m}/{local:%d}/",
    ]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


# The publication rule -------------------------------------------------------


@pytest.fixture
def grid(db, frozen, topic):
    """
    Two visible articles three and one hours ago, and every invisible variant
    in the same topic with the same tag, two hours ago (between them), so a
    leak would show up in every list and as previous, next or related.
    """
    older = make_article(
        title="可见较早文章", topic=topic, published_at=NOW - 3 * HOUR, tags=["国际"]
    )
    newer = make_article(
        title="可见较新文章", topic=topic, published_at=NOW - HOUR, tags=["国际"], featured=True
    )
    hidden = make_unpublished_variants(topic=topic, tags=["国际"])
    Article.objects.filter(pk__in=[a.pk for a in hidden.values()]).update(featured=True)
    return {"older": older, "newer": newer, "hidden": hidden, "topic": topic}


GRID_PAGES = {
    "home": lambda g: "/",
    "archive-index": lambda g: "/archive/",
    "archive-year": lambda g: "/archive/2024/",
    "archive-month": lambda g: "/archive/2024/12/",
    "archive-day": lambda g: "/archive/2024/12/05/",
    "topic": lambda g: g["topic"].get_absolute_url(),
    "tag": lambda g: "/tags/guo-ji/",
    "detail-older": lambda g: g["older"].get_absolute_url(),
    "detail-newer": lambda g: g["newer"].get_absolute_url(),
}


# Every way an article can be invisible (make_unpublished_variants may add more;
# the page tests below check whatever it returns).
KINDS = ["draft", "review", "approved", "unpublished", "draft-without-time", "scheduled", "expired"]


def test_grid_variants_are_all_invisible_and_on_the_same_day(grid):
    assert set(KINDS) <= set(grid["hidden"])
    visible = set(Article.objects.published())
    assert visible == {grid["older"], grid["newer"]}
    for article in grid["hidden"].values():
        if article.published_at:
            assert timezone.localdate(article.published_at) == dt.date(2024, 12, 5)


@pytest.mark.parametrize("page", GRID_PAGES)
def test_invisible_articles_never_appear_on_public_pages(client, grid, page):
    response = client.get(GRID_PAGES[page](grid))
    assert response.status_code == 200
    html = page_text(response)
    for kind, article in grid["hidden"].items():
        assert article.title not in html, f"{kind} article leaks on {page}"
        assert article.get_absolute_url() not in html, f"{kind} article linked on {page}"
    # The page does show the visible articles, so absence above means something.
    shown = {"detail-older": ["newer"], "detail-newer": ["older"]}.get(page, ["older", "newer"])
    for name in shown:
        assert grid[name].title in html


def test_previous_next_and_related_skip_invisible_articles(client, grid):
    older, newer = grid["older"], grid["newer"]

    response = client.get(older.get_absolute_url())
    assert links(response, "prev") == []
    assert links(response, "next") == [newer.get_absolute_url()]
    assert re.findall(r'href="([^"]*)"', section(response, "related")) == [newer.get_absolute_url()]

    response = client.get(newer.get_absolute_url())
    assert links(response, "prev") == [older.get_absolute_url()]
    # The scheduled article is later, but not yet due.
    assert links(response, "next") == []


@pytest.mark.parametrize("kind", KINDS)
def test_invisible_article_detail_is_404(client, grid, kind):
    response = client.get(grid["hidden"][kind].get_absolute_url())
    assert response.status_code == 404
    assert grid["hidden"][kind].title not in page_text(response)


@pytest.mark.parametrize("kind", KINDS)
def test_old_slug_of_invisible_article_does_not_redirect(client, grid, kind):
    article = grid["hidden"][kind]
    old_url = article.get_absolute_url()
    article.slug = f"{article.slug}-renamed"
    article.save()
    assert SlugRedirect.objects.filter(article=article).exists()

    response = client.get(old_url)
    assert response.status_code == 404
    assert article.slug not in page_text(response)
    assert "Location" not in response


def test_old_slug_of_visible_article_redirects(client, grid):
    # The control for the test above: the same rename on a visible article.
    article = grid["older"]
    old_url = article.get_absolute_url()
    article.slug = "ke-jian-renamed"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/articles/ke-jian-renamed/"


def test_dates_with_only_invisible_articles_have_no_archive(client, db, topic):
    make_article(title="可见", topic=topic, published_at=dt.datetime(2024, 5, 1, tzinfo=UTC))
    make_article(
        title="草稿",
        topic=topic,
        status=Article.Status.DRAFT,
        published_at=dt.datetime(2023, 5, 1, tzinfo=UTC),
    )
    make_article(
        title="已下线",
        topic=topic,
        published_at=dt.datetime(2024, 6, 1, tzinfo=UTC),
        expires_at=dt.datetime(2024, 7, 1, tzinfo=UTC),
    )
    index = client.get("/archive/")
    assert links(index).count("/archive/2024/") == 1
    assert "/archive/2023/" not in links(index)
    year = client.get("/archive/2024/")
    assert "/archive/2024/05/" in links(year)
    assert "/archive/2024/06/" not in links(year)
    assert "/archive/2023/" not in links(year)  # no "previous year" link to a draft's year
    for url in ["/archive/2023/", "/archive/2023/05/", "/archive/2024/06/", "/archive/2024/06/01/"]:
        assert client.get(url).status_code == 404, url


def test_scheduled_article_appears_at_its_time(client, db, frozen, topic):
    due = NOW + 3 * HOUR
    article = make_article(title="定时发布文章", topic=topic, published_at=due, tags=["国际"])
    make_article(title="陪衬文章", topic=topic, published_at=NOW - HOUR, tags=["国际"])
    old_url = article.get_absolute_url()
    article.slug = "ding-shi-renamed"
    article.save()
    lists = ["/", "/archive/", *archive_urls(due), topic.get_absolute_url(), "/tags/guo-ji/"]

    frozen.move_to(due - dt.timedelta(seconds=1), tick=False)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(old_url).status_code == 404
    for url in lists:
        response = client.get(url)
        assert article.title not in page_text(response), url

    frozen.move_to(due, tick=False)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(old_url)["Location"] == article.get_absolute_url()
    for url in lists:
        assertContains(client.get(url), article.title, msg_prefix=url)


def test_expired_article_disappears_at_its_time(client, db, frozen, topic):
    expiry = NOW + HOUR
    article = make_article(
        title="到期下线文章", topic=topic, published_at=NOW - HOUR, expires_at=expiry, tags=["国际"]
    )
    other = make_article(title="陪衬文章", topic=topic, published_at=NOW - 2 * HOUR, tags=["国际"])
    lists = ["/", "/archive/", *archive_urls(other.published_at), topic.get_absolute_url()]
    lists.append("/tags/guo-ji/")

    frozen.move_to(expiry - dt.timedelta(seconds=1), tick=False)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.title in page_text(client.get(other.get_absolute_url()))
    for url in lists:
        assertContains(client.get(url), article.title, msg_prefix=url)

    frozen.move_to(expiry, tick=False)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in page_text(client.get(other.get_absolute_url()))
    for url in lists:
        response = client.get(url)
        assert article.title not in page_text(response), url


# The article page -----------------------------------------------------------

SOURCE_URL = "https://paper.people.com.cn/rmrb/pc/content/202412/05/content_30049520.html"
PUBLISHED = dt.datetime(2024, 12, 5, 6, 32, 26, tzinfo=UTC)  # 14:32:26 in Shanghai


@pytest.fixture
def reprint(db, topic):
    return make_article(
        title="让世界共享中国式现代化红利",
        standfirst="中国式现代化为世界发展提供新机遇。",
        body="<p>第一段正文。</p><p>第二段正文。</p>",
        topic=topic,
        byline="和音",
        source=make_source("人民日报"),
        source_url=SOURCE_URL,
        published_at=PUBLISHED,
        tags=["国际", "合作"],
    )


def test_article_page_shows_title_standfirst_body_and_byline(client, reprint):
    response = client.get(reprint.get_absolute_url())
    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_detail.html")
    assertInHTML('<h1 class="article-title">让世界共享中国式现代化红利</h1>', page_text(response))
    assertInHTML(
        '<p class="standfirst lead">中国式现代化为世界发展提供新机遇。</p>', page_text(response)
    )
    assertInHTML(
        '<div class="article-body"><p>第一段正文。</p><p>第二段正文。</p></div>',
        page_text(response),
    )
    assertInHTML('<span class="byline">和音</span>', page_text(response))
    assertContains(response, "<title>让世界共享中国式现代化红利 - ")


def test_article_page_shows_time_in_site_time_zone(client, reprint):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    response = client.get(reprint.get_absolute_url())
    # 06:32 UTC is 14:32 in Shanghai, on the same day.
    assertContains(response, '<time datetime="2024-12-05T14:32:26+08:00">2024年12月5日 14:32')
    assert "06:32" not in main_content(response)


def test_list_pages_show_time_in_site_time_zone(client, reprint):
    for url in ["/", "/archive/2024/12/05/"]:
        assertContains(client.get(url), "2024-12-05 14:32", msg_prefix=url)


def test_day_archive_uses_the_local_date(client, db, topic):
    # 17:30 UTC on the 4th is 01:30 on the 5th in Shanghai.
    make_article(
        title="凌晨文章", topic=topic, published_at=dt.datetime(2024, 12, 4, 17, 30, tzinfo=UTC)
    )
    assertContains(client.get("/archive/2024/12/05/"), "凌晨文章")
    assert client.get("/archive/2024/12/04/").status_code == 404


def test_article_page_links_topic_and_tags(client, reprint, topic):
    response = client.get(reprint.get_absolute_url())
    assert topic.get_absolute_url() == "/topics/ye-jie-xin-wen/"
    assertInHTML(
        '<a class="topic-label" href="/topics/ye-jie-xin-wen/">业界新闻</a>', page_text(response)
    )
    assertInHTML('<a rel="tag" href="/tags/guo-ji/">国际</a>', page_text(response))
    assertInHTML('<a rel="tag" href="/tags/he-zuo/">合作</a>', page_text(response))


def test_article_page_credits_the_reprint_source_with_a_link(client, reprint):
    response = client.get(reprint.get_absolute_url())
    assertInHTML(
        f'<p class="reprint-source">本文转自【<a href="{SOURCE_URL}" rel="noopener nofollow">'
        "人民日报</a>】</p>",
        page_text(response),
    )
    assert "本文转自【人民日报】" in strip_tags(page_text(response))


def test_reprint_source_without_url_is_plain_text(client, reprint):
    reprint.source_url = ""
    reprint.save()
    response = client.get(reprint.get_absolute_url())
    assertInHTML('<p class="reprint-source">本文转自【人民日报】</p>', page_text(response))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/path",
    ],
)
def test_unsafe_source_url_is_not_linked(client, reprint, url):
    # save() does not run URLField validation, so an importer can store anything.
    reprint.source_url = url
    reprint.save()
    response = client.get(reprint.get_absolute_url())
    html = page_text(response)
    assertInHTML('<p class="reprint-source">本文转自【人民日报】</p>', html)
    for bad in ["script:", "alert(", "msgbox", "evil.example", "data:text"]:
        assert bad not in html.lower(), bad
    assert "isBasedOn" not in json_ld(response)


def test_original_article_has_no_reprint_line(client, db, topic):
    article = make_article(title="原创文章", topic=topic)
    response = client.get(article.get_absolute_url())
    assert "本文转自" not in page_text(response)
    assert "reprint-source" not in page_text(response)


def test_article_page_has_canonical_link_and_open_graph(client, reprint):
    response = client.get(reprint.get_absolute_url())
    url = f"http://testserver{reprint.get_absolute_url()}"
    html = page_text(response)
    assertInHTML(f'<link rel="canonical" href="{url}">', html)
    for prop, content in [
        ("og:type", "article"),
        ("og:title", "让世界共享中国式现代化红利"),
        ("og:url", url),
        ("og:description", "中国式现代化为世界发展提供新机遇。"),
        ("og:site_name", settings.SITE_NAME),
        ("article:published_time", "2024-12-05T14:32:26+08:00"),
        ("article:section", "业界新闻"),
        ("article:tag", "国际"),
        ("article:tag", "合作"),
    ]:
        assertInHTML(f'<meta property="{prop}" content="{content}">', html)


def test_article_page_has_news_article_json_ld(client, reprint):
    response = client.get(reprint.get_absolute_url())
    data = json_ld(response)
    url = f"http://testserver{reprint.get_absolute_url()}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "让世界共享中国式现代化红利"
    assert dt.datetime.fromisoformat(data["datePublished"]) == PUBLISHED
    assert dt.datetime.fromisoformat(data["dateModified"]) >= PUBLISHED
    assert data["url"] == data["mainEntityOfPage"] == url
    assert data["description"] == "中国式现代化为世界发展提供新机遇。"
    assert data["articleSection"] == "业界新闻"
    assert sorted(data["keywords"]) == sorted(["国际", "合作"])
    assert data["author"] == {"@type": "Person", "name": "和音"}
    assert data["sourceOrganization"] == {"@type": "Organization", "name": "人民日报"}
    assert data["isBasedOn"] == SOURCE_URL
    assert data["publisher"]["name"] == settings.SITE_NAME


def test_article_page_links_its_feeds(client, reprint, topic):
    response = client.get(reprint.get_absolute_url())
    assert feed_links(response) == [
        ("application/rss+xml", f"/topics/{topic.slug}/rss/"),
        ("application/atom+xml", f"/topics/{topic.slug}/atom/"),
        ("application/rss+xml", "/feeds/rss/"),
        ("application/atom+xml", "/feeds/atom/"),
        ("application/feed+json", "/feeds/json/"),
    ]
    titles = [el["title"] for el in elements(response, "link") if el.get("rel") == "alternate"]
    assert titles[0].startswith(topic.name) and all(titles)


@pytest.mark.parametrize(
    "url, scope",
    [
        ("/", []),
        ("/archive/", []),
        ("/archive/2024/12/05/", []),
        (
            "/topics/ye-jie-xin-wen/",
            ["/topics/ye-jie-xin-wen/rss/", "/topics/ye-jie-xin-wen/atom/"],
        ),
        ("/tags/guo-ji/", ["/tags/guo-ji/rss/", "/tags/guo-ji/atom/"]),
    ],
)
def test_list_pages_link_their_feeds(client, reprint, url, scope):
    hrefs = [href for _, href in feed_links(client.get(url))]
    assert hrefs == [*scope, "/feeds/rss/", "/feeds/atom/", "/feeds/json/"]


def test_title_cannot_break_out_of_json_ld(client, db, topic):
    title = '注入</script><script>alert(1)</script>"&'
    article = make_article(title=title, topic=topic, tags=["国际"])
    response = client.get(article.get_absolute_url())
    html = page_text(response)
    assert "<script>alert(1)" not in html
    assert html.count("<script") == 2  # only the JSON-LD blocks: article and breadcrumbs
    assert html.count("</script>") == 2
    assert json_ld(response)["headline"] == title
    assertContains(response, "注入&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;")
    # Escaped wherever the title is shown: lists, and a neighbour's prev/next and related.
    neighbour = make_article(title="邻居", topic=topic, age=2 * HOUR, tags=["国际"])
    for url in ["/", topic.get_absolute_url(), neighbour.get_absolute_url()]:
        html = page_text(client.get(url))
        assert html.count("注入&lt;/script&gt;&lt;script&gt;alert(1)") == (
            2 if url == neighbour.get_absolute_url() else 1  # next and related
        ), url
        assert "<script>alert(1)" not in html, url


def test_body_is_sanitized_on_the_page(client, db, topic):
    article = make_article(
        title="带脚本的文章",
        topic=topic,
        standfirst="",
        body=(
            '<p onclick="steal()">正文保留</p><script>alert("x")</script>'
            '<a href="javascript:alert(2)">链接保留</a><img src="/x.png" onerror="alert(3)">'
            '<style>body{display:none}</style><iframe src="https://evil.example"></iframe>'
        ),
    )
    response = client.get(article.get_absolute_url())
    html = page_text(response)
    for bad in ["onclick", "onerror", "javascript:", "alert(", "<iframe", "<style", "steal()"]:
        assert bad not in html, bad
    assert html.count("<script") == 2  # only the JSON-LD blocks: article and breadcrumbs
    assert "正文保留" in html and "链接保留" in html
    # With no standfirst the summary comes from the (sanitized) body.
    assert "正文保留" in json_ld(response)["description"]


def test_article_without_tags_or_byline_renders(client, db, topic):
    article = make_article(title="简单文章", topic=topic, byline="")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'rel="tag"' not in page_text(response)
    assert 'class="related"' not in page_text(response)
    data = json_ld(response)
    assert "author" not in data and "sourceOrganization" not in data
    assert data["keywords"] == []


# Previous / next and related --------------------------------------------------


def test_previous_and_next_follow_publication_time(client, db, topic):
    base = dt.datetime(2024, 12, 1, tzinfo=UTC)
    # Created out of order: the order comes from published_at, not the pk.
    second = make_article(title="第二篇", topic=topic, published_at=base + 2 * HOUR)
    first = make_article(title="第一篇", topic=topic, published_at=base + HOUR)
    third = make_article(title="第三篇", topic=topic, published_at=base + 3 * HOUR)
    other_topic = make_topic("其他栏目")
    fourth = make_article(title="第四篇", topic=other_topic, published_at=base + 4 * HOUR)

    expected = {
        first: (None, second),
        second: (first, third),
        third: (second, fourth),  # site-wide order, across topics
        fourth: (third, None),
    }
    for article, (previous, next_) in expected.items():
        response = client.get(article.get_absolute_url())
        assert links(response, "prev") == ([previous.get_absolute_url()] if previous else [])
        assert links(response, "next") == ([next_.get_absolute_url()] if next_ else [])
        if previous:
            assert previous.title in prev_next_nav(response)
        if next_:
            assert next_.title in prev_next_nav(response)


def test_previous_and_next_break_ties_by_id(client, db, topic):
    same = dt.datetime(2024, 12, 1, 8, tzinfo=UTC)
    a = make_article(title="同时甲", topic=topic, published_at=same)
    b = make_article(title="同时乙", topic=topic, published_at=same)
    c = make_article(title="同时丙", topic=topic, published_at=same)
    assert a.pk < b.pk < c.pk
    # The lists show c, b, a (newest first, then highest id); prev/next agree.
    assert listed_urls(client.get("/")) == [x.get_absolute_url() for x in (c, b, a)]
    response = client.get(b.get_absolute_url())
    assert links(response, "prev") == [a.get_absolute_url()]
    assert links(response, "next") == [c.get_absolute_url()]
    assert links(client.get(a.get_absolute_url()), "prev") == []
    assert links(client.get(c.get_absolute_url()), "next") == []


def test_related_articles_are_ordered_by_shared_tags_then_recency(client, db, topic):
    base = dt.datetime(2024, 11, 1, tzinfo=UTC)
    article = make_article(
        title="主文章", topic=topic, published_at=base, tags=["国际", "合作", "芯片"]
    )
    three = make_article(
        title="共享三个", topic=topic, published_at=base - 5 * HOUR, tags=["国际", "合作", "芯片"]
    )
    two = make_article(
        title="共享两个", topic=topic, published_at=base - 4 * HOUR, tags=["合作", "芯片", "其他"]
    )
    one_newer = make_article(
        title="共享一个新", topic=topic, published_at=base + HOUR, tags=["国际"]
    )
    one_older = make_article(
        title="共享一个旧", topic=topic, published_at=base - HOUR, tags=["芯片", "无关"]
    )
    make_article(title="毫不相关", topic=topic, published_at=base + 2 * HOUR, tags=["无关"])
    make_article(title="没有标签", topic=topic, published_at=base + 3 * HOUR)

    response = client.get(article.get_absolute_url())
    related = re.findall(r'<a href="([^"]*)">', section(response, "related"))
    assert related == [
        three.get_absolute_url(),
        two.get_absolute_url(),
        one_newer.get_absolute_url(),
        one_older.get_absolute_url(),
    ]


def test_related_articles_are_at_most_five_and_exclude_the_article(client, db, topic):
    base = dt.datetime(2024, 11, 1, tzinfo=UTC)
    article = make_article(title="主文章", topic=topic, published_at=base, tags=["国际"])
    others = [
        make_article(title=f"相关{i}", topic=topic, published_at=base - i * HOUR, tags=["国际"])
        for i in range(1, 8)
    ]
    response = client.get(article.get_absolute_url())
    related = re.findall(r'<a href="([^"]*)">', section(response, "related"))
    assert related == [a.get_absolute_url() for a in others[:5]]
    assert article.get_absolute_url() not in related


# Old slugs ---------------------------------------------------------------------


def test_renamed_article_redirects_permanently_and_can_go_back(client, db, topic):
    article = make_article(title="改名文章", topic=topic, slug="first-slug")

    article.slug = "second-slug"
    article.save()
    response = client.get("/articles/first-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/second-slug/"
    assert client.get("/articles/second-slug/").status_code == 200

    article.slug = "third-slug"
    article.save()
    # No chain of redirects: every old slug points at the current URL.
    for old in ["first-slug", "second-slug"]:
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/third-slug/"

    article.slug = "first-slug"
    article.save()
    assert client.get("/articles/first-slug/").status_code == 200
    for old in ["second-slug", "third-slug"]:
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/first-slug/"


def test_redirect_follows_to_the_article(client, db, topic):
    article = make_article(title="改名文章", topic=topic, slug="before")
    article.slug = "after"
    article.save()
    response = client.get("/articles/before/", follow=True)
    assert response.redirect_chain == [("/articles/after/", 301)]
    assertContains(response, "改名文章")


def test_unknown_slug_is_404_not_redirect(client, db, topic):
    make_article(title="文章", topic=topic, slug="exists")
    response = client.get("/articles/never-existed/")
    assert response.status_code == 404


# Pagination --------------------------------------------------------------------


@pytest.fixture
def many(db, topic):
    """45 published articles in one topic and tag, one minute apart, on 2024-12-05."""
    base = dt.datetime(2024, 12, 5, 2, 0, tzinfo=UTC)
    articles = [
        make_article(
            title=f"分页文章{i:02d}",
            topic=topic,
            published_at=base + dt.timedelta(minutes=i),
            tags=["国际"],
        )
        for i in range(45)
    ]
    articles.reverse()  # newest first, as listed
    return articles


PAGINATED_LISTS = [
    "/",
    "/archive/",
    "/archive/2024/",
    "/archive/2024/12/",
    "/archive/2024/12/05/",
    "/topics/ye-jie-xin-wen/",
    "/tags/guo-ji/",
]


@pytest.mark.parametrize("url", PAGINATED_LISTS)
def test_lists_show_twenty_articles_a_page(client, many, url):
    pages = [listed_urls(client.get(f"{url}?page={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [20, 20, 5]
    assert sum(pages, []) == [a.get_absolute_url() for a in many]
    assert client.get(f"{url}?page=4").status_code == 404
    assert listed_urls(client.get(url)) == pages[0]
    assert listed_urls(client.get(f"{url}?page=last")) == pages[2]


def test_pagination_links(client, many):
    first = client.get("/")
    assert links(first, "prev") == []
    assert links(first, "next") == ["?page=2"]
    assert re.search(r'<span class="current">\D*1\D+3\D*</span>', page_text(first))
    middle = client.get("/?page=2")
    assert links(middle, "prev") == ["?page=1"]
    assert links(middle, "next") == ["?page=3"]
    assert links(client.get("/?page=3"), "next") == []


@pytest.mark.parametrize("url", PAGINATED_LISTS)
@pytest.mark.parametrize(
    "page, status",
    [
        ("abc", 404),
        ("0", 404),
        ("-1", 404),
        ("99999", 404),
        ("99999999999999999999999999", 404),
        ("1.5", 404),
        ("%00", 404),
        ("", 200),
        ("1", 200),
    ],
)
def test_bad_page_numbers_are_404_never_500(client, reprint, url, page, status):
    response = client.get(f"{url}?page={page}")
    assert response.status_code == status


def test_featured_block_only_on_first_home_page(client, many):
    oldest = many[-1]
    Article.objects.filter(pk=oldest.pk).update(featured=True)
    first = client.get("/")
    assert oldest.get_absolute_url() in section(first, "featured")
    assert oldest.get_absolute_url() not in listed_urls(first)
    second = client.get("/?page=2")
    assert section(second, "featured") == ""
    assert 'class="featured' not in page_text(second)
    assert ui("Top stories") not in page_text(second)


def test_featured_block_shows_at_most_four_newest_featured(client, many):
    Article.objects.filter(pk__in=[a.pk for a in many[10:16]]).update(featured=True)
    featured = re.findall(r'<h3><a href="([^"]*)">', section(client.get("/"), "featured"))
    assert featured == [a.get_absolute_url() for a in many[10:14]]


def test_home_links_every_topic(client, db):
    topics = [make_topic(name) for name in ["业界新闻", "政策法规", "空栏目"]]
    make_article(title="文章", topic=topics[0])
    response = client.get("/")
    index = section(response, "topic-index")
    for topic in topics:
        assert f'<a href="{topic.get_absolute_url()}">{topic.name}</a>' in index


def test_home_without_articles_is_200(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assertContains(response, f'<p class="empty">{ui("No articles yet.")}</p>')


def test_topic_page_lists_only_its_topic(client, db, topic):
    other = make_topic("政策法规")
    mine = make_article(title="本栏目文章", topic=topic)
    theirs = make_article(title="其他栏目文章", topic=other)
    response = client.get(topic.get_absolute_url())
    assert listed_urls(response) == [mine.get_absolute_url()]
    assertInHTML('<h1 class="section-title">业界新闻</h1>', page_text(response))
    assertContains(response, "行业动态")  # the topic's description
    assert theirs.title not in page_text(response)


def test_tag_page_lists_only_tagged_articles(client, db, topic):
    tagged = make_article(title="国际文章", topic=topic, tags=["国际", "合作"])
    make_article(title="合作文章", topic=topic, tags=["合作"])
    response = client.get("/tags/guo-ji/")
    assert Tag.objects.get(name="国际").slug == "guo-ji"
    assert listed_urls(response) == [tagged.get_absolute_url()]
    assert re.search(r'<h1 class="section-title">[^<]*国际</h1>', page_text(response))


def test_empty_topic_is_200(client, db, topic):
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, f'<p class="empty">{ui("No articles yet.")}</p>')


# Bad URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/archive/99999/",
        "/archive/0000/",
        "/archive/0001/",
        "/archive/0001/01/",
        "/archive/0001/01/01/",
        "/archive/9999/",
        "/archive/9999/12/",
        "/archive/9999/12/31/",
        "/archive/2024/13/",
        "/archive/2024/00/",
        "/archive/2024/1/",
        "/archive/2024/12/32/",
        "/archive/2024/12/00/",
        "/archive/2024/02/30/",
        "/archive/2023/02/29/",
        "/archive/2024/12/5/",
        "/archive/2024/dec/",
        "/archive/2099/",
        "/archive/2099/01/01/",
        "/archive/2023/",
    ],
)
def test_bad_or_empty_archive_dates_are_404(client, reprint, url):
    response = client.get(url)
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")


def test_leap_day_archive_exists(client, db, topic):
    make_article(
        title="闰日文章", topic=topic, published_at=dt.datetime(2024, 2, 29, 4, tzinfo=UTC)
    )
    assertContains(client.get("/archive/2024/02/29/"), "闰日文章")


@pytest.mark.parametrize("url", ["/topics/no-such-topic/", "/tags/no-such-tag/", "/tags/国际/"])
def test_unknown_topic_or_tag_is_404(client, reprint, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("prefix", ["/articles/", "/topics/", "/tags/"])
def test_very_long_slug_is_404_without_a_lookup(client, reprint, prefix):
    slug = "a" * 2000
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{prefix}{slug}/")
    assert response.status_code == 404
    assert not any(slug in query["sql"] for query in ctx.captured_queries)


def test_unknown_path_renders_the_404_template(client, db, topic):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assertTemplateUsed(response, "base.html")
    assertContains(response, ui("Page not found"), status_code=404)
    assertContains(response, f'<a href="{topic.get_absolute_url()}">业界新闻</a>', status_code=404)


def test_missing_article_renders_the_404_template(client, db):
    response = client.get("/articles/missing/")
    assertTemplateUsed(response, "404.html")
    assertContains(response, ui("Page not found"), status_code=404)


# HTTP caching ----------------------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/archive/",
    "/archive/2024/",
    "/archive/2024/12/",
    "/archive/2024/12/05/",
    "/topics/ye-jie-xin-wen/",
    "/tags/guo-ji/",
    "/articles/rang-shi-jie-gong-xiang-zhong-guo-shi-xian-dai-hua-hong-li/",
]


def test_reprint_has_the_url_the_lists_above_expect(reprint):
    assert reprint.get_absolute_url() == PUBLIC_PAGES[-1]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_are_publicly_cacheable(client, reprint, url):
    response = client.get(url)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "public" in directives
    assert f"max-age={settings.PUBLIC_CACHE_SECONDS}" in directives
    assert "private" not in directives and "no-store" not in directives


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_answer_304_to_matching_etag(client, reprint, url):
    response = client.get(url)
    etag = response["ETag"]
    assert etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_do_not_vary_on_cookie(client, reprint, url):
    client.cookies["sessionid"] = "not-a-real-session"
    response = client.get(url)
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
    assert "cookie" not in vary
    assert not response.cookies  # no session, CSRF or language cookie set


def test_old_slug_redirect_is_cacheable(client, reprint):
    old_url = reprint.get_absolute_url()
    reprint.slug = "renamed"
    reprint.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert "public" in response["Cache-Control"]


# Query counts ------------------------------------------------------------------------

QUERY_PAGES = {
    "home": "/",
    "archive-index": "/archive/",
    "archive-year": "/archive/2024/",
    "archive-month": "/archive/2024/12/",
    "archive-day": "/archive/2024/12/05/",
    "topic": "/topics/ye-jie-xin-wen/",
    "tag": "/tags/guo-ji/",
    "detail": "/articles/rang-shi-jie-gong-xiang-zhong-guo-shi-xian-dai-hua-hong-li/",
}
# The most each page may cost; the real count must also not grow with the data.
# Every page pays one query for the topic navigation; lists a count and a page;
# date archives also look up their dates and the previous and next periods.
QUERY_LIMITS = {
    "home": 4,  # + the featured block
    "archive-index": 4,  # + the list of years
    "archive-year": 7,
    "archive-month": 7,
    "archive-day": 8,
    "topic": 4,  # + the topic
    "tag": 4,  # + the tag
    # article, tags, authors, previous, next, related (stored ids), navigation;
    # corrections only when the article has some
    "detail": 7,
}


def add_articles(count, topics, sources, start):
    """`count` articles on 2024-12-05, with tags, sources and featured flags."""
    for i in range(count):
        make_article(
            title=f"批量文章{start + i}",
            topic=topics[i % len(topics)],
            source=sources[i % len(sources)] if i % 3 else None,
            published_at=dt.datetime(2024, 12, 5, 1, tzinfo=UTC) + dt.timedelta(minutes=start + i),
            tags=["国际", f"标签{i % 5}", f"话题{i % 7}"],
            byline=f"记者{i}",
            featured=i % 4 == 0,
        )


def test_query_counts_do_not_grow_with_the_data(client, reprint, topic, django_assert_num_queries):
    assert reprint.get_absolute_url() == QUERY_PAGES["detail"]
    topics = [topic, make_topic("政策法规"), make_topic("科技前沿"), make_topic("市场观察")]
    sources = [reprint.source, make_source("新华社")]
    add_articles(2, topics, sources, start=0)
    assert Article.objects.published().count() == 3
    # The article page reads its stored related list, as after any workflow write.
    compute_related([reprint.pk])
    small = {name: count_queries(client, url) for name, url in QUERY_PAGES.items()}

    add_articles(40, topics, sources, start=100)
    topics.append(make_topic("国际视野"))
    assert Article.objects.published().count() == 43
    compute_related([reprint.pk])
    assert len(Article.objects.get(pk=reprint.pk).related_ids) >= 5
    large = {name: count_queries(client, url) for name, url in QUERY_PAGES.items()}

    assert small == large
    for name, count in large.items():
        assert count <= QUERY_LIMITS[name], (name, count, large)
    # Later pages cost the same, less the featured block.
    with django_assert_num_queries(large["home"] - 1):
        assert client.get("/?page=2").status_code == 200
    with django_assert_num_queries(large["tag"]):
        assert client.get("/tags/guo-ji/?page=2").status_code == 200
