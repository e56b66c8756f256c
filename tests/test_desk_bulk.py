"""
Bulk actions on the article list (articles/bulk.py): each article goes
through its workflow function with the desk's checks, in its own
transaction, and the message reports what happened to each.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, ArticleEvent
from tests.factories import make_article, make_topic, make_user

S = Article.Status
A = ArticleEvent.Action
LIST = reverse("admin:articles_article_changelist")
ZONE = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {role: make_user(role) for role in ("writer", "editor", "chief")}


def client_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def run(client, action, articles, url=LIST, **data):
    response = client.post(
        url,
        {"action": action, "_selected_action": [a.pk for a in articles], "index": 0, **data},
    )
    assert response.status_code in (200, 302), response.status_code
    return response


def report(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def draft_by(user, topic, **kwargs):
    return make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=user, **kwargs)


def in_review(user, topic, **kwargs):
    article = draft_by(user, topic, **kwargs)
    workflow.submit_for_review(article, by=user)
    return article


def test_editor_bulk_approves_and_a_draft_is_refused_by_name(people, topic):
    writer, editor = people["writer"], people["editor"]
    waiting = [in_review(writer, topic, title=f"待审稿件{i}") for i in range(3)]
    draft = draft_by(writer, topic, title="还是草稿")
    response = run(client_for(editor), "approve_selected", [*waiting, draft])
    assert response.status_code == 302
    assert report(response) == [
        "3 approved; 1 refused: “还是草稿” — This action is not possible while the "
        "article is “Draft”."
    ]
    for article in waiting:
        article.refresh_from_db()
        assert article.status == S.APPROVED
        assert article.events.filter(action=A.APPROVE, actor=editor).count() == 1
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_the_report_is_chinese_in_the_chinese_desk(people, topic):
    writer, editor = people["writer"], people["editor"]
    waiting = [in_review(writer, topic) for _ in range(3)]
    draft = draft_by(writer, topic, title="标题")
    response = run(client_for(editor, "zh-CN"), "publish_selected", [*waiting, draft, draft])
    # The editor may publish a draft (TRANSITIONS): four published.
    assert report(response) == ["4 篇已发布"]
    other = draft_by(writer, topic, title="标题")
    live = make_article(topic=topic)
    response = run(client_for(editor, "zh-CN"), "approve_selected", [*waiting[:3], other])
    (message,) = report(response)
    assert message.startswith("0 篇已审核通过；4 篇被拒绝：《")
    assert "；《标题》— 文章处于“草稿”状态时无法执行此操作。" in message
    assert live.title not in message


def test_a_writers_bulk_approve_is_refused_per_article_not_a_500(people, topic):
    writer = people["writer"]
    mine = [in_review(writer, topic, title=f"我的稿件{i}") for i in range(2)]
    response = run(client_for(writer), "approve_selected", mine)
    assert response.status_code == 302
    (message,) = report(response)
    assert message.startswith("0 approved; 2 refused: ")
    assert message.count("You may not approve articles.") == 2
    for article in mine:
        article.refresh_from_db()
        assert article.status == S.REVIEW
        assert not article.events.filter(action=A.APPROVE).exists()


def test_one_refusal_does_not_undo_the_others(people, topic):
    """Each article in its own transaction: a failure midway keeps what was done before."""
    editor = people["editor"]
    first = in_review(people["writer"], topic, title="甲")
    broken = in_review(people["writer"], topic, title="乙")
    last = in_review(people["writer"], topic, title="丙")
    # 乙 was sent back meanwhile: its approve is refused under its row lock.
    workflow.send_back(broken, by=editor, note="再改改")
    response = run(client_for(editor), "approve_selected", [first, broken, last])
    assert "2 approved; 1 refused: “乙”" in report(response)[0]
    assert Article.objects.get(pk=first.pk).status == S.APPROVED
    assert Article.objects.get(pk=last.pk).status == S.APPROVED


def test_publish_now_brings_a_schedule_forward_and_keeps_a_future_expiry(people, topic):
    editor = people["editor"]
    now = timezone.now()
    scheduled = make_article(
        topic=topic, published_at=now + timedelta(hours=5), expires_at=now + timedelta(days=3)
    )
    approved = in_review(people["writer"], topic)
    workflow.approve(approved, by=editor)
    response = run(client_for(editor), "publish_selected", [scheduled, approved])
    assert report(response) == ["2 published"]
    scheduled.refresh_from_db()
    assert scheduled.published_at <= timezone.now()
    assert scheduled.expires_at == now + timedelta(days=3)
    assert set(Article.objects.published().values_list("pk", flat=True)) == {
        scheduled.pk,
        approved.pk,
    }


def test_schedule_asks_for_the_time_in_the_site_zone_then_schedules(people, topic):
    editor = people["editor"]
    approved = in_review(people["writer"], topic, title="待排期")
    workflow.approve(approved, by=editor)
    client = client_for(editor)
    page = run(client, "schedule_selected", [approved])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Asia/Shanghai" in html and "待排期" in html and 'type="datetime-local"' in html
    assert Article.objects.get(pk=approved.pk).status == S.APPROVED  # nothing yet
    due = (timezone.now() + timedelta(days=1)).astimezone(ZONE).replace(second=0, microsecond=0)
    response = run(
        client, "schedule_selected", [approved], apply=1, publish_at=f"{due:%Y-%m-%dT%H:%M}"
    )
    assert response.status_code == 302
    assert report(response) == ["1 scheduled"]
    approved.refresh_from_db()
    assert approved.status == S.PUBLISHED and approved.published_at == due
    assert workflow.state_of(approved) == workflow.SCHEDULED
    # Scheduled is not published: nothing leaks.
    assert not Article.objects.published().filter(pk=approved.pk).exists()
    assert client.get(approved.get_absolute_url()).status_code == 404


def test_schedule_reschedules_a_scheduled_article_keeping_its_expiry(people, topic):
    editor = people["editor"]
    now = timezone.now()
    scheduled = make_article(
        topic=topic, published_at=now + timedelta(hours=5), expires_at=now + timedelta(days=9)
    )
    due = (now + timedelta(days=2)).astimezone(ZONE).replace(second=0, microsecond=0)
    response = run(
        client_for(editor),
        "schedule_selected",
        [scheduled],
        apply=1,
        publish_at=f"{due:%Y-%m-%d %H:%M}",
    )
    assert report(response) == ["1 scheduled"]
    scheduled.refresh_from_db()
    assert scheduled.published_at == due and scheduled.expires_at == now + timedelta(days=9)
    assert scheduled.events.filter(action=A.SCHEDULE).exists()


@pytest.mark.parametrize("bad", ["", "tomorrow", "2020-01-01T10:00", "9999-99-99T99:99"])
def test_a_bad_or_past_time_shows_the_form_again_and_changes_nothing(people, topic, bad):
    editor = people["editor"]
    approved = in_review(people["writer"], topic)
    workflow.approve(approved, by=editor)
    page = run(client_for(editor), "schedule_selected", [approved], apply=1, publish_at=bad)
    assert page.status_code == 200
    assert 'class="errorlist' in page.content.decode()
    assert Article.objects.get(pk=approved.pk).status == S.APPROVED


def test_move_to_topic_saves_each_article_as_its_form_would(people, topic):
    writer, editor = people["writer"], people["editor"]
    target = make_topic("半导体")
    draft = draft_by(writer, topic, title="草稿")
    approved = in_review(writer, topic, title="已批准")
    workflow.approve(approved, by=editor)
    live = make_article(topic=topic, title="已发布")
    already = draft_by(writer, target, title="已在此栏目")
    client = client_for(editor)
    page = run(client, "move_to_topic", [draft, approved, live, already])
    assert page.status_code == 200 and "半导体" in page.content.decode()
    before = {a.pk: Article.objects.get(pk=a.pk).version for a in (draft, approved, live)}
    response = run(
        client, "move_to_topic", [draft, approved, live, already], apply=1, topic=target.pk
    )
    (message,) = report(response)
    assert message.startswith("2 moved; 1 unchanged: “已在此栏目”; 1 refused: “已发布” — ")
    assert "working copy" in message
    draft.refresh_from_db()
    assert draft.topic == target and draft.version == before[draft.pk] + 1
    assert draft.events.filter(action=A.EDIT, actor=editor).exists()
    assert Version.objects.get_for_object(draft).first().revision.get_comment() == (
        "Moved to the topic “半导体”"
    )
    # An approved article edited goes back to review, as from its form.
    approved.refresh_from_db()
    assert approved.topic == target and approved.status == S.REVIEW
    live.refresh_from_db()
    assert live.topic == topic and live.version == before[live.pk]
    assert not already.events.filter(action=A.EDIT).exists()


def test_move_to_an_unknown_topic_is_a_form_error(people, topic):
    draft = draft_by(people["writer"], topic)
    page = run(client_for(people["editor"]), "move_to_topic", [draft], apply=1, topic=99999)
    assert page.status_code == 200 and 'class="errorlist' in page.content.decode()
    assert Article.objects.get(pk=draft.pk).topic == topic


def test_add_tag_keeps_the_other_tags_and_follows_the_edit_rule(people, topic):
    writer, editor = people["writer"], people["editor"]
    mine = draft_by(writer, topic, title="我的草稿", tags=["芯片"])
    theirs = draft_by(editor, topic, title="编辑的草稿")
    scheduled = make_article(topic=topic, published_at=timezone.now() + timedelta(hours=2))
    client = client_for(writer)
    response = run(client, "add_tag", [mine, theirs, scheduled], apply=1, tag=" 人工智能 ")
    (message,) = report(response)
    assert message.startswith("1 tagged; 2 refused: ")
    assert "“编辑的草稿” — You may not edit this article." in message
    assert sorted(t.name for t in mine.tags.all()) == ["人工智能", "芯片"]
    assert not theirs.tags.exists()
    # The editor may edit a scheduled article directly (it is not live yet).
    response = run(client_for(editor), "add_tag", [scheduled, mine], apply=1, tag="人工智能")
    assert report(response) == ["1 tagged; 1 unchanged: “我的草稿”"]
    assert [t.name for t in scheduled.tags.all()] == ["人工智能"]
    assert workflow.state_of(Article.objects.get(pk=scheduled.pk)) == workflow.SCHEDULED


@pytest.mark.parametrize("bad", ["", "   ", "a,b", "长" * 101])
def test_a_bad_tag_name_shows_the_form_again(people, topic, bad):
    draft = draft_by(people["writer"], topic)
    page = run(client_for(people["editor"]), "add_tag", [draft], apply=1, tag=bad)
    assert page.status_code == 200 and 'class="errorlist' in page.content.decode()
    assert not draft.tags.exists()


def test_trash_and_restore_report_per_article(people, topic):
    writer, editor = people["writer"], people["editor"]
    articles = [draft_by(writer, topic) for _ in range(2)]
    response = run(client_for(editor), "trash_selected", articles)
    assert report(response) == ["2 moved to the trash"]
    assert Article.objects.trashed().count() == 2
    # Trashed articles are listed (and so selectable) in the trash queue only.
    response = run(client_for(editor), "restore_selected", articles)
    assert report(response) == ["0 restored from the trash"]
    response = run(client_for(editor), "restore_selected", articles, url=LIST + "?queue=trash")
    assert report(response) == ["2 restored from the trash"]
    assert Article.objects.trashed().count() == 0


def test_select_all_across_pages_goes_through_the_intermediate_page(people, topic):
    editor = people["editor"]
    drafts = [draft_by(people["writer"], topic) for _ in range(3)]
    target = make_topic("全选")
    client = client_for(editor)
    response = client.post(
        LIST + "?queue=",
        {
            "action": "move_to_topic",
            "_selected_action": [drafts[0].pk],
            "select_across": 1,
            "index": 0,
            "apply": 1,
            "topic": target.pk,
        },
    )
    assert report(response) == ["3 moved"]
    assert Article.objects.filter(topic=target).count() == 3


def test_a_selection_over_the_limit_is_refused_before_anything_runs(people, topic, settings):
    settings.DESK_BULK_MAX_ARTICLES = 2
    editor = people["editor"]
    waiting = [in_review(people["writer"], topic) for _ in range(3)]
    for action, data in (("approve_selected", {}), ("move_to_topic", {})):
        response = run(client_for(editor), action, waiting, **data)
        assert response.status_code == 302
        assert report(response) == [
            "3 articles selected: a bulk action takes at most 2 at a time. Narrow the list "
            "with the filters and run it again."
        ]
    assert set(Article.objects.values_list("status", flat=True)) == {S.REVIEW}
    assert report(run(client_for(editor), "approve_selected", waiting[:2])) == ["2 approved"]
