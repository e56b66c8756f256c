"""
Notifications: the people concerned by a workflow step get a notice in the
desk and an e-mail through the job queue, each at most once; e-mail can be
turned off; a mail server that is down never breaks the transition.
"""

import smtplib

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.models import Article
from jobs.models import Job
from notifications import services
from notifications.models import Notification, NotificationSettings
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def people():
    people = {
        "writer": make_user("writer"),
        "editor": make_user("editor"),
        "chief": make_user("chief"),
    }
    for name, user in people.items():
        user.email = f"{name}@example.com"
        user.save()
    return people


@pytest.fixture
def draft(topic, people):
    return make_article(
        topic=topic, status=S.DRAFT, published_at=None, created_by=people["writer"], title="稿件甲"
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_submission_notifies_the_editors_in_the_desk_and_by_mail(
    draft, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=people["writer"])
    notices = Notification.objects.order_by("user__username")
    assert [n.user.username for n in notices] == ["chief", "editor"]
    assert all(n.emailed_at is not None for n in notices)
    assert sorted(m.to[0] for m in mail.outbox) == ["chief@example.com", "editor@example.com"]
    assert "稿件甲" in mail.outbox[0].subject
    assert reverse("admin:notifications_notification_open", args=[notices[0].pk]) in (
        mail.outbox[0].body
    )
    assert set(Job.objects.values_list("status", flat=True)) == {"succeeded"}


@pytest.mark.parametrize("step", ["send_back", "approve", "publish", "correct"])
def test_the_author_hears_of_what_editors_do(
    draft, people, step, django_capture_on_commit_callbacks
):
    editor = people["editor"]
    workflow.submit_for_review(draft, by=people["writer"])
    if step in ("publish", "correct"):
        workflow.approve(draft, by=editor)
        workflow.publish(draft, by=editor)
    Notification.objects.all().delete()  # what came before is not this test's subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if step == "send_back":
            workflow.send_back(draft, by=editor, note="请补充来源")
        elif step == "approve":
            workflow.approve(draft, by=editor)
        elif step == "publish":
            workflow.unpublish(draft, by=editor)
            workflow.publish(draft, by=editor)
        else:
            workflow.add_correction(draft, by=editor, text="数字有误")
    notice = Notification.objects.get()
    assert notice.user == people["writer"]
    assert notice.action == step
    assert [m.to for m in mail.outbox] == [["writer@example.com"]]
    if step == "send_back":
        assert notice.note == "请补充来源" and "请补充来源" in mail.outbox[0].body


def test_each_notice_and_mail_happens_at_most_once(
    draft, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=people["writer"])
    event = draft.events.get(action="submit")
    # The signal delivered again (a retry, a second listener run): nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([event])
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    notice = Notification.objects.first()
    assert services.send_mail(notification_id=notice.pk) == "already e-mailed"
    assert len(mail.outbox) == 2


def test_email_can_be_turned_off_and_the_notice_still_shows(
    draft, people, django_capture_on_commit_callbacks
):
    client = client_for(people["editor"])
    url = reverse("admin:notifications_notification_settings")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 302  # unticked: e-mail off
    assert NotificationSettings.objects.get(user=people["editor"]).email is False
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=people["writer"])
    assert [m.to for m in mail.outbox] == [["chief@example.com"]]
    assert Notification.objects.filter(user=people["editor"]).exists()


def test_a_mail_server_that_is_down_never_breaks_the_publish(
    draft, people, settings, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPConnectError(421, "down")

    monkeypatch.setattr(services, "django_send_mail", refuse)
    workflow.submit_for_review(draft, by=people["writer"])
    workflow.approve(draft, by=people["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=people["editor"])
    assert Article.objects.published().filter(pk=draft.pk).exists()
    notice = Notification.objects.get(action="publish")
    assert notice.emailed_at is None  # not sent, so not marked: the job retries it
    job = Job.objects.get(key=f"notification-mail:{notice.pk}")
    assert job.status != "succeeded" and "down" in (job.last_error or "")


def test_the_count_shows_on_admin_pages_and_opening_marks_read(
    draft, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=people["writer"])
    client = client_for(people["editor"])
    page = client.get(reverse("admin:index")).content.decode()
    assert 'class="desk-unread">(1)' in page
    listing = client.get(reverse("admin:notifications_notification_changelist"))
    assert listing.status_code == 200 and "稿件甲" in listing.content.decode()
    notice = Notification.objects.get(user=people["editor"])
    response = client.get(reverse("admin:notifications_notification_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[draft.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="desk-notifications"' in page and "desk-unread" not in page


def test_nobody_reads_or_opens_someone_elses_notices(
    draft, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=people["writer"])
    notice = Notification.objects.get(user=people["editor"])
    writer = client_for(people["writer"])
    url = reverse("admin:notifications_notification_open", args=[notice.pk])
    assert writer.get(url).status_code == 404
    listing = writer.get(reverse("admin:notifications_notification_changelist"))
    assert listing.status_code == 200 and "稿件甲" not in listing.content.decode()
