"""
One table of transitions (workflow.TRANSITIONS) decides every state × action
for the buttons and the functions alike; the audit trail outlives articles;
locks are taken in one order; every write path keeps a revision and an event.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, ArticleEvent, Correction, EditorialNote
from tests.factories import ensure_roles, make_article, make_topic, make_user

pytestmark = pytest.mark.django_db

S = Article.Status
NOW = timezone.now()


def article_in(state, *, author, topic):
    """A fresh article in one of the table's states."""
    past = timezone.now() - timedelta(days=2)
    fields = {
        workflow.DRAFT: dict(status=S.DRAFT, published_at=None),
        workflow.REVIEW: dict(status=S.REVIEW, published_at=None),
        workflow.APPROVED: dict(status=S.APPROVED, published_at=None),
        workflow.SCHEDULED: dict(
            status=S.PUBLISHED, published_at=timezone.now() + timedelta(days=1)
        ),
        workflow.PUBLISHED: dict(status=S.PUBLISHED, published_at=past, first_published_at=past),
        workflow.UNPUBLISHED: dict(
            status=S.UNPUBLISHED, published_at=past, first_published_at=past
        ),
        workflow.TRASHED: dict(status=S.PUBLISHED, published_at=past, deleted_at=past),
    }[state]
    return make_article(topic=topic, created_by=author, **fields)


def run(action, article, user):
    """Call the workflow function behind `action` (a button or the edit form)."""
    if action == "submit":
        return workflow.submit_for_review(article, by=user)
    if action == "withdraw":
        return workflow.withdraw(article, by=user)
    if action == "send_back":
        return workflow.send_back(article, by=user, note="请修改")
    if action == "approve":
        return workflow.approve(article, by=user)
    if action == "publish":
        return workflow.publish(article, by=user)
    if action == "reschedule":
        return workflow.reschedule(article, by=user, at=timezone.now() + timedelta(days=3))
    if action == "cancel_schedule":
        return workflow.cancel_schedule(article, by=user)
    if action == "unpublish":
        return workflow.unpublish(article, by=user)
    if action == "correct":
        return workflow.add_correction(article, by=user, text="更正")
    if action == "working_copy":
        return workflow.create_working_copy(article, by=user)
    if action == "trash":
        return workflow.trash(article, by=user)
    if action == "restore":
        return workflow.restore(article, by=user)
    if action == "note":
        return workflow.add_note(article, by=user, text="便条")
    if action == "edit":
        article.title = "改过的标题"
        return workflow.save_article(article, by=user)
    raise AssertionError(action)


ACTIONS = [*workflow.BUTTONS, "edit", "note"]
STATES = list(workflow.TRANSITIONS)


