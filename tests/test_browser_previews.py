"""
A shareable preview, end to end in headless Chromium: an editor makes a
link on the article's page in the desk; a fresh browser context, never
logged in, opens it and sees the banner and the unpublished text; the
editor revokes the link and the same reader is refused. Fixtures and
helpers from tests/test_browser.py.
"""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from previews.models import PreviewLink
from tests.factories import ensure_roles, make_article, make_topic
from tests.test_browser import (  # noqa: F401 (fixtures)
    TIMEOUT_MS,
    Desk,
    allow_orm_under_playwright,
    browser,
    make_staff,
    screenshots_on_failure,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "独家:晶圆厂新址尚未公布"
BODY = "消息人士称，新厂将落户苏州工业园区。"


@pytest.fixture
def draft(transactional_db):
    ensure_roles()  # an earlier transactional test may have flushed permissions and groups
    writer = make_staff("writer", "撰稿 Writer")
    make_staff("editor", "编辑 Editor")
    topic = make_topic("半导体")
    make_article(title="已发布的邻近文章", topic=topic)
    return make_article(
        title=TITLE,
        topic=topic,
        status=Article.Status.REVIEW,
        published_at=None,
        created_by=writer,
        standfirst="导语:尚在核实",
        body=f"<p>{BODY}</p>",
    )


def test_editor_shares_a_preview_a_stranger_reads_it_until_it_is_revoked(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    draft,
    tmp_path,
):
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("editor")
        page = desk.page
        page.goto(f"/admin/articles/article/{draft.pk}/change/")
        panel = page.locator("#previews")
        expect(panel.locator("h2")).to_have_text("分享预览")
        expect(panel).to_contain_text("还没有预览链接。")
        # 48 hours unless the editor chooses: the default is filled in.
        expect(panel.locator("input[name=expires_at]")).not_to_have_value("")
        panel.get_by_role("button", name="创建预览链接").click()
        url_field = page.locator("#preview-url")
        expect(url_field).to_have_value(re.compile(r"/preview/[A-Za-z0-9_-]{43}/$"))
        preview_url = url_field.input_value()
        assert preview_url.startswith(live_server.url)
        link = PreviewLink.objects.get()
        assert link.created_by.username == "editor"
        desk.assert_self_contained()

        # A stranger: a fresh context, no login, no cookies.
        stranger = browser.new_context(locale="zh-CN")
        stranger.set_default_timeout(TIMEOUT_MS)
        csp_violations = []
        reader = stranger.new_page()
        reader.on(
            "console",
            lambda m: "Content Security Policy" in m.text and csp_violations.append(m.text),
        )
        response = reader.goto(preview_url)
        assert response.status == 200
        assert response.headers["cache-control"] == "private, no-store"
        assert "noindex" in response.headers["x-robots-tag"]
        expect(reader.locator("#preview-banner")).to_contain_text("预览，未发布")
        expect(reader.locator("h1")).to_have_text(TITLE)
        expect(reader.locator("main")).to_contain_text(BODY)
        expect(reader.locator("meta[name=robots]")).to_have_attribute(
            "content", re.compile("noindex")
        )
        expect(reader.locator(".prev-next, .related")).to_have_count(0)
        expect(reader.locator("main")).not_to_contain_text("已发布的邻近文章")
        assert stranger.cookies() == []  # nobody logged in, nothing remembered
        assert csp_violations == []

        # The link is listed on the article, with who made it; the editor revokes it.
        page.get_by_role("link", name="返回文章").click()
        row = page.locator(f"#preview-links tr[data-link='{link.pk}']")
        expect(row).to_contain_text("editor")
        row.get_by_role("button", name="撤回").click()
        expect(page.locator(".messagelist .success")).to_contain_text("预览链接已撤回")
        expect(page.locator(f"#preview-links tr[data-link='{link.pk}']")).to_contain_text(
            "已由 editor 于"
        )

        response = reader.goto(preview_url)
        assert response.status == 410
        expect(reader.locator("h1")).to_have_text("预览已结束")
        expect(reader.locator("main")).to_contain_text("预览链接已撤回。")
        expect(reader.locator("main")).not_to_contain_text(BODY)
        stranger.close()
        desk.assert_self_contained()
