"""
The reader's side (issue 15), server-rendered: body styles on the article
page and in the desk, the skip link, the current section, breadcrumbs and
their JSON-LD, numbered pagination, the archive's months with counts, one
h1 per page, the print address and the error pages.
"""

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from articles.navigation import page_numbers
from tests.factories import ensure_roles, make_article, make_topic, make_user

UTC = dt.UTC
ROOT = Path(__file__).resolve().parent.parent


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def json_ld_blocks(page):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]


def breadcrumbs(page):
    """[(name, href), ...] of the visible breadcrumbs."""
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S)
    if not nav:
        return []
    return [
        (name, href) for href, name in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav[0])
    ]


@pytest.fixture
def site(db):
    topic = make_topic("产业观察")
    # 2024-11-30 20:00 UTC is already December 1st in Shanghai (the site's zone).
    late_november_utc = make_article(
        title="跨月文章",
        topic=topic,
        published_at=dt.datetime(2024, 11, 30, 20, tzinfo=UTC),
        tags=["国际"],
    )
    november = [
        make_article(
            title=f"十一月文章{i}",
            topic=topic,
            published_at=dt.datetime(2024, 11, 5 + i, 3, tzinfo=UTC),
            tags=["国际"],
        )
        for i in range(3)
    ]
    older = make_article(
        title="去年文章", topic=topic, published_at=dt.datetime(2023, 6, 1, 3, tzinfo=UTC)
    )
    return SimpleNamespace(topic=topic, december=late_november_utc, november=november, older=older)


# Bodies ---------------------------------------------------------------------


def test_article_page_loads_the_body_styles_and_lists_do_not(client, site):
    article = html(client.get(site.december.get_absolute_url()))
    assert '<link rel="stylesheet" href="/static/css/body.css">' in article
    # Lists have no bodies: one stylesheet, so two requests before images.
    assert "body.css" not in html(client.get("/"))
    assert "body.css" not in html(client.get(site.topic.get_absolute_url()))


def test_desk_read_only_body_is_wrapped_in_the_article_styles(client, site):
    ensure_roles()
    client.force_login(make_user("writer"))
    # Published: not the writer's to edit, so the body shows read-only.
    page = html(client.get(f"/admin/articles/article/{site.december.pk}/change/"))
    assert '<div class="article-body"><p>' in page
    assert 'href="/static/css/body.css"' in page


def test_every_body_element_the_editor_can_use_has_a_style():
    from articles.text import ALLOWED_TAGS

    css = (ROOT / "static/css/body.css").read_text(encoding="utf-8")
    inline = {"abbr", "b", "br", "cite", "del", "em", "i", "ins", "s", "small", "strong", "u"}
    inline |= {"tbody", "thead", "tfoot", "tr"}  # styled through their cells
    for tag in sorted(ALLOWED_TAGS - inline):
        assert re.search(rf"[\s(,]{tag}\b", css), f"body.css says nothing about <{tag}>"


# Navigation -----------------------------------------------------------------


def test_skip_link_is_the_first_link_and_targets_main(client, site):
    page = html(client.get("/"))
    first_link = re.search(r"<a [^>]*>", page[page.index("<body") :])[0]
    assert 'class="skip-link"' in first_link and 'href="#main"' in first_link
    assert '<main class="wrap" id="main" tabindex="-1">' in page


def current_nav(page):
    nav = re.search(r'<nav class="topics".*?</nav>', page, re.S)[0]
    return re.findall(r'<a href="([^"]*)" aria-current="([^"]*)">', nav)


def test_top_navigation_marks_the_current_section(client, site):
    topic_url = site.topic.get_absolute_url()
    assert current_nav(html(client.get("/"))) == [("/", "page")]
    assert current_nav(html(client.get(topic_url))) == [(topic_url, "page")]
    # An article is inside its topic, not the topic's page itself.
    assert current_nav(html(client.get(site.december.get_absolute_url()))) == [(topic_url, "true")]
    assert current_nav(html(client.get("/archive/"))) == [("/archive/", "page")]
    assert current_nav(html(client.get("/archive/2024/11/"))) == [("/archive/", "true")]
    assert current_nav(html(client.get("/tags/guo-ji/"))) == []


