"""The editorial workflow: named transitions, permissions, audit, revisions, trash."""

from datetime import UTC, timedelta

import feedparser
import pytest
import reversion
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, ArticleEvent, Correction, EditorialNote
from tests.factories import ROLES, make_article, make_user

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def writer():
    return make_user("writer")


@pytest.fixture
def other_writer():
    return make_user("writer", "writer2")


@pytest.fixture
def editor():
    return make_user("editor")


@pytest.fixture
def chief():
    return make_user("chief")


@pytest.fixture
def draft(topic, writer):
    return make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)


def test_roles_are_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES.values())
    writer = Group.objects.get(name=ROLES["writer"])
    codenames = set(writer.permissions.values_list("codename", flat=True))
    assert "submit_article" in codenames
    assert not codenames & {"publish_article", "review_article", "delete_article", "empty_trash"}


def test_full_path_draft_to_published_writes_events(draft, writer, editor):
    workflow.submit_for_review(draft, by=writer, note="请审阅")
    assert draft.status == S.REVIEW
    workflow.send_back(draft, by=editor, note="导语太长")
    assert draft.status == S.DRAFT
    workflow.submit_for_review(draft, by=writer)
    workflow.approve(draft, by=editor)
    assert draft.status == S.APPROVED
    workflow.publish(draft, by=editor)
    assert draft.status == S.PUBLISHED
    assert Article.objects.published().filter(pk=draft.pk).exists()
    workflow.unpublish(draft, by=editor, note="撤稿")
    assert not Article.objects.published().filter(pk=draft.pk).exists()

    events = list(
        draft.events.order_by("created_at", "pk").values_list(
            "action", "from_status", "to_status", "actor__username"
        )
    )
    assert events == [
        ("submit", "draft", "review", "writer"),
        ("send_back", "review", "draft", "editor"),
        ("submit", "draft", "review", "writer"),
        ("approve", "review", "approved", "editor"),
        ("publish", "approved", "published", "editor"),
        ("unpublish", "published", "unpublished", "editor"),
    ]
    assert draft.events.get(action="send_back").note == "导语太长"
    assert list(draft.notes.values_list("text", flat=True)) == ["请审阅", "导语太长", "撤稿"]
    # Every transition kept a version.
    assert Version.objects.get_for_object(draft).count() == 6


def test_send_back_needs_a_note(draft, writer, editor):
    workflow.submit_for_review(draft, by=writer)
    with pytest.raises(ValidationError):
        workflow.send_back(draft, by=editor, note="  ")
    draft.refresh_from_db()
    assert draft.status == S.REVIEW


@pytest.mark.parametrize(
    "action",
    [
        "approve",
        "send_back",
        "publish",
        "unpublish",
        "correct",
        "trash",
        "restore",
        "empty_trash",
        "working_copy",
    ],
)
def test_writer_cannot_do_editor_actions(topic, writer, action):
    status = S.PUBLISHED if action in ("unpublish", "correct", "working_copy") else S.REVIEW
    article = make_article(topic=topic, status=status, created_by=writer)
    if action == "restore":
        article.deleted_at = timezone.now()
        article.save()
    calls = {
        "approve": lambda: workflow.approve(article, by=writer),
        "send_back": lambda: workflow.send_back(article, by=writer, note="x"),
        "publish": lambda: workflow.publish(article, by=writer),
        "unpublish": lambda: workflow.unpublish(article, by=writer),
        "correct": lambda: workflow.add_correction(article, by=writer, text="x"),
        "trash": lambda: workflow.trash(article, by=writer),
        "restore": lambda: workflow.restore(article, by=writer),
        "empty_trash": lambda: workflow.empty_trash(by=writer),
        "working_copy": lambda: workflow.create_working_copy(article, by=writer),
    }
    before = Article.objects.get(pk=article.pk)
    with pytest.raises(PermissionDenied):
        calls[action]()
    after = Article.objects.get(pk=article.pk)
    assert (after.status, after.deleted_at, after.version) == (
        before.status,
        before.deleted_at,
        before.version,
    )
    assert not ArticleEvent.objects.filter(article=article).exists()


def test_writer_cannot_submit_someone_elses_draft(topic, writer, other_writer):
    article = make_article(topic=topic, status=S.DRAFT, created_by=other_writer)
    with pytest.raises(PermissionDenied):
        workflow.submit_for_review(article, by=writer)


def test_editor_cannot_empty_trash_but_chief_can(draft, editor, chief):
    workflow.trash(draft, by=editor)
    with pytest.raises(PermissionDenied):
        workflow.empty_trash(by=editor)
    assert Article.objects.filter(pk=draft.pk).exists()
    workflow.empty_trash(by=chief)
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_transitions_refuse_wrong_states(draft, editor):
    with pytest.raises(ValidationError):
        workflow.approve(draft, by=editor)  # not in review
    with pytest.raises(ValidationError):
        workflow.unpublish(draft, by=editor)  # not published
    with pytest.raises(ValidationError):
        workflow.add_correction(draft, by=editor, text="更正")


def test_trash_hides_a_published_article_and_restore_brings_it_back(topic, editor):
    article = make_article(topic=topic)
    workflow.trash(article, by=editor)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert Article.objects.trashed().filter(pk=article.pk).exists()
    workflow.restore(article, by=editor)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert list(article.events.order_by("pk").values_list("action", flat=True)) == [
        "trash",
        "restore",
    ]


