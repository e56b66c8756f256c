"""
End to end in headless Chromium (Debian's `chromium`, driven by Playwright):
a writer writes and submits an article in the admin, an editor schedules it
from the review queue, and an anonymous reader sees it on the home page, its
topic page and in the RSS feed only once its time has come.

The live server runs in a thread of this process, so `time_machine` moves its
clock too. The browser's clock is not moved, which is why every reader visit
uses a fresh browser context: public pages are sent with `max-age`, and a
reused context would answer from its HTTP cache.
"""

import os
import re
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect, sync_playwright

from articles.models import Article
from tests.factories import ensure_roles, make_article, make_topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SITE_ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "browser-test-pw"
TIMEOUT_MS = 10_000

TITLE = "国产芯片出口东南亚市场首季增长三成"
TAGS = {"芯片", "国际"}
BODY_FIRST = "海关总署数据显示，一季度芯片出口同比增长百分之三十。"
BODY_SECOND = "业内人士认为，东南亚需求仍将保持旺盛。"


# Fixtures -------------------------------------------------------------------


@pytest.fixture
def allow_orm_under_playwright(monkeypatch):
    # Playwright's sync API keeps an asyncio loop running in this thread, which
    # makes Django refuse ORM calls from the test body (and the DB teardown).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(allow_orm_under_playwright):
    if not os.path.exists(CHROMIUM):
        reason = "Debian's chromium is not installed: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{reason} (CI must run the browser test, not skip it)")
        pytest.skip(reason)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Django keeps connections per async context while a loop runs, so the
        # ORM calls made under Playwright opened a connection of their own:
        # close it now, or PostgreSQL cannot drop the test database.
        connections.close_all()


def role(name):
    """
    The role's group. The data migrations create it, but a transactional test
    that ran before this one flushed the tables, so rebuild the roles if needed.
    """
    if not Group.objects.filter(name=name).exists():
        ensure_roles()
    return Group.objects.get(name=name)


def make_staff(username, group_name):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(role(group_name))
    return user


@pytest.fixture
def newsroom(transactional_db):
    """A topic with one article already out (so "not visible" means something), and two staff."""
    topic = make_topic("半导体", description="芯片与集成电路")
    already_out = make_article(title="晶圆厂扩产计划公布", topic=topic)
    return {
        "topic": topic,
        "already_out": already_out,
        "writer": make_staff("writer", "撰稿 Writer"),
        "editor": make_staff("editor", "编辑 Editor"),
    }


# Helpers --------------------------------------------------------------------


class Desk:
    """A staff member's browser context that notes JS errors and requests leaving the site."""

    def __init__(self, browser, base_url, **options):
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, **options)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.offsite_requests, self.js_errors = [], []
        self.context.on("request", self._note_request)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.js_errors.append(str(error)))
        # Chromium reports what the Content-Security-Policy refused on the console.
        self.csp_violations = []
        self.page.on("console", self._note_console)

    def _note_console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def _note_request(self, request):
        if not request.url.startswith((self.base_url, "data:", "blob:")):
            self.offsite_requests.append(request.url)

    def log_in(self, username):
        page = self.page
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("#login-form [type=submit]").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))

    def assert_self_contained(self):
        # The desk must work without internet: every asset is served locally.
        assert self.offsite_requests == []
        assert self.js_errors == []
        # ... and works under the site's policy (newsroom/security.py).
        assert self.csp_violations == []


def done_message(language, action):
    """The desk's message after a workflow button, as `articles.desk` words it."""
    with translation.override(language):
        return _("Done: %(action)s.") % {"action": _(action)}


def what_a_reader_sees(browser, base_url, *, title, topic_url, article_url, body=()):
    """
    Where an anonymous reader, in a fresh browser context (empty HTTP cache),
    finds `title`: {"home": bool, "topic": bool, "rss": bool, "article": status}.
    The article page, when it answers, must show the title and `body` texts.
    """
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    seen = {}
    for where, url in (("home", "/"), ("topic", topic_url)):
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        links = page.locator("main").get_by_role("link", name=title, exact=True)
        seen[where] = links.count() > 0
        if seen[where]:
            expect(links.first).to_have_attribute("href", article_url)
    feed = context.request.get("/feeds/rss/")
    assert feed.ok, f"/feeds/rss/ answered {feed.status}"
    parsed = feedparser.parse(feed.text())
    assert not parsed.bozo, parsed.get("bozo_exception")
    entries = [entry for entry in parsed.entries if entry.title == title]
    seen["rss"] = bool(entries)
    if entries:
        assert entries[0].link.endswith(article_url)
    response = page.goto(article_url)
    seen["article"] = response.status
    if response.status == 200:
        expect(page.locator("h1")).to_have_text(title)
        for text in body:
            expect(page.locator("main")).to_contain_text(text)
    context.close()
    return seen


@contextmanager
def screenshots_on_failure(browser, directory):
    """On failure, a screenshot of every open page, named in the error."""
    try:
        yield
    except BaseException as error:
        shots = []
        for c, context in enumerate(browser.contexts):
            for p, page in enumerate(context.pages):
                path = directory / f"context{c}-page{p}.png"
                try:
                    page.screenshot(path=path, full_page=True)
                    shots.append(f"{path} ({page.url})")
                except Exception:  # a screenshot must not hide the failure
                    pass
        if shots:
            error.add_note("Screenshots:\n  " + "\n  ".join(shots))
        raise


