"""
The desk's bulk actions, character counts and Chinese, in headless Chromium:
a bulk schedule through its intermediate page with its per-article report;
字数 following the title and the body as the editor types, with the title's
warning; the desk's pages in zh-CN showing none of our English, and the
editor's toolbar in Chinese (zh-CN) and English (en-US). Fixtures and
helpers from tests/test_browser.py.
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import workflow
from articles.models import Article
from tests.factories import ensure_roles, make_article, make_topic
from tests.test_browser import (  # noqa: F401 (fixtures)
    Desk,
    allow_orm_under_playwright,
    browser,
    make_staff,
    screenshots_on_failure,
)
from tests.test_desk_chinese import english_phrases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def desk_data(transactional_db):
    ensure_roles()  # an earlier transactional test may have flushed permissions and groups
    writer = make_staff("writer", "撰稿 Writer")
    editor = make_staff("editor", "编辑 Editor")
    topic = make_topic("半导体")
    approved = make_article(
        title="待排期:晶圆厂扩产",
        topic=topic,
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=writer,
        standfirst="导语",
    )
    workflow.submit_for_review(approved, by=writer)
    workflow.approve(approved, by=editor)
    live = make_article(title="已发布:封测产能", topic=topic)
    return {"writer": writer, "editor": editor, "approved": approved, "live": live}


def test_a_bulk_schedule_asks_the_time_and_reports_each_article(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    desk_data,
    tmp_path,
):
    approved, live = desk_data["approved"], desk_data["live"]
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("editor")
        page = desk.page
        page.goto("/admin/articles/article/")
        for article in (approved, live):
            page.locator(f"input.action-select[value='{article.pk}']").check()
        page.locator("select[name=action]").select_option("schedule_selected")
        page.locator("button[name=index]").click()

        # The intermediate page: the articles, the time in the site's zone.
        expect(page.locator("h1")).to_have_text("定时发布所选文章")
        expect(page.locator("#bulk-articles")).to_contain_text(approved.title)
        expect(page.locator("#bulk-action-form")).to_contain_text("Asia/Shanghai")
        due = (timezone.now() + timedelta(days=1)).astimezone(ZONE).replace(second=0, microsecond=0)
        page.fill("#id_publish_at", due.strftime("%Y-%m-%dT%H:%M"))
        page.locator("#bulk-action-form input[type=submit]").click()

        # Back on the list: one line saying what happened to each.
        expect(page).to_have_url(re.compile(r"/admin/articles/article/"))
        message = page.locator(".messagelist li")
        expect(message).to_have_count(1)
        expect(message).to_have_text(
            f"1 篇已定时发布；1 篇被拒绝：《{live.title}》— 文章处于“已发布”状态时无法执行此操作。"
        )
        approved.refresh_from_db()
        assert approved.published_at == due
        assert workflow.state_of(approved) == workflow.SCHEDULED
        live.refresh_from_db()
        assert live.published_at < timezone.now()
        desk.assert_self_contained()


def test_character_counts_follow_the_typing_and_flag_a_long_title(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    desk_data,
    tmp_path,
):
    approved = desk_data["approved"]
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("editor")
        page = desk.page
        page.goto(f"/admin/articles/article/{approved.pk}/change/")
        title = page.locator("#desk-count-title")
        expect(title).to_have_text("字数: 9 (建议不超过 30 字)")
        expect(title).not_to_have_class(re.compile("desk-count-over"))
        page.fill("#id_title", "长" * 31)
        expect(title).to_have_text("字数: 31 (建议不超过 30 字) — 超出建议长度")
        expect(title).to_have_class(re.compile("desk-count-over"))
        # Letters, digits and Chinese each count one; spaces do not.
        page.fill("#id_title", "AI 芯片 2025")
        expect(title).to_have_text("字数: 8 (建议不超过 30 字)")

        body = page.locator("#desk-count-body")
        before = int(re.search(r"\d+", body.inner_text())[0])
        editor = page.locator(".field-body [contenteditable=true].ProseMirror")
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("新增十个汉字测试一下")
        expect(body).to_have_text(f"字数: {before + 10}")
        desk.assert_self_contained()


def visible_english(page, phrases):
    text = page.evaluate(
        """() => document.body.innerText + " " + [...document.querySelectorAll(
            "[title], [aria-label], [placeholder], input[type=submit][value]")].map(
            e => [e.title, e.getAttribute("aria-label"), e.placeholder, e.value].join(" ")
        ).join(" ")"""
    )
    return sorted(p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))


def test_the_desk_in_chinese_shows_no_english_in_the_browser(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    desk_data,
    tmp_path,
):
    approved = desk_data["approved"]
    pages = [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/?queue=review",
        f"/admin/articles/article/{approved.pk}/change/",
        f"/admin/articles/article/{approved.pk}/revisions/",
        "/admin/articles/article/import/",
        "/admin/images/image/",
        "/admin/notifications/notification/",
    ]
    phrases = english_phrases()
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("editor")
        page = desk.page
        found = {}
        for url in pages:
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
            left = visible_english(page, phrases)
            if left:
                found[url] = left
        assert found == {}
        # The history names states in Chinese ("草稿 → 待审"), not codes.
        page.goto(f"/admin/articles/article/{approved.pk}/change/")
        expect(page.locator("#content")).to_contain_text("(草稿 → 待审)")
        expect(page.locator("#content")).to_contain_text("(待审 → 已审核)")
        # The editor's toolbar, menus and link dialog.
        menubar = page.locator(".field-body .prose-menubar")
        expect(menubar.locator("[title='加粗']")).to_have_count(1)
        expect(menubar.locator("[title='插入链接']")).to_have_count(1)
        # The link dialog: its title and fields in Chinese.
        page.locator(".field-body [contenteditable=true].ProseMirror").click()
        page.keyboard.press("Control+a")
        menubar.locator("[title='插入链接']").click()
        dialog = page.locator("dialog[open]")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("网址")
        expect(dialog).to_contain_text("在新窗口打开")
        dialog_english = visible_english(page, phrases | {"Open in new window", "Edit Link"})
        assert dialog_english == []
        page.keyboard.press("Escape")
        desk.assert_self_contained()

        # The same desk in English is English.
        english = Desk(browser, live_server.url, locale="en-US")
        english.log_in("editor")
        english.page.goto(f"/admin/articles/article/{approved.pk}/change/")
        menubar = english.page.locator(".field-body .prose-menubar")
        expect(menubar.locator("[title='bold']")).to_have_count(1)
        expect(menubar.locator("[title='加粗']")).to_have_count(0)
        expect(english.page.locator("#desk-count-title")).to_contain_text("Characters: 9")
        english.assert_self_contained()