def crumbs_for(client, url):
    page = html(client.get(url))
    visible = breadcrumbs(page)
    lists = [b for b in json_ld_blocks(page) if b.get("@type") == "BreadcrumbList"]
    assert len(lists) == 1, url
    items = lists[0]["itemListElement"]
    # The JSON-LD says what the page shows, with absolute URLs, positions from 1.
    assert [(i["position"], i["name"], i["item"]) for i in items] == [
        (n, name, f"http://testserver{href}") for n, (name, href) in enumerate(visible, start=1)
    ]
    assert page.count('aria-current="page"') >= 1
    return visible


def test_breadcrumbs_on_article_topic_tag_and_archive_pages(client, site):
    topic = (site.topic.name, site.topic.get_absolute_url())
    article = site.november[0]
    assert crumbs_for(client, article.get_absolute_url()) == [
        ("首页", "/"),
        topic,
        (article.title, article.get_absolute_url()),
    ]
    assert crumbs_for(client, site.topic.get_absolute_url()) == [("首页", "/"), topic]
    assert crumbs_for(client, "/tags/guo-ji/") == [("首页", "/"), ("标签:国际", "/tags/guo-ji/")]
    archive = [("首页", "/"), ("归档", "/archive/")]
    assert crumbs_for(client, "/archive/") == archive
    assert crumbs_for(client, "/archive/2024/") == [*archive, ("2024年", "/archive/2024/")]
    assert crumbs_for(client, "/archive/2024/11/") == [
        *archive,
        ("2024年", "/archive/2024/"),
        ("2024年11月", "/archive/2024/11/"),
    ]
    assert crumbs_for(client, "/archive/2024/11/05/")[-1] == (
        "2024年11月5日",
        "/archive/2024/11/05/",
    )


def test_home_and_search_have_no_breadcrumbs(client, site):
    for url in ("/", "/search/?q=文章"):
        page = html(client.get(url))
        assert breadcrumbs(page) == []
        assert "BreadcrumbList" not in page


@pytest.mark.parametrize(
    "number, last, expected",
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 20, [1, 2, 3, None, 20]),
        (7, 20, [1, None, 5, 6, 7, 8, 9, None, 20]),
        (4, 20, [1, 2, 3, 4, 5, 6, None, 20]),  # page 2 shows instead of a gap of one
        (20, 20, [1, None, 18, 19, 20]),
        (5, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ],
)
def test_page_numbers_show_first_last_and_a_window(number, last, expected):
    page = Paginator(range(last * 20), 20).page(number)
    assert page_numbers(page) == expected


def test_lists_have_numbered_pagination(client, site):
    for i in range(60):
        make_article(
            title=f"分页{i}",
            topic=site.topic,
            published_at=dt.datetime(2024, 10, 1, 3, tzinfo=UTC) + dt.timedelta(minutes=i),
        )
    for url in ("/", site.topic.get_absolute_url(), "/archive/2024/", "/search/?q=分页"):
        page = html(client.get(url + ("&" if "?" in url else "?") + "page=2"))
        nav = re.search(r'<nav class="pagination".*?</nav>', page, re.S)[0]
        numbers = re.findall(
            r'<a href="([^"]*page=(\d+)[^"]*)"( aria-current="page")?>\d+</a>', nav
        )
        # 64 articles in these lists, 4 pages; the search finds the 60 named 分页, 3 pages.
        expected = [1, 2, 3] if "search" in url else [1, 2, 3, 4]
        assert [int(n) for _href, n, _current in numbers] == expected, url
        assert [int(n) for _href, n, current in numbers if current] == [2], url


