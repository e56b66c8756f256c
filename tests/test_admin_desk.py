"""The admin desk over HTTP: every role × every action as a hand-crafted POST."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, Topic
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

S = Article.Status


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def users():
    return {
        "writer": make_user("writer"),
        "editor": make_user("editor"),
        "chief": make_user("chief"),
        "staff_without_role": make_user("none"),
    }


def workflow_url(article, action):
    return reverse("admin:articles_article_workflow", args=[article.pk, action])


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(article, **overrides):
    data = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "topic": article.topic_id,
        "tags": ", ".join(t.name for t in article.tags.all()),
        "byline": article.byline,
        "source": "",
        "source_url": "",
        "published_at_0": "",
        "published_at_1": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "base_version": article.version,
        "_continue": "1",
        # SlugRedirect inline is not on this form; no management form needed.
    }
    data.update(overrides)
    return data


# What each role may do, action by action. The article's starting state is
# chosen so the action makes sense; the writer owns every article.
MATRIX = {
    # action: (starting status, trashed?, {role: allowed})
    "submit": (S.DRAFT, False, {"writer": True, "editor": True, "chief": True}),
    "withdraw": (S.REVIEW, False, {"writer": True, "editor": False, "chief": False}),
    "send_back": (S.REVIEW, False, {"writer": False, "editor": True, "chief": True}),
    "approve": (S.REVIEW, False, {"writer": False, "editor": True, "chief": True}),
    "publish": (S.APPROVED, False, {"writer": False, "editor": True, "chief": True}),
    "unpublish": (S.PUBLISHED, False, {"writer": False, "editor": True, "chief": True}),
    "correct": (S.PUBLISHED, False, {"writer": False, "editor": True, "chief": True}),
    "working_copy": (S.PUBLISHED, False, {"writer": False, "editor": True, "chief": True}),
    "trash": (S.DRAFT, False, {"writer": False, "editor": True, "chief": True}),
    "restore": (S.DRAFT, True, {"writer": False, "editor": True, "chief": True}),
}


@pytest.mark.parametrize("role", ["writer", "editor", "chief", "staff_without_role"])
@pytest.mark.parametrize("action", list(MATRIX))
def test_role_action_matrix_over_http(topic, users, role, action):
    status, trashed, allowed = MATRIX[action]
    article = make_article(
        topic=topic,
        status=status,
        created_by=users["writer"],
        published_at=timezone.now() - timedelta(hours=1),
    )
    if trashed:
        Article.objects.filter(pk=article.pk).update(deleted_at=timezone.now())
    data = {"note": "备注", "text": "更正内容", "publish_at": "", "expires_at": ""}
    response = client_for(users[role]).post(workflow_url(article, action), data)
    events = article.events.count()
    if allowed.get(role, False):
        assert response.status_code == 302, response.content[:300]
        assert events >= 1
    else:
        assert response.status_code == 403
        assert events == 0
        after = Article.objects.get(pk=article.pk)
        assert after.status == status
        assert (after.deleted_at is not None) == trashed


def test_anonymous_gets_the_login_page(topic):
    article = make_article(topic=topic, status=S.REVIEW)
    response = Client().post(workflow_url(article, "publish"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Article.objects.get(pk=article.pk).status == S.REVIEW


def test_workflow_endpoint_is_post_only_and_knows_its_actions(topic, users):
    article = make_article(topic=topic, status=S.REVIEW)
    client = client_for(users["editor"])
    assert client.get(workflow_url(article, "approve")).status_code == 405
    assert client.post(workflow_url(article, "explode")).status_code == 404


def test_only_the_chief_empties_the_trash(topic, users):
    article = make_article(topic=topic, status=S.DRAFT)
    workflow.trash(article, by=users["editor"])
    changelist = reverse("admin:articles_article_changelist")
    data = {"action": "empty_trash", "_selected_action": [article.pk], "index": 0}
    response = client_for(users["editor"]).post(changelist + "?queue=trash", data)
    assert Article.objects.filter(pk=article.pk).exists()
    assert response.status_code in (200, 302)
    client_for(users["chief"]).post(changelist + "?queue=trash", data)
    assert not Article.objects.filter(pk=article.pk).exists()


def test_writer_creates_a_draft_and_cannot_publish_it_by_post(topic, users):
    client = client_for(users["writer"])
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "撰稿人的文章",
            "slug": "",
            "standfirst": "导语",
            "body": "<p>正文<script>alert(1)</script></p>",
            "topic": topic.pk,
            "tags": "芯片, 国际",
            "byline": "",
            "source": "",
            "source_url": "",
            # Hand-crafted: a writer asking for publication.
            "status": "published",
            "published_at_0": "2020-01-01",
            "published_at_1": "10:00:00",
            "featured": "on",
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content[:500]
    article = Article.objects.get(title="撰稿人的文章")
    assert article.status == S.DRAFT
    assert article.published_at is None
    assert article.featured is False
    assert article.created_by == users["writer"]
    assert "<script" not in article.body
    assert sorted(t.name for t in article.tags.all()) == ["国际", "芯片"]
    assert article.events.get().action == "create"
    assert Version.objects.get_for_object(article).count() == 1


def test_writer_edits_own_draft_but_not_after_submission(topic, users):
    writer = users["writer"]
    article = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
    client = client_for(writer)
    response = client.post(change_url(article), form_data(article, title="改过的标题"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "改过的标题"
    workflow.submit_for_review(article, by=writer)
    article.refresh_from_db()
    response = client.post(change_url(article), form_data(article, title="偷偷再改"))
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title == "改过的标题"


def test_writer_cannot_edit_someone_elses_draft(topic, users):
    other = make_user("writer", "writer2")
    article = make_article(topic=topic, status=S.DRAFT, created_by=other)
    response = client_for(users["writer"]).post(
        change_url(article), form_data(article, title="改别人的")
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title != "改别人的"


def test_published_article_is_not_edited_in_place(topic, users):
    article = make_article(topic=topic, title="已发布")
    response = client_for(users["editor"]).post(
        change_url(article), form_data(article, title="直接改")
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title == "已发布"


def test_editor_schedules_in_site_time_zone(topic, users):
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    local = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = client_for(users["editor"]).post(
        workflow_url(article, "publish"), {"publish_at": local.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.published_at == local
    assert str(timezone.localtime(article.published_at).tzinfo) == "Asia/Shanghai"
    assert not Article.objects.published().filter(pk=article.pk).exists()
    page = client_for(users["editor"]).get(change_url(article)).content.decode()
    assert "Asia/Shanghai" in page


def test_bad_publish_time_is_a_message_not_an_error(topic, users):
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    client = client_for(users["editor"])
    response = client.post(
        workflow_url(article, "publish"), {"publish_at": "明天上午"}, follow=True
    )
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    assert any("YYYY-MM-DD" in str(m) for m in response.context["messages"])


def test_send_back_without_note_is_refused_with_a_message(topic, users):
    article = make_article(topic=topic, status=S.REVIEW)
    response = client_for(users["editor"]).post(
        workflow_url(article, "send_back"), {"note": ""}, follow=True
    )
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).status == S.REVIEW


def test_second_save_is_refused_and_keeps_the_text(topic, users):
    """Two editors open the same article; the second save must not overwrite the first."""
    article = make_article(topic=topic, status=S.DRAFT, title="原标题", body="<p>原文</p>")
    first, second = make_user("editor", "alice"), make_user("editor", "bob")
    alice, bob = client_for(first), client_for(second)
    # Both open the form at the same version.
    assert alice.get(change_url(article)).status_code == 200
    assert bob.get(change_url(article)).status_code == 200
    opened = form_data(article)
    response = alice.post(change_url(article), {**opened, "title": "爱丽丝的标题"})
    assert response.status_code == 302
    response = bob.post(
        change_url(article), {**opened, "title": "鲍勃的标题", "body": "<p>鲍勃写了很多字</p>"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "alice" in page  # names who changed it
    assert "鲍勃的标题" in page and "鲍勃写了很多字" in page  # text kept in the form
    article.refresh_from_db()
    assert article.title == "爱丽丝的标题"


def test_oversized_body_returns_the_form_with_the_text(topic, users):
    article = make_article(topic=topic, status=S.DRAFT)
    huge = "<p>" + "字" * 200_001 + "</p>"
    response = client_for(users["editor"]).post(
        change_url(article), form_data(article, title="新标题", body=huge)
    )
    assert response.status_code == 200
    assert "新标题" in response.content.decode()
    assert response.context["adminform"].form.errors["body"]
    assert Article.objects.get(pk=article.pk).title != "新标题"


def test_a_3_mb_body_returns_the_form_with_the_text_and_a_clear_error(topic, users):
    """Was: Django's 2.5 MB request limit answered a bare 400 and the text was lost."""
    article = make_article(topic=topic, status=S.DRAFT)
    huge = "<p>" + "长文" * 500_000 + "</p>"  # 1,000,000 characters, 3 MB of UTF-8
    assert len(huge.encode()) > 3_000_000
    response = client_for(users["editor"]).post(
        change_url(article), form_data(article, title="很长的稿子", body=huge)
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "200000" in str(form.errors["body"]) or "200,000" in str(form.errors["body"])
    assert form.data["title"] == "很长的稿子" and len(form.data["body"]) == len(huge)
    assert Article.objects.get(pk=article.pk).title != "很长的稿子"


def test_overlong_title_is_a_form_error(topic, users):
    article = make_article(topic=topic, status=S.DRAFT)
    response = client_for(users["editor"]).post(
        change_url(article), form_data(article, title="长" * 201)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"]


def test_admin_delete_moves_to_trash(topic, users):
    article = make_article(topic=topic)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    response = client_for(users["editor"]).post(url, {"post": "yes"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.deleted_at is not None
    assert not Article.objects.published().filter(pk=article.pk).exists()
    # Trashed articles only show in the trash queue.
    changelist = reverse("admin:articles_article_changelist")
    client = client_for(users["editor"])
    assert article.title not in client.get(changelist).content.decode()
    assert article.title in client.get(changelist + "?queue=trash").content.decode()
    client.post(
        changelist + "?queue=trash",
        {"action": "restore_selected", "_selected_action": [article.pk], "index": 0},
    )
    article.refresh_from_db()
    assert article.deleted_at is None


def test_queues_and_facets(topic, users):
    writer = users["writer"]
    make_article(topic=topic, title="甲稿件XQ1", status=S.DRAFT, created_by=writer)
    make_article(topic=topic, title="乙稿件XQ2", status=S.REVIEW)
    make_article(topic=topic, title="丙稿件XQ3", published_at=timezone.now() + timedelta(days=1))
    make_article(topic=topic, title="丁稿件XQ4", published_at=timezone.now() - timedelta(minutes=5))
    changelist = reverse("admin:articles_article_changelist")
    client = client_for(writer)
    expectations = {
        "mine": "甲稿件XQ1",
        "review": "乙稿件XQ2",
        "scheduled": "丙稿件XQ3",
        "today": "丁稿件XQ4",
    }
    for queue, title in expectations.items():
        page = client.get(changelist, {"queue": queue}).content.decode()
        assert title in page, queue
        others = set(expectations.values()) - {title}
        assert not any(other in page for other in others), queue
    page = client.get(changelist).content.decode()
    assert "(1)" in page  # facet counts are shown


def test_preview_renders_unpublished_for_staff_only_and_is_never_cached(topic, users):
    article = make_article(
        topic=topic,
        title="未发布的预览",
        status=S.DRAFT,
        published_at=None,
        created_by=users["writer"],
    )
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = client_for(users["writer"]).get(url)
    assert response.status_code == 200
    assert "未发布的预览" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert Client().get(url).status_code == 302  # anonymous: login
    assert Client().get(article.get_absolute_url()).status_code == 404
    # Editors preview every article; writers only their own.
    assert client_for(users["editor"]).get(url).status_code == 200
    other_writer = make_user("writer", "writer2")
    assert client_for(other_writer).get(url).status_code == 403


def test_history_diff_and_restore_over_http(topic, users):
    editor = users["editor"]
    client = client_for(editor)
    article = make_article(
        topic=topic, status=S.DRAFT, title="第一版标题", body="<p>第一段</p>", tags=["芯片"]
    )
    client.post(change_url(article), form_data(article))
    article.refresh_from_db()
    client.post(
        change_url(article),
        form_data(article, title="第二版标题", body="<p>第二段</p>", tags="芯片, 国际"),
    )
    article.refresh_from_db()
    versions = list(
        Version.objects.get_for_object(article).order_by("revision__date_created", "pk")
    )
    assert len(versions) == 2
    history = client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    assert history.status_code == 200
    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"a": versions[0].pk, "b": versions[1].pk},
    )
    page = compare.content.decode()
    assert "第一版标题" in page and "第二版标题" in page and "国际" in page
    assert (
        client.get(
            reverse("admin:articles_article_compare", args=[article.pk]), {"a": "x"}
        ).status_code
        == 404
    )
    response = client.post(
        reverse("admin:articles_article_restore_version", args=[article.pk, versions[0].pk])
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "第一版标题"
    assert [t.name for t in article.tags.all()] == ["芯片"]
    assert Version.objects.get_for_object(article).count() == 3


@pytest.mark.parametrize(
    "language, expected",
    [
        ("zh-hans", ["站点管理", "提交审阅", "编辑备注"]),
        ("en", ["Site administration", "Submit for review", "Editorial notes"]),
    ],
)
def test_admin_speaks_chinese_and_english(topic, users, language, expected):
    article = make_article(topic=topic, status=S.DRAFT, created_by=users["writer"])
    client = client_for(users["writer"])
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected[0] in index
    page = client.get(change_url(article), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected[1] in page and expected[2] in page


def test_changelist_queries_do_not_grow_with_articles(topic, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["editor"])
    url = reverse("admin:articles_article_changelist")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    # Same topics, authors and years at both sizes: filter options (and their
    # facet counts) grow with those, not with articles.
    other = Topic.objects.create(name="第二栏目")
    for i in range(3):
        make_article(topic=other if i % 2 else topic, tags=["芯片"])
    small = count()
    for i in range(30):
        make_article(topic=other if i % 2 else topic, tags=["国际"])
    assert count() == small


def test_publication_times_change_only_through_the_publish_form(topic, users):
    """A time typed into the main form must not schedule (or publish) anything."""
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    client = client_for(users["editor"])
    response = client.post(
        change_url(article),
        form_data(article, published_at_0="2030-01-01", published_at_1="10:00:00"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.published_at is None and article.status == S.APPROVED


def test_rescheduling_form_is_prefilled_and_state_says_scheduled(topic, users):
    at = timezone.now() + timedelta(days=2)
    article = make_article(topic=topic, status=S.UNPUBLISHED, published_at=at)
    page = client_for(users["editor"]).get(change_url(article)).content.decode()
    assert f'value="{timezone.localtime(at):%Y-%m-%dT%H:%M}"' in page
    scheduled = make_article(topic=topic, published_at=at)
    page = client_for(users["editor"]).get(change_url(scheduled)).content.decode()
    assert "<strong>已排期</strong>" in page or "<strong>Scheduled</strong>" in page
    assert f"{timezone.localtime(at):%Y-%m-%d %H:%M} (Asia/Shanghai)" in page


def test_read_only_body_is_rendered_not_shown_as_markup(topic, users):
    article = make_article(topic=topic, body="<p>第一段</p><p><strong>第二段</strong></p>")
    page = client_for(users["writer"]).get(change_url(article)).content.decode()
    assert "<strong>第二段</strong>" in page
    assert "&lt;strong&gt;" not in page