# The scenario -----------------------------------------------------------------


def test_writer_submits_editor_schedules_reader_sees_it_only_when_due(
    live_server, browser, newsroom, tmp_path
):
    topic, already_out = newsroom["topic"], newsroom["already_out"]
    topic_url = topic.get_absolute_url()

    def reader(article_url):
        return what_a_reader_sees(
            browser,
            live_server.url,
            title=TITLE,
            topic_url=topic_url,
            article_url=article_url,
            body=(BODY_FIRST, BODY_SECOND),
        )

    with screenshots_on_failure(browser, tmp_path):
        # The pages the reader checks do list published articles.
        assert what_a_reader_sees(
            browser,
            live_server.url,
            title=already_out.title,
            topic_url=topic_url,
            article_url=already_out.get_absolute_url(),
        ) == {"home": True, "topic": True, "rss": True, "article": 200}

        # A writer, with a Chinese admin, writes an article and submits it.
        writer = Desk(browser, live_server.url, locale="zh-CN")
        writer.log_in("writer")
        page = writer.page
        page.goto("/admin/articles/article/add/")
        page.fill("#id_title", TITLE)
        # The topic is an autocomplete (select2) field.
        page.locator(".field-topic .select2-selection").click()
        page.locator(".select2-search__field").fill(topic.name)
        page.locator(".select2-results__option", has_text=topic.name).click()
        expect(page.locator("#select2-id_topic-container")).to_contain_text(topic.name)
        page.fill("#id_tags", "芯片, 国际")
        editor_box = page.locator(".field-body .ProseMirror[contenteditable=true]")
        editor_box.click()
        page.keyboard.type(BODY_FIRST)
        page.keyboard.press("Enter")
        page.keyboard.type(BODY_SECOND)
        expect(editor_box).to_contain_text(BODY_SECOND)
        # The rich-text editor writes its HTML into the form's hidden textarea.
        expect(page.locator("#id_body")).to_have_value(re.compile(re.escape(BODY_SECOND)))
        page.locator("input[name=_continue]").click()
        expect(page).to_have_url(re.compile(r"/admin/articles/article/\d+/change/$"))
        expect(page.locator(".messagelist .success")).to_be_visible()

        article = Article.objects.get(title=TITLE)
        article_url = article.get_absolute_url()
        assert article.status == Article.Status.DRAFT
        assert article.topic == topic
        assert article.created_by == newsroom["writer"]
        assert set(article.tags.names()) == TAGS
        assert f"<p>{BODY_FIRST}</p>" in article.body
        assert f"<p>{BODY_SECOND}</p>" in article.body

        workflow = page.locator("#workflow")
        expect(workflow.locator("button[name=workflow][value=publish]")).to_have_count(0)
        workflow.locator("button[name=workflow][value=submit]").click()
        # The page still shows the save's message until the new one arrives.
        expect(page.locator(".messagelist .success")).to_have_text(
            done_message("zh-hans", "submitted for review")
        )
        expect(workflow.locator("button[name=workflow][value=submit]")).to_have_count(0)
        article.refresh_from_db()
        assert article.status == Article.Status.REVIEW
        writer.assert_self_contained()

        assert reader(article_url) == {"home": False, "topic": False, "rss": False, "article": 404}

        # An editor, whose browser is in another time zone than the site,
        # finds it in the review queue and schedules it an hour ahead.
        editor = Desk(browser, live_server.url, locale="en-US", timezone_id="Europe/Berlin")
        editor.log_in("editor")
        page = editor.page
        page.goto("/admin/articles/article/?queue=review")
        row = page.locator("#result_list").get_by_role("link", name=TITLE, exact=True)
        expect(row).to_be_visible()
        row.click()
        expect(page).to_have_url(re.compile(rf"/admin/articles/article/{article.pk}/change/"))

        due = (timezone.now().astimezone(SITE_ZONE) + timedelta(hours=1)).replace(
            second=0, microsecond=0
        )
        publish_form = page.locator("#workflow .desk-box").filter(
            has=page.locator("button[name=workflow][value=publish]")
        )
        publish_form.locator("input[name=publish_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
        publish_form.locator("button[name=workflow][value=publish]").click()
        expect(page.locator(".messagelist .success")).to_have_text(
            f"Done: scheduled for {due:%Y-%m-%d %H:%M} (Asia/Shanghai)."
        )
        expect(page.locator("#workflow .desk-state")).to_contain_text(
            f"{due:%Y-%m-%d %H:%M} (Asia/Shanghai)"
        )
        expect(page.locator("#workflow .desk-state strong").first).to_have_text("Scheduled")
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at == due  # the site's zone, not the browser's

        page.goto("/admin/articles/article/?queue=scheduled")
        expect(page.locator("#result_list").get_by_role("link", name=TITLE)).to_be_visible()
        page.goto("/admin/articles/article/?queue=review")
        expect(page.locator("#result_list").get_by_role("link", name=TITLE)).to_have_count(0)
        editor.assert_self_contained()

        assert reader(article_url) == {"home": False, "topic": False, "rss": False, "article": 404}

        # Once its time has come, the reader finds it everywhere.
        with time_machine.travel(due + timedelta(minutes=1), tick=True):
            assert reader(article_url) == {
                "home": True,
                "topic": True,
                "rss": True,
                "article": 200,
            }