def test_archive_index_lists_years_and_months_with_counts_in_site_time(client, site):
    page = html(client.get("/archive/"))
    years = re.findall(
        r'<h2><a href="(/archive/\d{4}/)">(\d{4})年</a> <span class="count">(\d+) 篇</span>', page
    )
    assert years == [("/archive/2024/", "2024", "4"), ("/archive/2023/", "2023", "1")]
    months = re.findall(
        r'<li><a href="(/archive/\d{4}/\d{2}/)">([^<]*)</a> <span class="count">(\d+) 篇', page
    )
    assert months == [
        ("/archive/2024/12/", "2024年12月", "1"),
        ("/archive/2024/11/", "2024年11月", "3"),
        ("/archive/2023/06/", "2023年6月", "1"),
    ]


def test_month_headings_read_as_chinese_dates(client, site):
    page = html(client.get("/archive/2024/11/"))
    assert re.search(r"<h1 [^>]*>2024年11月", page)
    assert re.search(r'<a href="/archive/2024/\d\d/">[^<]*2024年12月', page)  # the next month
    year = html(client.get("/archive/2024/"))
    assert '<a href="/archive/2024/11/">2024年11月</a>' in year


@pytest.mark.parametrize(
    "url",
    ["/", "/archive/", "/archive/2024/", "/archive/2024/11/", "/archive/2024/11/05/",
     "/tags/guo-ji/", "/search/?q=文章", "/search/", "/no-such-page/"],
)  # fmt: skip
def test_every_page_has_exactly_one_h1(client, site, url):
    response = client.get(url)
    assert len(re.findall(r"<h1[ >]", response.content.decode())) == 1


def test_article_and_topic_pages_have_one_h1(client, site):
    for url in (site.december.get_absolute_url(), site.topic.get_absolute_url()):
        assert len(re.findall(r"<h1[ >]", html(client.get(url)))) == 1


def test_headings_never_skip_a_level(client, site):
    make_article(title="头条", topic=site.topic, featured=True)
    for url in ("/", "/archive/", site.december.get_absolute_url(), site.topic.get_absolute_url()):
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html(client.get(url)))]
        assert levels[0] == 1, url
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (url, levels)


def test_printed_article_carries_its_address(client, site):
    page = html(client.get(site.december.get_absolute_url()))
    url = f"http://testserver{site.december.get_absolute_url()}"
    assert f'<p class="print-url">网址: {url}</p>' in page
    css = (ROOT / "static/css/site.css").read_text(encoding="utf-8")
    print_rules = css[css.index("@media print") :]
    for hidden in (".site-header", ".site-footer", ".breadcrumbs", ".related", ".site-search"):
        assert hidden in print_rules


def test_not_found_page_is_in_the_site_design_in_chinese_and_english(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'href="/static/css/site.css"' in page and '<a class="skip-link"' in page
    assert "页面不存在" in page or "找不到" in page
    assert '<p lang="en">The page you asked for does not exist' in page


def test_server_error_page_needs_no_database_and_speaks_both_languages():
    page = render_to_string("500.html")
    assert 'href="/static/css/site.css"' in page
    assert "服务器错误" in page and 'lang="en"' in page and "Server error" in page


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<p lang="en">Made in China 2025</p>', '<p lang="en">Made in China 2025</p>'),
        ('<blockquote lang="en-GB"><p>Quote</p></blockquote>', '<blockquote lang="en-GB"><p>Quote</p></blockquote>'),
        ('<p lang="zh-Hant-TW">繁體</p>', '<p lang="zh-Hant-TW">繁體</p>'),
        ('<p lang="en&quot; onclick=&quot;x">bad</p>', "<p>bad</p>"),
        ('<p lang="english language">bad</p>', "<p>bad</p>"),
        ('<a href="https://example.org/" lang="en">link</a>', '<a href="https://example.org/" lang="en" rel="noopener noreferrer">link</a>'),
    ],
)  # fmt: skip
def test_body_passages_may_name_their_language(html, expected):
    from articles.text import sanitize_html

    assert sanitize_html(html) == expected


def test_english_passage_keeps_its_lang_on_the_page(client, site):
    article = make_article(
        title="双语", topic=site.topic, body='<p>中文段落。</p><p lang="en">An English passage.</p>'
    )
    assert '<p lang="en">An English passage.</p>' in html(client.get(article.get_absolute_url()))
