"""
The desk never loses text, in headless Chromium: an edit not saved before
pressing 提交审阅 goes to review with the article; leaving with unsaved
changes asks first; an autosave survives a closed tab and is restored; Ctrl+S
saves. Fixtures and helpers from tests/test_browser.py.
"""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article, Autosave
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
def draft(transactional_db):
    ensure_roles()  # an earlier transactional test may have flushed permissions and groups
    writer = make_staff("writer", "撰稿 Writer")
    topic = make_topic("半导体")
    return make_article(
        title="稿件:晶圆产能",
        topic=topic,
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=writer,
        standfirst="旧导语",
    )


def test_unsaved_standfirst_then_submit_goes_to_review_with_the_edit(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    draft,
    tmp_path,
):
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("writer")
        page = desk.page
        page.goto(f"/admin/articles/article/{draft.pk}/change/")
        # The rich-text editor's toolbar speaks Chinese with the desk.
        menubar = page.locator(".field-body .prose-menubar")
        expect(menubar.locator("[title='加粗']")).to_have_count(1)
        titles = menubar.locator("[title]").evaluate_all("els => els.map(e => e.title)")
        english = [t for t in titles if re.fullmatch(r"[A-Za-z ]+[0-9]?", t) and t != "HTML"]
        assert english == [], english
        # 字数 under the title, standfirst and body, with the title's advice.
        expect(page.locator("#desk-count-title")).to_contain_text("字数: 7")
        expect(page.locator("#desk-count-title")).to_contain_text("建议不超过 30 字")
        expect(page.locator("#desk-count-body")).to_contain_text("字数: ")
        page.fill("#id_standfirst", "新导语:按提交前没有保存")
        expect(page.locator("#desk-count-standfirst")).to_have_text("字数: 12")
        box = page.locator("#workflow .desk-box[data-action=submit]")
        box.locator("textarea").fill("请审阅")
        box.locator("button[name=workflow][value=submit]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        expect(page.locator("#workflow .desk-state strong").first).to_have_text("待审")
        draft.refresh_from_db()
        assert draft.status == Article.Status.REVIEW
        assert draft.standfirst == "新导语:按提交前没有保存"
        assert draft.notes.get().text == "请审阅"
        desk.assert_self_contained()


def test_autosave_survives_a_closed_tab_and_is_restored(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    draft,
    tmp_path,
):
    with screenshots_on_failure(browser, tmp_path):
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("writer")
        page = desk.page
        url = f"/admin/articles/article/{draft.pk}/change/"
        page.goto(url)
        page.fill("#id_title", "稿件:晶圆产能(自动保存)")
        # Leaving the field autosaves it.
        page.locator("#id_byline").focus()
        expect(page.locator("#desk-autosave-status")).to_contain_text("已自动保存于")
        slot = Autosave.objects.get(article=draft)
        assert slot.data["title"] == "稿件:晶圆产能(自动保存)"

        # Navigating away with the change unsaved asks first.
        dialogs = []

        def answer(dialog):
            dialogs.append(dialog.type)
            dialog.dismiss()  # stay on the page

        page.on("dialog", answer)
        page.locator("#site-name a").click()
        page.wait_for_timeout(500)
        assert dialogs == ["beforeunload"]
        expect(page).to_have_url(re.compile(re.escape(url)))
        page.remove_listener("dialog", answer)

        page.close()  # the tab is closed; nothing was saved
        assert Article.objects.get(pk=draft.pk).title == "稿件:晶圆产能"

        page = desk.context.new_page()
        page.goto(url)
        offer = page.locator("#autosave-offer")
        expect(offer).to_contain_text("未保存的版本")
        expect(page.locator("#id_title")).to_have_value("稿件:晶圆产能")
        offer.locator("#autosave-restore").click()
        expect(page.locator("#id_title")).to_have_value("稿件:晶圆产能(自动保存)")
        # Ctrl+S saves and continues editing.
        page.locator("#id_title").press("Control+s")
        expect(page.locator(".messagelist .success")).to_be_visible()
        expect(page.locator("#autosave-offer")).to_have_count(0)
        assert Article.objects.get(pk=draft.pk).title == "稿件:晶圆产能(自动保存)"
        assert not Autosave.objects.exists()
        desk.assert_self_contained()


def test_editor_is_notified_sees_the_dashboard_and_edits_and_reschedules_a_scheduled_article(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    draft,
    tmp_path,
):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.core import mail
    from django.utils import timezone

    editor_user = make_staff("editor", "编辑 Editor")
    editor_user.email = "editor@example.com"
    editor_user.save()
    with screenshots_on_failure(browser, tmp_path):
        # The writer submits from the desk.
        writer = Desk(browser, live_server.url, locale="zh-CN")
        writer.log_in("writer")
        writer.page.goto(f"/admin/articles/article/{draft.pk}/change/")
        writer.page.locator("button[name=workflow][value=submit]").click()
        expect(writer.page.locator(".messagelist .success")).to_be_visible()

        # The editor sees the notice, by e-mail and on the desk's front page.
        assert [m.to for m in mail.outbox] == [["editor@example.com"]]
        desk = Desk(browser, live_server.url, locale="zh-CN")
        desk.log_in("editor")
        page = desk.page
        expect(page.locator("#desk-notifications .desk-unread")).to_have_text("(1)")
        expect(page.locator("#desk-review .desk-count")).to_have_text("1")
        expect(page.locator("#desk-dashboard")).to_contain_text(draft.title)
        page.locator("#desk-notifications").click()
        page.get_by_role("link", name=re.compile(re.escape(draft.title))).click()
        expect(page).to_have_url(re.compile(rf"/admin/articles/article/{draft.pk}/change/"))
        expect(page.locator("#desk-notifications .desk-unread")).to_have_count(0)

        # Approve, then schedule for tomorrow.
        page.locator("button[name=workflow][value=approve]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        zone = ZoneInfo("Asia/Shanghai")
        due = (timezone.now().astimezone(zone) + timedelta(days=1)).replace(second=0, microsecond=0)
        box = page.locator("#workflow .desk-box[data-action=publish]")
        box.locator("input[name=publish_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
        box.locator("button[name=workflow]").click()
        expect(page.locator("#workflow .desk-state strong").first).to_have_text("已排期")

        # A typo fixed directly, no working copy.
        page.fill("#id_title", "稿件:晶圆产能(改正错字)")
        page.locator("input[name=_continue]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        draft.refresh_from_db()
        assert draft.title == "稿件:晶圆产能(改正错字)"
        assert draft.published_at == due and not draft.working_copies.exists()

        # Rescheduled a day later.
        later = due + timedelta(days=1)
        box = page.locator("#workflow .desk-box[data-action=reschedule]")
        box.locator("input[name=reschedule_at]").fill(later.strftime("%Y-%m-%dT%H:%M"))
        box.locator("button[name=workflow]").click()
        expect(page.locator("#workflow .desk-state")).to_contain_text(
            later.strftime("%Y-%m-%d %H:%M")
        )
        draft.refresh_from_db()
        assert draft.published_at == later
        assert not Article.objects.published().filter(pk=draft.pk).exists()
        desk.assert_self_contained()
        writer.assert_self_contained()
