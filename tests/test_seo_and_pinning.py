"""
SEO and social fields (SEO 与分享) and homepage curation (置顶): fallbacks,
escaping, working copies and revisions, the top stories' order, a pin's
expiry through the page cache, who may curate, and the home page's cost.
"""

import html
import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from reversion.models import Version

from articles import workflow
from articles.desk import version_diff
from articles.models import Article
from articles.selectors import next_scheduled_change
from tests.factories import make_article, make_unpublished_variants, make_user
from tests.test_admin_desk import change_url, client_for, form_data
from tests.test_cache import page_cache  # noqa: F401 - the page cache switched on

pytestmark = pytest.mark.django_db

S = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def users():
    return {role: make_user(role) for role in ("writer", "editor", "chief")}


def meta(page, attribute, name):
    """The content of <meta attribute="name" content="…">, unescaped."""
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    assert match, f"no {attribute}={name} in the page"
    return html.unescape(match.group(1))


def title_of(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def news_json_ld(page):
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        data = json.loads(block)
        if data.get("@type") == "NewsArticle":
            return data
    raise AssertionError("no NewsArticle JSON-LD")


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# SEO and social fields ---------------------------------------------------------------


def test_empty_seo_fields_fall_back_to_title_and_standfirst(client, topic):
    article = make_article(topic=topic, title="芯片出口新规发布", standfirst="商务部发布新规。")
    page = page_of(client, article)
    assert title_of(page).startswith("芯片出口新规发布 - ")
    assert meta(page, "name", "description") == "商务部发布新规。"
    assert meta(page, "property", "og:title") == "芯片出口新规发布"
    assert meta(page, "property", "og:description") == "商务部发布新规。"
    assert meta(page, "name", "twitter:title") == "芯片出口新规发布"
    assert meta(page, "name", "twitter:description") == "商务部发布新规。"
    data = news_json_ld(page)
    assert data["headline"] == "芯片出口新规发布"
    assert data["description"] == "商务部发布新规。"


def test_seo_fields_feed_title_meta_opengraph_and_json_ld(client, topic):
    article = make_article(
        topic=topic,
        title="芯片出口新规发布",
        standfirst="商务部发布新规。",
        seo_title="芯片出口管制新规全文解读",
        meta_description="新规涉及哪些芯片、何时生效:一文读懂。",
        social_title="芯片新规,影响几何?",
    )
    page = page_of(client, article)
    assert title_of(page).startswith("芯片出口管制新规全文解读 - ")
    assert meta(page, "name", "description") == "新规涉及哪些芯片、何时生效:一文读懂。"
    assert meta(page, "property", "og:title") == "芯片新规,影响几何?"
    assert meta(page, "property", "og:description") == "新规涉及哪些芯片、何时生效:一文读懂。"
    assert meta(page, "name", "twitter:title") == "芯片新规,影响几何?"
    data = news_json_ld(page)
    # The headline stays the article's title; the description is the one written for search.
    assert data["headline"] == "芯片出口新规发布"
    assert data["description"] == "新规涉及哪些芯片、何时生效:一文读懂。"
    # The page itself still shows the title and standfirst.
    assert '<h1 class="article-title">芯片出口新规发布</h1>' in page


def test_quotes_and_script_ends_are_escaped_in_meta_and_json_ld(client, topic):
    hostile = '"><script>alert(1)</script> 引号"和</script>'
    article = make_article(
        topic=topic,
        title='标题"</script><script>alert(2)</script>',
        seo_title=hostile[:70],
        meta_description=hostile,
        social_title=hostile,
    )
    page = page_of(client, article)
    assert "<script>alert(" not in page
    # Exactly the JSON-LD blocks open and close: nothing closed one early.
    assert page.count("</script>") == page.count("<script")
    assert title_of(page).startswith(hostile[:70])
    assert meta(page, "name", "description") == hostile
    assert meta(page, "property", "og:title") == hostile
    data = news_json_ld(page)
    assert data["description"] == hostile
    assert data["headline"] == article.title


def test_seo_fields_have_sensible_maximum_lengths(topic, users):
    article = make_article(topic=topic, status=S.DRAFT, created_by=users["writer"])
    response = client_for(users["writer"]).post(
        change_url(article),
        form_data(
            article, seo_title="长" * 71, meta_description="述" * 161, social_title="分" * 101
        ),
    )
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"seo_title", "meta_description", "social_title"}
    article.refresh_from_db()
    assert article.seo_title == ""


