"""
The reader's side in Chromium (issue 15): article bodies render cleanly
(visible links, lists without the paragraph indent, quotes, tables), and the
desk's read-only body uses the same styles.
"""

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ensure_roles, make_article, make_topic
from tests.test_browser import (  # noqa: F401 - fixtures
    PASSWORD,
    TIMEOUT_MS,
    Desk,
    allow_orm_under_playwright,
    browser,
    make_staff,
    screenshots_on_failure,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Everything the editor can put in a body (articles.text.ALLOWED_TAGS), in one body.
RICH_BODY = (
    '<p>据<a href="https://example.org/report">海关总署报告</a>，出口增长。</p>'
    "<h2>主要数据</h2>"
    "<ul><li>集成电路增长三成</li><li>电子元件<ul><li>被动元件</li></ul></li></ul>"
    "<ol><li>第一季度</li><li>第二季度</li></ol>"
    "<blockquote><p>需求仍将保持旺盛。</p></blockquote>"
    "<h3>分地区</h3>"
    "<table><caption>出口额</caption><thead><tr><th scope=col>地区</th><th scope=col>金额</th>"
    "</tr></thead><tbody><tr><td>东南亚</td><td>120亿元</td></tr></tbody></table>"
    "<p>第二段正文。</p>"
)

STYLE_OF = """(selector) => {
  const el = document.querySelector(selector);
  const s = getComputedStyle(el);
  return {color: s.color, indent: s.textIndent, line: s.textDecorationLine,
          left: el.getBoundingClientRect().left, width: el.getBoundingClientRect().width,
          paddingLeft: s.paddingLeft, borderLeft: s.borderLeftWidth, listStyle: s.listStyleType};
}"""

# Browsers never tell a page's script how a visited link looks: read the rule itself.
VISITED_RULE = """() => {
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      if (rule.selectorText === '.article-body a:visited') return rule.style.color;
    }
  }
  return null;
}"""


def body_styles(page):
    style = lambda selector: page.evaluate(STYLE_OF, selector)  # noqa: E731
    return {
        "body": style(".article-body"),
        "p": style(".article-body > p"),
        "a": style(".article-body a"),
        "ul": style(".article-body ul"),
        "li": style(".article-body li"),
        "ol li": style(".article-body ol li"),
        "blockquote p": style(".article-body blockquote p"),
        "table": style(".article-body table"),
        "h2": style(".article-body h2"),
        "visited": page.evaluate(VISITED_RULE),
    }


def assert_clean_body(styles):
    body = styles["body"]
    # Links stand out from the text and are underlined; visited ones differ again.
    assert styles["a"]["color"] != body["color"]
    assert "underline" in styles["a"]["line"]
    assert styles["visited"] and styles["visited"] not in ("inherit", "currentcolor")
    # Paragraphs keep the two-character indent; nothing else inherits it.
    assert styles["p"]["indent"] != "0px"
    for name in ("li", "ol li", "blockquote p", "h2"):
        assert styles[name]["indent"] == "0px", name
    # Lists are indented as lists, with markers, inside the body's column.
    assert styles["ul"]["paddingLeft"] != "0px"
    assert styles["li"]["listStyle"] == "disc"
    assert styles["ol li"]["listStyle"] == "decimal"
    assert styles["li"]["left"] > body["left"]
    assert styles["blockquote p"]["left"] > body["left"]
    # A table never widens the page.
    assert styles["table"]["width"] <= body["width"] + 0.5


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_article_body_renders_every_element_cleanly(live_server, browser, device):  # noqa: F811
    article = make_article(title="出口数据", topic=make_topic("经济"), body=RICH_BODY)
    context = browser.new_context(
        base_url=live_server.url, **(DESKTOP if device == "desktop" else PHONE)
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    assert page.goto(article.get_absolute_url()).status == 200
    styles = body_styles(page)
    context.close()
    assert_clean_body(styles)


def test_desk_read_only_body_uses_the_article_styles(live_server, browser, tmp_path):  # noqa: F811
    ensure_roles()
    make_staff("writer", "撰稿 Writer")
    # Published: a writer may no longer edit it, so the desk shows the body read-only.
    article = make_article(
        title="已发表", topic=make_topic("经济"), body=RICH_BODY, published_at=timezone.now()
    )
    assert article.status == Article.Status.PUBLISHED
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN", **DESKTOP)
        desk.log_in("writer")
        desk.page.goto(f"/admin/articles/article/{article.pk}/change/")
        assert desk.page.locator(".article-body").count() == 1
        desk_styles = body_styles(desk.page)
        desk.assert_self_contained()
        reader = browser.new_context(base_url=live_server.url, **DESKTOP)
        page = reader.new_page()
        page.goto(article.get_absolute_url())
        site_styles = body_styles(page)
        reader.close()
    assert_clean_body(desk_styles)
    assert desk_styles["a"]["color"] == site_styles["a"]["color"]
    assert desk_styles["visited"] == site_styles["visited"]
    assert desk_styles["li"]["indent"] == site_styles["li"]["indent"] == "0px"


# Navigation, focus, dark mode and print ----------------------------------------


def reader_page(browser, base_url, device, **options):  # noqa: F811
    context = browser.new_context(
        base_url=base_url, **(DESKTOP if device == "desktop" else PHONE), **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def test_phone_header_takes_at_most_a_fifth_of_the_first_screen(live_server, browser):  # noqa: F811
    for i in range(12):  # a long topic list must not grow the header
        make_topic(f"栏目名称{i}")
    make_article(title="手机首页", topic=make_topic("经济"))
    context, page = reader_page(browser, live_server.url, "phone")
    page.goto("/")
    header = page.locator(".site-header").bounding_box()
    topics = page.locator(".topics").bounding_box()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert header["height"] <= 0.2 * 844, header
    assert topics["height"] < 50  # one line, scrolled sideways
    assert page_width <= 390  # the page itself never scrolls sideways


def test_skip_link_appears_on_focus_and_focus_is_visible(live_server, browser):  # noqa: F811
    make_article(title="焦点", topic=make_topic("经济"))
    context, page = reader_page(browser, live_server.url, "desktop")
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement, s = getComputedStyle(el);
                 return {cls: el.className, top: el.getBoundingClientRect().top,
                         outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
    )
    page.keyboard.press("Enter")
    hash_ = page.evaluate("location.hash")
    context.close()
    assert focused["cls"] == "skip-link"
    assert focused["top"] >= 0  # on screen once focused
    assert focused["outline"] != "none" and focused["width"] >= 2
    assert hash_ == "#main"


def test_dark_mode_follows_the_system(live_server, browser):  # noqa: F811
    article = make_article(title="深色", topic=make_topic("经济"), body=RICH_BODY)
    colours = {}
    for scheme in ("light", "dark"):
        context, page = reader_page(browser, live_server.url, "desktop", color_scheme=scheme)
        page.goto(article.get_absolute_url())
        colours[scheme] = page.evaluate(
            """() => [getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.body).color,
                      getComputedStyle(document.querySelector('.article-body a')).color]"""
        )
        context.close()
    assert colours["light"][0] == "rgb(255, 255, 255)"
    assert colours["dark"][0] == "rgb(20, 20, 22)"
    assert colours["dark"][1] != colours["light"][1]
    assert colours["dark"][2] != colours["light"][2]


def test_print_shows_the_article_without_navigation(live_server, browser):  # noqa: F811
    article = make_article(title="打印", topic=make_topic("经济"), body=RICH_BODY, tags=["国际"])
    context, page = reader_page(browser, live_server.url, "desktop")
    page.goto(article.get_absolute_url())
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => Object.fromEntries(['.site-header', '.site-footer', '.breadcrumbs', '.tags',
               '.prev-next', '.article-title', '.article-body', '.print-url', '.meta']
            .map(s => [s, !!document.querySelector(s) &&
                          getComputedStyle(document.querySelector(s)).display !== 'none']))"""
    )
    context.close()
    assert shown == {
        ".site-header": False, ".site-footer": False, ".breadcrumbs": False, ".tags": False,
        ".prev-next": False, ".article-title": True, ".article-body": True,
        ".print-url": True, ".meta": True,
    }  # fmt: skip