@pytest.mark.parametrize("role", ["writer", "editor", "chief"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_and_action_does_what_the_table_says(role, state, action):
    topic = make_topic()
    user = make_user(role)
    article = article_in(
        state, author=make_user("writer", "author") if role != "writer" else user, topic=topic
    )
    assert workflow.state_of(article) == state
    rule = workflow.TRANSITIONS[state].get(action)
    expected = rule is not None and rule.allows(user, article)
    # The buttons show exactly what the table allows.
    if action in workflow.BUTTONS:
        assert (action in workflow.allowed_actions(user, article)) == expected
    events = ArticleEvent.objects.filter(article=article).count()
    before = Article.objects.values("status", "deleted_at", "version").get(pk=article.pk)
    if expected:
        run(action, article, user)
        return
    with pytest.raises((PermissionDenied, ValidationError)) as refusal:
        run(action, article, user)
    # Refused for the right reason, and nothing was written.
    if rule is None:
        assert refusal.type is ValidationError
    else:
        assert refusal.type is PermissionDenied
    assert Article.objects.values("status", "deleted_at", "version").get(pk=article.pk) == before
    assert ArticleEvent.objects.filter(article=article).count() == events


def test_a_hand_made_post_cannot_publish_a_trashed_article(topic):
    """Was: publish() ignored the trash, and restoring the article made it live."""
    editor = make_user("editor")
    article = article_in(workflow.TRASHED, author=editor, topic=topic)
    Article.objects.filter(pk=article.pk).update(status=S.APPROVED)
    article.refresh_from_db()
    client = Client()
    client.force_login(editor)
    url = reverse("admin:articles_article_workflow", args=[article.pk, "publish"])
    response = client.post(url, {"publish_at": "", "expires_at": ""}, follow=True)
    assert response.status_code == 200
    assert any("In trash" in str(m) or "回收站" in str(m) for m in response.context["messages"])
    article.refresh_from_db()
    assert article.status == S.APPROVED
    workflow.restore(article, by=editor)
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_publishing_a_working_copy_of_an_unpublished_original_is_refused(topic):
    """Was: it reported success and published nothing."""
    editor = make_user("editor")
    original = article_in(workflow.PUBLISHED, author=editor, topic=topic)
    copy = workflow.create_working_copy(original, by=editor)
    workflow.unpublish(original, by=editor)
    assert "publish" not in workflow.allowed_actions(editor, copy)
    with pytest.raises(ValidationError) as refusal:
        workflow.publish(copy, by=editor)
    assert refusal.value.code == "state"
    assert Article.objects.filter(pk=copy.pk).exists()


# Re-publishing ---------------------------------------------------------------------


def test_republishing_keeps_the_first_publication_time(topic, client):
    """Was: unpublish + publish moved a years-old story to the top of the home page."""
    editor = make_user("editor")
    old = timezone.now() - timedelta(days=900)
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    workflow.publish(article, by=editor, at=old)
    workflow.unpublish(article, by=editor)
    workflow.publish(article, by=editor)
    article.refresh_from_db()
    assert article.published_at == old and article.first_published_at == old
    assert article.title not in client.get("/sitemap-news.xml").content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    assert '"datePublished": "' + old.isoformat() in page.replace("\\u002B", "+")
    # An editor who chooses a new time gets it.
    workflow.unpublish(article, by=editor)
    now = timezone.now().replace(microsecond=0)
    workflow.publish(article, by=editor, at=now)
    article.refresh_from_db()
    assert article.published_at == now and article.first_published_at == old


def test_a_cancelled_schedule_publishes_now_not_at_the_old_time(topic):
    editor = make_user("editor")
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    workflow.publish(article, by=editor, at=timezone.now() + timedelta(days=3))
    workflow.unpublish(article, by=editor)
    workflow.publish(article, by=editor)
    assert Article.objects.published().filter(pk=article.pk).exists()


# The audit trail ---------------------------------------------------------------------


def test_emptying_the_trash_keeps_events_and_notes_and_records_itself(topic):
    editor, chief = make_user("editor"), make_user("chief")
    article = make_article(topic=topic, status=S.REVIEW, title="将被删除")
    uuid = article.uuid
    workflow.add_note(article, by=editor, text="请补充来源")
    workflow.send_back(article, by=editor, note="退回")
    workflow.trash(article, by=editor)
    assert workflow.empty_trash(by=chief) == 1
    assert not Article.objects.filter(pk=article.pk).exists()
    events = ArticleEvent.objects.filter(article_uuid=uuid).order_by("pk")
    assert [e.action for e in events] == ["send_back", "trash", "purge"]
    assert all(e.article_id is None and e.article_title == "将被删除" for e in events)
    assert events.last().actor == chief
    notes = EditorialNote.objects.filter(article_uuid=uuid)
    assert sorted(n.text for n in notes) == ["请补充来源", "退回"]


def test_publishing_a_working_copy_moves_its_review_history_to_the_original(topic):
    """Was: 5 events and 3 notes of the review were deleted with the copy."""
    writer, editor = make_user("writer"), make_user("editor")
    original = article_in(workflow.PUBLISHED, author=writer, topic=topic)
    copy = workflow.create_working_copy(original, by=editor)
    workflow.submit_for_review(copy, by=editor, note="请审")
    workflow.send_back(copy, by=editor, note="标题再改")
    workflow.add_note(copy, by=editor, text="已改")
    workflow.submit_for_review(copy, by=editor)
    workflow.approve(copy, by=editor, note="可以")
    copy_events = set(ArticleEvent.objects.filter(article=copy).values_list("pk", flat=True))
    workflow.publish(copy, by=editor)
    moved = ArticleEvent.objects.filter(pk__in=copy_events)
    assert moved.count() == len(copy_events) == 5
    assert set(moved.values_list("article_id", flat=True)) == {original.pk}
    assert set(moved.values_list("article_uuid", flat=True)) == {original.uuid}
    assert original.notes.count() == 4
    assert original.events.filter(action="publish_edit").exists()


def test_the_admin_empty_trash_action_deletes_only_the_selection(topic):
    chief = make_user("chief")
    keep, drop = (make_article(topic=topic, title=t) for t in ("留在回收站", "删除这篇"))
    for article in (keep, drop):
        workflow.trash(article, by=chief)
    live = make_article(topic=topic, title="线上文章")
    client = Client()
    client.force_login(chief)
    changelist = reverse("admin:articles_article_changelist")
    response = client.post(
        changelist + "?queue=trash",
        {"action": "empty_trash", "_selected_action": [drop.pk, live.pk], "index": 0},
    )
    assert response.status_code == 302
    assert set(Article.objects.values_list("title", flat=True)) == {"留在回收站", "线上文章"}


# Locks and the version check ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_publishing_a_copy_and_trashing_its_original_at_once_never_deadlock(monkeypatch):
    """Was: copy-then-original against original-then-copy; PostgreSQL found a deadlock."""
    ensure_roles()
    topic = make_topic()
    editor, chief = make_user("editor"), make_user("chief")
    original = article_in(workflow.PUBLISHED, author=editor, topic=topic)
    copy = workflow.create_working_copy(original, by=editor)
    real = workflow._locked_row

    def slow_lock(pk, *, original_id=None):
        row = real(pk, original_id=original_id)
        time.sleep(0.3)  # hold the first locks while the other thread takes its own
        return row

    monkeypatch.setattr(workflow, "_locked_row", slow_lock)
    errors = []

    def attempt(step):
        try:
            step()
        except (ValidationError, PermissionDenied):
            pass  # refused because the other one won: fine
        except Exception as exc:  # a deadlock would land here
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=attempt,
            args=(lambda: workflow.publish(Article.objects.get(pk=copy.pk), by=editor),),
        ),
        threading.Thread(
            target=attempt,
            args=(lambda: workflow.trash(Article.objects.get(pk=original.pk), by=chief),),
        ),
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(30)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_the_version_check_works_outside_the_admins_transaction():
    """Was: it locked rows inside Form.clean(), which raised outside the admin on PostgreSQL."""
    ensure_roles()
    topic = make_topic()
    editor = make_user("editor")
    article = make_article(topic=topic, status=S.DRAFT, published_at=None)
    opened = article.version
    article.title = "第一次保存"
    workflow.save_article(article, by=editor, base_version=opened)  # autocommit, no atomic around
    stale = Article.objects.get(pk=article.pk)
    stale.title = "过期的保存"
    with pytest.raises(workflow.StaleEdit):
        workflow.save_article(stale, by=editor, base_version=opened)
    assert Article.objects.get(pk=article.pk).title == "第一次保存"


def test_two_editors_publishing_one_copy_the_loser_gets_a_message(topic):
    editor_a, editor_b = make_user("editor", "a"), make_user("editor", "b")
    original = article_in(workflow.PUBLISHED, author=editor_a, topic=topic)
    copy = workflow.create_working_copy(original, by=editor_a)
    url = reverse("admin:articles_article_workflow", args=[copy.pk, "publish"])
    first, second = Client(), Client()
    first.force_login(editor_a)
    second.force_login(editor_b)
    assert first.post(url, {}).status_code == 302
    response = second.post(url, {}, follow=True)
    # The copy is gone: a 404 page or a message, never a 500.
    assert response.status_code in (200, 404)
    # The loser of a real race (copy found, then gone under the lock) gets a message.
    copy_b = Article(pk=copy.pk, working_copy_of=original, status=S.DRAFT)
    with pytest.raises(ValidationError) as refusal:
        workflow.publish(copy_b, by=editor_b)
    assert refusal.value.code == "gone"


# Editing ----------------------------------------------------------------------------------


def test_editing_an_approved_article_sends_it_back_to_review(topic):
    editor = make_user("editor")
    article = make_article(topic=topic, status=S.APPROVED, published_at=None)
    client = Client()
    client.force_login(editor)
    from tests.test_admin_desk import form_data

    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        form_data(article, title="批准后又改"),
        follow=True,
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert (article.title, article.status) == ("批准后又改", S.REVIEW)
    assert any("back to review" in str(m) or "审" in str(m) for m in response.context["messages"])
    assert article.events.order_by("-pk").first().to_status == S.REVIEW


def test_every_write_path_keeps_a_revision_and_an_event(topic):
    """The README's promise: every save keeps a version, and nothing else changes status."""
    editor, chief = make_user("editor"), make_user("chief")
    article = Article(title="新稿", topic=topic)
    workflow.save_article(article, by=editor)
    steps = [
        lambda: workflow.submit_for_review(article, by=editor),
        lambda: workflow.approve(article, by=editor),
        lambda: workflow.publish(article, by=editor),
        lambda: workflow.add_correction(article, by=editor, text="更正"),
        lambda: workflow.unpublish(article, by=editor),
        lambda: workflow.trash(article, by=chief),
        lambda: workflow.restore(article, by=chief),
    ]
    for step in steps:
        versions = Version.objects.get_for_object(article).count()
        events = article.events.count()
        step()
        assert Version.objects.get_for_object(article).count() == versions + 1, step
        assert article.events.count() == events + 1, step
    assert Correction.objects.filter(article=article).count() == 1


def test_a_body_written_around_save_still_renders_clean(topic, client):
    article = make_article(topic=topic)
    Article.objects.filter(pk=article.pk).update(
        body='<p>正文</p><script>alert(1)</script><img src=x onerror="alert(2)">'
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<p>正文</p>" in page
    assert "alert(" not in page and "onerror" not in page
    feed = client.get("/feeds/rss/").content.decode()
    assert "alert(" not in feed


def test_resanitize_command_cleans_stored_bodies_on_the_record(
    topic, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    article = make_article(topic=topic, body="<p>好</p>")
    Article.objects.filter(pk=article.pk).update(body="<p>好</p><script>x()</script>")
    versions = Version.objects.get_for_object(article).count()
    out = StringIO()
    heard = []

    def listener(sender, events, **kwargs):
        heard.extend((event.article_id, event.action) for event in events)

    from articles.changes import article_events_recorded

    article_events_recorded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("sanitize_bodies", stdout=out)
    finally:
        article_events_recorded.disconnect(listener)
    # The wire and push side hear of the edit, as of any other.
    assert heard == [(article.pk, ArticleEvent.Action.EDIT)]
    article.refresh_from_db()
    assert article.body == "<p>好</p>"
    assert "1 body" in out.getvalue()
    assert Version.objects.get_for_object(article).count() == versions + 1
    call_command("sanitize_bodies", stdout=out)  # nothing left to clean
    assert Version.objects.get_for_object(article).count() == versions + 1


def test_nothing_but_the_workflow_changes_a_status():
    """
    The README's promise, pinned: only articles/workflow.py assigns an
    article's status (and the importer's batched path, which follows the same
    table for new articles and approved ones edited back to review).
    """
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    allowed = {root / "articles" / "workflow.py", root / "articles" / "ingest" / "importer.py"}
    writers = {"update", "create", "update_or_create", "get_or_create", "bulk_update", "Article"}
    offenders = []
    for path in (root / "articles").rglob("*.py"):
        if path in allowed or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in writers and any(k.arg == "status" for k in node.keywords):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


def test_the_desk_form_cannot_change_a_status(topic):
    from tests.test_admin_desk import form_data

    editor = make_user("editor")
    article = make_article(topic=topic, status=S.DRAFT, published_at=None)
    client = Client()
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        form_data(article, status="published", published_at_0="2024-01-01", published_at_1="00:00"),
    )
    article.refresh_from_db()
    assert article.status == S.DRAFT and article.published_at is None