def test_desk_form_has_a_collapsible_seo_fieldset_and_saves_it(topic, users):
    article = make_article(topic=topic, status=S.DRAFT, created_by=users["writer"])
    client = client_for(users["writer"])
    page = client.get(change_url(article), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "SEO 与分享" in page
    # Collapsed (Django's <details>) until opened.
    assert re.search(
        r'<fieldset class="[^"]*collapse[^"]*"[^>]*>\s*<details><summary>\s*<h2[^>]*>SEO 与分享',
        page,
    )
    response = client.post(
        change_url(article),
        form_data(
            article,
            seo_title="搜索标题",
            meta_description="搜索描述",
            social_title="分享标题",
        ),
    )
    assert response.status_code == 302, response.content[:500]
    article.refresh_from_db()
    assert (article.seo_title, article.meta_description, article.social_title) == (
        "搜索标题",
        "搜索描述",
        "分享标题",
    )


def test_working_copy_carries_seo_fields_to_the_original(topic, users):
    editor = users["editor"]
    original = make_article(topic=topic, title="原稿", seo_title="旧搜索标题")
    copy = workflow.create_working_copy(original, by=editor)
    assert copy.seo_title == "旧搜索标题"  # copied like the other content fields
    copy.seo_title = "新搜索标题"
    copy.meta_description = "新描述"
    copy.social_title = "新分享标题"
    workflow.save_article(copy, by=editor)
    original.refresh_from_db()
    assert original.seo_title == "旧搜索标题"  # the live page keeps its text until published
    workflow.publish(copy, by=editor)
    original.refresh_from_db()
    assert (original.seo_title, original.meta_description, original.social_title) == (
        "新搜索标题",
        "新描述",
        "新分享标题",
    )
    page = page_of(Client(), original)
    assert title_of(page).startswith("新搜索标题 - ")


def test_working_copy_made_over_the_desk_carries_seo_fields(topic, users):
    editor = users["editor"]
    original = make_article(topic=topic, title="原稿")
    client = client_for(editor)
    client.post(reverse("admin:articles_article_workflow", args=[original.pk, "working_copy"]))
    copy = original.working_copies.get()
    response = client.post(change_url(copy), form_data(copy, seo_title="桌面改的搜索标题"))
    assert response.status_code == 302, response.content[:500]
    client.post(reverse("admin:articles_article_workflow", args=[copy.pk, "publish"]))
    original.refresh_from_db()
    assert original.seo_title == "桌面改的搜索标题"


def test_revision_history_keeps_seo_fields_and_restores_them(topic, users):
    editor = users["editor"]
    article = Article(topic=topic, title="修订", seo_title="第一版搜索标题", meta_description="一")
    workflow.save_article(article, by=editor)
    article.seo_title, article.meta_description = "第二版搜索标题", "二"
    workflow.save_article(article, by=editor)
    newest, first = Version.objects.get_for_object(article)[:2]
    assert first.field_dict["seo_title"] == "第一版搜索标题"
    assert newest.field_dict["seo_title"] == "第二版搜索标题"
    with translation.override("en"):
        diff = version_diff(first, newest)
        changed = {str(label): changed for label, changed, _lines in diff}
    assert changed["SEO title"] and changed["Meta description"] and not changed["Title"]
    workflow.restore_version(article, first, by=editor)
    article.refresh_from_db()
    assert (article.seo_title, article.meta_description) == ("第一版搜索标题", "一")


def test_export_and_import_carry_seo_fields(topic, tmp_path):
    make_article(topic=topic, title="导出", seo_title="导出搜索标题", meta_description="导出描述")
    out = io.StringIO()
    call_command("export_articles", stdout=out, stderr=io.StringIO())
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0]["seo_title"] == "导出搜索标题"
    assert records[0]["meta_description"] == "导出描述"
    assert records[0]["social_title"] == ""
    Article.objects.all().delete()
    path = tmp_path / "articles.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    call_command("import_articles", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    article = Article.objects.get(title="导出")
    assert (article.seo_title, article.meta_description) == ("导出搜索标题", "导出描述")