def test_scheduled_publication_and_expiry_happen_at_their_time(draft, editor, client):
    at = timezone.now() + timedelta(hours=2)
    expires = at + timedelta(days=1)
    workflow.publish(draft, by=editor, at=at, expires_at=expires)
    assert draft.events.get().action == "schedule"
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert client.get(url).status_code == 200
        assert draft.title in client.get("/").content.decode()
    with time_machine.travel(expires, tick=False):
        assert client.get(url).status_code == 404


def test_expiry_must_follow_publication(draft, editor):
    at = timezone.now() + timedelta(hours=2)
    with pytest.raises(ValidationError):
        workflow.publish(draft, by=editor, at=at, expires_at=at - timedelta(minutes=1))
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_correction_shows_on_the_page_and_moves_the_feed_time(topic, editor, client):
    with time_machine.travel(timezone.now() - timedelta(days=1), tick=False):
        article = make_article(topic=topic)
    before = Article.objects.get(pk=article.pk).updated_at
    workflow.add_correction(article, by=editor, text="原文中的日期有误,已更正为12月3日。")
    article.refresh_from_db()
    assert article.updated_at > before
    page = client.get(article.get_absolute_url()).content.decode()
    assert "原文中的日期有误" in page
    feed = feedparser.parse(client.get("/feeds/atom/").content)
    entry = next(e for e in feed.entries if e.title == article.title)
    assert entry.updated_parsed[:6] == article.updated_at.astimezone(UTC).timetuple()[:6]
    assert Correction.objects.filter(article=article).count() == 1


def test_published_edit_goes_through_a_working_copy(topic, writer, editor, client):
    article = make_article(topic=topic, title="原标题", body="<p>原正文</p>", tags=["芯片"])
    copy = workflow.create_working_copy(article, by=editor)
    assert copy.working_copy_of == article and copy.status == S.DRAFT
    assert workflow.create_working_copy(article, by=editor) == copy  # one at a time
    copy.title = "新标题"
    copy.body = "<p>新正文</p>"
    copy.save()
    copy.tags.set(["芯片", "国际"])
    # Readers still get the published text.
    page = client.get(article.get_absolute_url()).content.decode()
    assert "原正文" in page and "新正文" not in page
    assert "新标题" not in client.get("/").content.decode()
    workflow.submit_for_review(copy, by=editor)
    workflow.approve(copy, by=editor)
    with pytest.raises(ValidationError):
        workflow.publish(copy, by=editor, at=timezone.now() + timedelta(hours=1))
    original = workflow.publish(copy, by=editor)
    assert original.pk == article.pk
    article.refresh_from_db()
    assert (article.title, article.body, article.status) == ("新标题", "<p>新正文</p>", S.PUBLISHED)
    assert sorted(t.name for t in article.tags.all()) == ["国际", "芯片"]
    assert not Article.objects.filter(pk=copy.pk).exists()
    assert article.events.filter(action="publish_edit").exists()


def test_restore_version_creates_a_new_revision(draft, writer, editor):
    workflow.submit_for_review(draft, by=writer)  # version 1 (original title)
    original_title = draft.title
    workflow.send_back(draft, by=editor, note="改标题")
    draft.title = "改过的标题"
    with reversion.create_revision():
        draft.save()
    versions = Version.objects.get_for_object(draft).order_by("revision__date_created", "pk")
    first = versions.first()
    count = versions.count()
    workflow.restore_version(draft, first, by=editor)
    draft.refresh_from_db()
    assert draft.title == original_title
    assert Version.objects.get_for_object(draft).count() == count + 1
    assert draft.events.filter(action="restore_version").exists()


def test_restore_version_of_published_article_uses_a_working_copy(topic, editor, client):
    article = make_article(topic=topic, title="第一版")
    with reversion.create_revision():
        article.save()
    first = Version.objects.get_for_object(article).first()
    copy = workflow.create_working_copy(article, by=editor)
    copy.title = "第二版"
    copy.save()
    workflow.publish(copy, by=editor)
    article.refresh_from_db()
    assert article.title == "第二版"
    target = workflow.restore_version(article, first, by=editor)
    assert target.working_copy_of_id == article.pk and target.title == "第一版"
    article.refresh_from_db()
    assert article.title == "第二版"  # still serving the published text


def test_notes_are_for_author_and_editors_only(draft, writer, other_writer, editor):
    workflow.add_note(draft, by=writer, text="备注")
    workflow.add_note(draft, by=editor, text="回复")
    with pytest.raises(PermissionDenied):
        workflow.add_note(draft, by=other_writer, text="插话")
    assert EditorialNote.objects.filter(article=draft).count() == 2


def test_allowed_actions_by_role_and_state(topic, writer, editor, chief):
    own = make_article(topic=topic, status=S.DRAFT, created_by=writer)
    review = make_article(topic=topic, status=S.REVIEW, created_by=writer)
    live = make_article(topic=topic, status=S.PUBLISHED, created_by=writer)
    assert workflow.allowed_actions(writer, own) == ["submit"]
    # Their own submission, not yet picked up by an editor: they may withdraw it.
    assert workflow.allowed_actions(writer, review) == ["withdraw"]
    assert workflow.allowed_actions(writer, live) == []
    assert workflow.allowed_actions(editor, review) == ["send_back", "approve", "publish", "trash"]
    assert workflow.allowed_actions(editor, live) == [
        "unpublish",
        "correct",
        "working_copy",
        "trash",
    ]
    assert workflow.allowed_actions(chief, live) == [
        "unpublish",
        "correct",
        "working_copy",
        "trash",
    ]
