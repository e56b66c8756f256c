"""The admin index as the desk's front page: work waiting per role, in constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

S = Article.Status


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def fill(topic, writer, editor, n):
    """n articles in each state, with the events that make them so."""
    now = timezone.now()
    for i in range(n):
        draft = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
        sent = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
        workflow.submit_for_review(sent, by=writer)
        workflow.send_back(sent, by=editor, note=f"第{i}条:请补充来源")
        review = make_article(topic=topic, status=S.DRAFT, published_at=None, created_by=writer)
        workflow.submit_for_review(review, by=writer)
        make_article(topic=topic, status=S.APPROVED, published_at=None)
        make_article(topic=topic, published_at=now + timedelta(hours=i + 1))
        make_article(topic=topic, published_at=now - timedelta(minutes=i + 1))
        del draft


def index_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response, len(queries)


def test_the_dashboard_counts_and_costs_the_same_at_two_sizes(topic):
    writer, editor = make_user("writer"), make_user("editor")
    fill(topic, writer, editor, 2)
    response, small = index_queries(client_for(editor))
    desk = response.context["desk"]
    assert desk["counts"]["review"] == 2
    assert desk["counts"]["approved"] == 2
    assert desk["counts"]["scheduled"] == 2
    assert [a.submitted_by_name for a in desk["waiting"]] == ["writer", "writer"]
    waiting = desk["waiting"]
    assert waiting[0].submitted_at <= waiting[1].submitted_at  # oldest first
    fill(topic, writer, editor, 6)
    response, large = index_queries(client_for(editor))
    assert response.context["desk"]["counts"]["review"] == 8
    assert large == small


def test_the_writer_sees_their_drafts_and_what_was_sent_back_with_the_note(topic):
    writer, editor = make_user("writer"), make_user("editor")
    fill(topic, writer, editor, 1)
    response, _ = index_queries(client_for(writer))
    desk = response.context["desk"]
    assert desk["counts"]["mine"] == 2
    assert [a.sent_back_note for a in desk["sent_back"]] == ["第0条:请补充来源"]
    assert desk["sent_back_count"] == 1
    assert not desk["is_editor"] and "waiting" not in desk
    page = response.content.decode()
    assert "第0条:请补充来源" in page
    assert reverse("admin:articles_article_changelist") + "?queue=sent_back" in page


def test_each_line_links_to_its_queue_and_the_queue_matches_the_count(topic):
    writer, editor = make_user("writer"), make_user("editor")
    fill(topic, writer, editor, 2)
    client = client_for(editor)
    desk = client.get(reverse("admin:index")).context["desk"]
    for queue in ("review", "approved", "scheduled", "today"):
        response = client.get(desk["urls"][queue])
        assert response.status_code == 200
        assert response.context["cl"].result_count == desk["counts"][queue], queue


def test_the_review_queue_sorts_by_submission_and_shows_who_and_when(topic):
    writer, editor = make_user("writer"), make_user("editor")
    first = make_article(topic=topic, status=S.DRAFT, published_at=None, title="先交的稿")
    second = make_article(
        topic=topic, status=S.DRAFT, published_at=None, title="后交的稿", created_by=writer
    )
    workflow.submit_for_review(second, by=writer)
    workflow.submit_for_review(first, by=editor)
    from articles.models import ArticleEvent

    # `second` was submitted an hour earlier.
    ArticleEvent.objects.filter(article=second, action="submit").update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    response = client_for(editor).get(
        reverse("admin:articles_article_changelist") + "?queue=review"
    )
    titles = [a.title for a in response.context["cl"].result_list]
    assert titles == ["后交的稿", "先交的稿"]
    page = response.content.decode()
    assert "writer · " in page and "editor · " in page


def test_the_chief_sees_locked_out_accounts(settings):
    from axes.models import AccessAttempt

    chief, editor = make_user("chief"), make_user("editor")
    AccessAttempt.objects.create(
        username="被锁的人",
        ip_address="203.0.113.7",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )
    AccessAttempt.objects.create(
        username="早已解锁",
        ip_address="203.0.113.8",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now() - timedelta(days=2),
    )
    # attempt_time is set on creation: move the old one back.
    AccessAttempt.objects.filter(username="早已解锁").update(
        attempt_time=timezone.now() - timedelta(days=2)
    )
    page = client_for(chief).get(reverse("admin:index")).content.decode()
    assert "被锁的人" in page and "203.0.113.7" in page and "早已解锁" not in page
    assert "被锁的人" not in client_for(editor).get(reverse("admin:index")).content.decode()
