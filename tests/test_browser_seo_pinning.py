"""
SEO and sharing, and homepage curation (置顶), in headless Chromium: an
editor opens the collapsed *SEO 与分享* fieldset and saves its fields; sets
a featured order and a pin in the change list; a reader in a fresh context
sees the top stories in that order. Fixtures and helpers from tests/test_browser.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ensure_roles, make_article, make_topic
from tests.test_browser import (  # noqa: F401 (fixtures)
    Desk,
    allow_orm_under_playwright,
    browser,
    make_staff,
    screenshots_on_failure,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_data(transactional_db):
    ensure_roles()  # an earlier transactional test may have flushed permissions and groups
    make_staff("editor", "编辑 Editor")
    topic = make_topic("半导体")
    return {
        "draft": make_article(
            title="稿件:封装技术", topic=topic, status=Article.Status.DRAFT, published_at=None
        ),
        "older": make_article(title="较早的头条", topic=topic, featured=True, featured_order=5),
        "live": make_article(title="要置顶的新闻", topic=topic, age=timedelta(days=2)),
    }


def test_editor_fills_seo_fields_and_pins_a_story_in_the_desk(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    desk_data,
    tmp_path,
):
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("editor")
        page = desk.page
        draft = desk_data["draft"]
        page.goto(f"/admin/articles/article/{draft.pk}/change/")
        seo_title = page.locator("#id_seo_title")
        expect(seo_title).to_be_hidden()  # collapsed until opened
        page.locator("summary", has_text="SEO 与分享").click()
        seo_title.fill("封装技术新进展")
        page.fill("#id_meta_description", "先进封装的三条路线。")
        page.locator("input[name=_continue]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        draft.refresh_from_db()
        assert (draft.seo_title, draft.meta_description) == (
            "封装技术新进展",
            "先进封装的三条路线。",
        )

        live = desk_data["live"]
        page.goto("/admin/articles/article/?status__exact=published")
        row = page.locator("#result_list tbody tr", has_text="要置顶的新闻")
        row.locator("input[name$=-featured]").check()
        row.locator("input[name$=-featured_order]").fill("1")
        until = timezone.localtime(timezone.now() + timedelta(days=1))
        row.locator("input[name$=-pinned_until]").fill(f"{until:%Y-%m-%dT%H:%M}")
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        live.refresh_from_db()
        assert (live.featured, live.featured_order) == (True, 1)
        assert live.pinned_until == until.replace(second=0, microsecond=0)
        desk.assert_self_contained()

        reader = browser.new_context(base_url=live_server.url)
        home = reader.new_page()
        home.goto("/")
        expect(home.locator(".featured h3")).to_have_text(["要置顶的新闻", "较早的头条"])
        reader.close()