def test_import_refuses_an_overlong_seo_title(topic, tmp_path):
    path = tmp_path / "articles.jsonl"
    record = {"title": "过长", "topic": topic.name, "seo_title": "长" * 71}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    assert "seo_title is longer than 70 characters" in out.getvalue()
    assert not Article.objects.filter(title="过长").exists()


@pytest.mark.parametrize("order", ["1", -1, 40000, True, 1.5])
def test_import_refuses_a_bad_featured_order(topic, tmp_path, order):
    path = tmp_path / "articles.jsonl"
    record = {"title": "坏顺序", "topic": topic.name, "featured": True, "featured_order": order}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    assert "featured_order must be a whole number from 0 to 32767" in out.getvalue()
    assert not Article.objects.filter(title="坏顺序").exists()


def test_a_writers_import_never_features_or_pins(topic, tmp_path, users):
    path = tmp_path / "articles.jsonl"
    record = {
        "title": "撰稿人导入",
        "topic": topic.name,
        "status": "draft",
        "featured": True,
        "featured_order": 1,
        "pinned_until": "2030-01-01T00:00:00+08:00",
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command(
        "import_articles", str(path), user="writer", stdout=io.StringIO(), stderr=io.StringIO()
    )
    article = Article.objects.get(title="撰稿人导入")
    assert (article.featured, article.featured_order, article.pinned_until) == (False, 0, None)


# Homepage curation -------------------------------------------------------------------


def top_stories(client):
    page = client.get("/").content.decode()
    match = re.search(r'<section class="featured".*?</section>', page, re.S)
    if not match:
        return []
    return [html.unescape(t) for t in re.findall(r"<h3><a [^>]*>(.*?)</a></h3>", match.group(0))]


def test_top_stories_follow_the_featured_order(client, topic):
    now = timezone.now()
    make_article(topic=topic, title="最新但排第三", featured=True, featured_order=5)
    make_article(
        topic=topic, title="排第一", featured=True, featured_order=1, age=timedelta(days=2)
    )
    make_article(
        topic=topic, title="同序较旧", featured=True, featured_order=2, age=timedelta(days=3)
    )
    make_article(
        topic=topic, title="同序较新", featured=True, featured_order=2, age=timedelta(days=1)
    )
    make_article(topic=topic, title="未置顶")
    make_article(
        topic=topic,
        title="置顶已过期",
        featured=True,
        pinned_until=now - timedelta(minutes=1),
    )
    make_article(
        topic=topic,
        title="置顶未过期",
        featured=True,
        featured_order=9,
        pinned_until=now + timedelta(days=1),
    )
    # Four top stories, in order; the expired pin is out (it stays in the latest news).
    assert top_stories(client) == ["排第一", "同序较新", "同序较旧", "最新但排第三"]
    assert "置顶已过期" in client.get("/").content.decode()


def test_unpublished_featured_articles_never_reach_the_home_page(client, topic):
    hidden = make_unpublished_variants(topic=topic)
    Article.objects.filter(pk__in=[a.pk for a in hidden.values()]).update(
        featured=True, featured_order=0, pinned_until=timezone.now() + timedelta(days=1)
    )
    make_article(topic=topic, title="公开的头条", featured=True, featured_order=3)
    assert top_stories(client) == ["公开的头条"]
    page = client.get("/").content.decode()
    for kind, article in hidden.items():
        assert article.title not in page, kind


def test_next_scheduled_change_includes_the_next_pin_expiry(topic):
    now = timezone.now()
    soon, later = now + timedelta(minutes=30), now + timedelta(hours=2)
    make_article(topic=topic, featured=True, pinned_until=later)
    make_article(topic=topic, featured=True, pinned_until=soon)
    make_article(topic=topic, featured=True, pinned_until=now - timedelta(minutes=1))  # past
    make_article(
        topic=topic, featured=False, pinned_until=now + timedelta(minutes=5)
    )  # not featured
    make_article(
        topic=topic, status=S.DRAFT, featured=True, pinned_until=now + timedelta(minutes=5)
    )
    assert next_scheduled_change(now) == soon


def test_cached_home_page_changes_when_a_pin_expires(page_cache, topic):  # noqa: F811
    pin_ends = timezone.now() + timedelta(hours=1)
    make_article(topic=topic, title="长期头条", featured=True, featured_order=2)
    make_article(
        topic=topic, title="限时置顶", featured=True, featured_order=1, pinned_until=pin_ends
    )
    client = Client()
    with time_machine.travel(pin_ends - timedelta(seconds=1), tick=False):
        assert top_stories(client) == ["限时置顶", "长期头条"]
        assert client.get("/")["X-Page-Cache"] == "hit"
    with time_machine.travel(pin_ends, tick=False):
        response = client.get("/")
        assert response["X-Page-Cache"] == "miss"
        assert top_stories(client) == ["长期头条"]


def curation_post(client, articles, follow=False, **rows):
    """The change list's bulk edit form, as its Save button sends it."""
    data = {
        "form-TOTAL_FORMS": str(len(articles)),
        "form-INITIAL_FORMS": str(len(articles)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, article in enumerate(articles):
        values = rows.get(article.title, {})
        data[f"form-{i}-id"] = str(article.pk)
        if values.get("featured", article.featured):
            data[f"form-{i}-featured"] = "on"
        data[f"form-{i}-featured_order"] = str(values.get("featured_order", article.featured_order))
        pinned = values.get("pinned_until", article.pinned_until)
        local = timezone.localtime(pinned) if pinned else None
        data[f"form-{i}-pinned_until"] = f"{local:%Y-%m-%dT%H:%M}" if local else ""
    return client.post(CHANGELIST, data, follow=follow)


def test_change_list_shows_curation_and_lets_an_editor_set_it(topic, users):
    article = make_article(topic=topic, title="要置顶的文章")
    client = client_for(users["editor"])
    page = client.get(CHANGELIST).content.decode()
    assert 'name="form-0-featured_order"' in page
    assert 'type="datetime-local" name="form-0-pinned_until"' in page
    until = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    version = article.version
    response = curation_post(
        client,
        [article],
        要置顶的文章={"featured": True, "featured_order": 3, "pinned_until": until},
    )
    assert response.status_code == 302, response.content[:1000]
    article.refresh_from_db()
    assert (article.featured, article.featured_order, article.pinned_until) == (True, 3, until)
    assert article.version == version + 1  # a form opened before is refused, as after any save
    latest = Version.objects.get_for_object(article).first()
    assert latest.revision.user == users["editor"]
    assert latest.field_dict["pinned_until"] == until
    assert top_stories(Client()) == ["要置顶的文章"]


def test_curation_is_not_an_edit_readers_see(topic, users):
    article = make_article(topic=topic, title="老文章", age=timedelta(days=3))
    updated = article.updated_at
    workflow.curate(article, by=users["editor"], featured=True, featured_order=1)
    article.refresh_from_db()
    assert article.updated_at == updated  # no "updated" line on the article's page
    assert article.status == S.PUBLISHED and not article.events.exists()


def test_setting_and_clearing_a_pin_in_the_desk_ends_the_cache_epoch(
    page_cache,  # noqa: F811
    topic,
    users,
    django_capture_on_commit_callbacks,
):
    article = make_article(topic=topic, title="桌面置顶")
    reader, desk = Client(), client_for(users["editor"])
    assert top_stories(reader) == []
    assert reader.get("/")["X-Page-Cache"] == "hit"
    until = timezone.now() + timedelta(days=1)
    # The cache hears of it once the desk's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = curation_post(
            desk, [article], 桌面置顶={"featured": True, "pinned_until": until}
        )
    assert response.status_code == 302
    assert top_stories(reader) == ["桌面置顶"]
    assert reader.get("/")["X-Page-Cache"] == "hit"
    article.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert curation_post(desk, [article], 桌面置顶={"featured": False}).status_code == 302
    assert top_stories(reader) == []


def test_writer_cannot_feature_or_pin_by_crafted_post(topic, users):
    writer = users["writer"]
    live = make_article(topic=topic, title="已发布的文章", created_by=writer)
    draft = make_article(topic=topic, title="撰稿人的草稿", status=S.DRAFT, created_by=writer)
    client = client_for(writer)
    page = client.get(CHANGELIST).content.decode()
    assert "form-0-featured" not in page  # shown, not editable
    until = timezone.now() + timedelta(days=1)
    rows = {"featured": True, "featured_order": 1, "pinned_until": until}
    curation_post(client, [live, draft], 已发布的文章=rows, 撰稿人的草稿=rows)
    # The desk form of the writer's own draft, with the curation fields added by hand.
    local = timezone.localtime(until)
    client.post(
        change_url(draft),
        form_data(
            draft,
            featured="on",
            featured_order="1",
            pinned_until_0=f"{local:%Y-%m-%d}",
            pinned_until_1=f"{local:%H:%M:%S}",
        ),
    )
    for article in (live, draft):
        article.refresh_from_db()
        assert (article.featured, article.featured_order, article.pinned_until) == (False, 0, None)
    with pytest.raises(PermissionDenied):
        workflow.curate(live, by=writer, featured=True)
    assert top_stories(Client()) == []


def test_a_new_article_by_a_writer_is_never_featured(topic, users):
    article = Article(topic=topic, title="新稿", featured=True, featured_order=1)
    article.pinned_until = timezone.now() + timedelta(days=1)
    workflow.save_article(article, by=users["writer"])
    article.refresh_from_db()
    assert (article.featured, article.featured_order, article.pinned_until) == (False, 0, None)


def test_an_article_in_the_trash_cannot_be_featured(topic, users):
    article = make_article(topic=topic, deleted_at=timezone.now())
    with pytest.raises(ValidationError):
        workflow.curate(article, by=users["editor"], featured=True)


def test_publishing_a_working_copy_keeps_the_originals_curation(topic, users):
    editor = users["editor"]
    until = timezone.now() + timedelta(days=1)
    original = make_article(topic=topic, featured=True, featured_order=2, pinned_until=until)
    copy = workflow.create_working_copy(original, by=editor)
    assert copy.featured is False  # a draft copy is never a top story
    with pytest.raises(ValidationError):
        workflow.curate(copy, by=editor, featured=True)
    workflow.publish(copy, by=editor)
    original.refresh_from_db()
    assert (original.featured, original.featured_order, original.pinned_until) == (True, 2, until)


def test_home_page_queries_do_not_grow_with_pinned_articles(client, topic):
    def add(count, start):
        now = timezone.now()
        for i in range(count):
            make_article(
                topic=topic,
                title=f"置顶批量{start + i}",
                featured=i % 2 == 0,
                featured_order=i % 3,
                pinned_until=now + timedelta(hours=i + 1) if i % 4 == 0 else None,
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    add(3, 0)
    small = count()
    add(40, 100)
    assert count() == small
    assert len(top_stories(client)) == 4


def test_bad_pin_input_is_a_form_error_and_a_trashed_row_a_message(topic, users):
    live = make_article(topic=topic, title="正常文章")
    trashed = make_article(topic=topic, title="回收站文章", deleted_at=timezone.now())
    client = client_for(users["editor"])
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
        "form-0-id": str(live.pk),
        "form-0-featured": "on",
        "form-0-featured_order": "-3",
        "form-0-pinned_until": "明天",
    }
    response = client.post(CHANGELIST, data)
    assert response.status_code == 200  # the list again, with the errors
    errors = response.context["cl"].formset.errors[0]
    assert set(errors) == {"featured_order", "pinned_until"}
    live.refresh_from_db()
    assert live.featured is False
    # A hand-made row for an article in the trash: a message, not an error page.
    response = curation_post(client, [trashed], 回收站文章={"featured": True}, follow=True)
    assert response.status_code == 200
    assert "回收站中的文章不能推荐。" in response.content.decode()  # the desk's default language
    trashed.refresh_from_db()
    assert trashed.featured is False
