"""
Scheduled articles at the desk: edited directly until they go live;
reschedule and cancel-schedule are plain actions of the table; "View on
site" opens the preview until readers can see the article; corrections only
once it is published.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_user
from tests.test_admin_desk import form_data

pytestmark = pytest.mark.django_db

S = Article.Status


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def editor():
    return make_user("editor")


@pytest.fixture
def scheduled(topic, editor):
    article = make_article(topic=topic, status=S.APPROVED, published_at=None, title="定时稿")
    workflow.publish(article, by=editor, at=timezone.now() + timedelta(days=1))
    article.refresh_from_db()
    return article


def is_public(article):
    return Article.objects.published().filter(pk=article.pk).exists()


def test_a_scheduled_article_is_edited_directly_and_keeps_its_time(scheduled, editor):
    due = scheduled.published_at
    data = form_data(scheduled, title="定时稿:改了错别字")
    response = client_for(editor).post(change_url(scheduled), data)
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.title == "定时稿:改了错别字"
    assert (scheduled.status, scheduled.published_at) == (S.PUBLISHED, due)
    assert not scheduled.working_copies.exists()
    assert not is_public(scheduled)
    assert "working_copy" not in workflow.allowed_actions(editor, scheduled)


def test_a_writer_cannot_edit_a_scheduled_article(scheduled):
    writer = make_user("writer")
    Article.objects.filter(pk=scheduled.pk).update(created_by=writer)
    scheduled.refresh_from_db()
    response = client_for(writer).post(change_url(scheduled), form_data(scheduled, title="偷改"))
    assert response.status_code == 403
    assert Article.objects.get(pk=scheduled.pk).title == "定时稿"


def test_reschedule_from_the_desk(scheduled, editor):
    new_time = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    data = form_data(scheduled)
    data.pop("_continue")
    data.update({"workflow": "reschedule", "reschedule_at": f"{new_time:%Y-%m-%dT%H:%M}"})
    response = client_for(editor).post(change_url(scheduled), data, follow=True)
    assert response.status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.published_at == new_time
    assert scheduled.first_published_at == new_time  # never live: this is its first time
    event = scheduled.events.order_by("-pk").first()
    assert event.action == "schedule" and new_time.strftime("%Y-%m-%d %H:%M") in event.note
    assert not is_public(scheduled)


@pytest.mark.parametrize("value", ["", "明天", "2001-01-01T08:00"])
def test_reschedule_to_no_time_or_a_past_time_is_refused(scheduled, editor, value):
    due = scheduled.published_at
    url = reverse("admin:articles_article_workflow", args=[scheduled.pk, "reschedule"])
    response = client_for(editor).post(url, {"reschedule_at": value}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Article.objects.get(pk=scheduled.pk).published_at == due


def test_cancel_schedule_makes_it_approved_with_no_time(scheduled, editor):
    url = reverse("admin:articles_article_workflow", args=[scheduled.pk, "cancel_schedule"])
    response = client_for(editor).post(url, {"note": "等发布会"})
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == S.APPROVED
    assert scheduled.published_at is None and scheduled.first_published_at is None
    assert scheduled.events.order_by("-pk").first().action == "cancel_schedule"
    assert not is_public(scheduled)
    # Published later, it goes out then, not at the cancelled time.
    workflow.publish(scheduled, by=editor)
    scheduled.refresh_from_db()
    assert is_public(scheduled)
    assert scheduled.first_published_at == scheduled.published_at <= timezone.now()


def test_publish_now_a_scheduled_article_is_its_first_publication(scheduled, editor):
    workflow.publish(scheduled, by=editor)
    scheduled.refresh_from_db()
    assert is_public(scheduled)
    assert scheduled.first_published_at == scheduled.published_at <= timezone.now()


def test_the_scheduled_desk_shows_reschedule_and_cancel(scheduled, editor):
    page = client_for(editor).get(change_url(scheduled)).content.decode()
    assert 'name="reschedule_at"' in page
    assert 'value="cancel_schedule"' in page
    assert 'value="correct"' not in page


def test_view_on_site_opens_the_preview_until_published(topic, editor):
    preview = reverse("admin:articles_article_preview", args=[0]).replace("/0/", "/{}/")
    client = client_for(editor)
    for status, published_at in [
        (S.DRAFT, None),
        (S.PUBLISHED, timezone.now() + timedelta(hours=3)),
        (S.UNPUBLISHED, timezone.now() - timedelta(days=1)),
    ]:
        article = make_article(topic=topic, status=status, published_at=published_at)
        page = client.get(change_url(article)).content.decode()
        assert f'href="{preview.format(article.pk)}" class="viewsitelink"' in page, status
        assert client.get(preview.format(article.pk)).status_code == 200
    live = make_article(topic=topic)
    page = client.get(change_url(live)).content.decode()
    assert f'href="{live.get_absolute_url()}" class="viewsitelink"' in page


def test_corrections_only_once_published(topic, editor):
    for status, published_at in [
        (S.DRAFT, None),
        (S.REVIEW, None),
        (S.APPROVED, None),
        (S.PUBLISHED, timezone.now() + timedelta(hours=3)),
    ]:
        article = make_article(topic=topic, status=status, published_at=published_at)
        assert "correct" not in workflow.allowed_actions(editor, article)
        with pytest.raises(ValidationError):
            workflow.add_correction(article, by=editor, text="更正")
        assert not article.corrections.exists()
    live = make_article(topic=topic)
    assert "correct" in workflow.allowed_actions(editor, live)
