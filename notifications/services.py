"""
Who hears of a workflow step, in the desk and by e-mail.

`on_events` listens to `article_events_recorded` (sent after the
transition's transaction commits, so a notice never blocks or breaks it):
for each event of NOTIFY it writes one Notification per person concerned,
keyed by event and user (at most once, however often the signal comes),
and asks the job queue for one e-mail per notice (the job's key is the
notice's). The e-mail job marks the notice e-mailed before sending, so a
notice is e-mailed at most once; a mail server that is down fails the job,
which is logged, unmarked and retried with backoff.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail as django_send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from articles.models import ArticleEvent
from jobs import enqueue, job

from .models import Notification, NotificationSettings

logger = logging.getLogger(__name__)

A = ArticleEvent.Action

# event action -> who is concerned: the editors (a submission waits for
# them) or the author (and whoever submitted the article).
NOTIFY = {
    A.SUBMIT: "editors",
    A.SEND_BACK: "author",
    A.APPROVE: "author",
    A.PUBLISH: "author",
    A.PUBLISH_EDIT: "author",
    A.CORRECT: "author",
}


def message(notification):
    """The notice as a sentence in the current language."""
    texts = {
        A.SUBMIT: _("%(actor)s submitted “%(title)s” for review."),
        A.SEND_BACK: _("%(actor)s sent “%(title)s” back to you."),
        A.APPROVE: _("%(actor)s approved “%(title)s”."),
        A.PUBLISH: _("%(actor)s published “%(title)s”."),
        A.PUBLISH_EDIT: _("%(actor)s published the edit of “%(title)s”."),
        A.CORRECT: _("%(actor)s added a correction to “%(title)s”."),
    }
    text = texts.get(notification.action, _("%(actor)s: “%(title)s”."))
    return text % {
        "actor": notification.actor_name or _("someone"),
        "title": notification.article_title,
    }


def editors():
    """Active staff who review articles (by group, own permission or superuser)."""
    perm = Permission.objects.filter(
        content_type__app_label="articles", codename="review_article"
    ).first()
    people = get_user_model().objects.filter(is_active=True, is_staff=True)
    return people.filter(
        Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True)
    ).distinct()


def concerned(event):
    """The user ids to tell of `event` (never the one who did it)."""
    who = NOTIFY.get(event.action)
    if who is None or event.article_id is None:
        return set()
    if who == "editors":
        ids = set(editors().values_list("pk", flat=True))
    else:
        article = event.article
        ids = {article.created_by_id}
        submitter = (
            ArticleEvent.objects.filter(article_id=event.article_id, action=A.SUBMIT)
            .order_by("-created_at", "-pk")
            .values_list("actor_id", flat=True)
            .first()
        )
        ids.add(submitter)
    ids.discard(None)
    ids.discard(event.actor_id)
    return ids


def notify(events):
    """Write the notices for `events` (once per event and user) and queue their e-mails."""
    rows = []
    for event in events:
        for user_id in sorted(concerned(event)):
            rows.append(
                Notification(
                    user_id=user_id,
                    key=f"event:{event.pk}:user:{user_id}",
                    event_id=event.pk,
                    article_id=event.article_id,
                    action=event.action,
                    actor_name=event.actor.get_username() if event.actor_id else "",
                    article_title=event.article_title,
                    note=event.note,
                    created_at=event.created_at,
                )
            )
    if not rows:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        notices = list(
            Notification.objects.filter(key__in=[r.key for r in rows], emailed_at__isnull=True)
            .exclude(user__email="")
            .exclude(user__notification_settings__email=False)
        )
        for notice in notices:
            enqueue(
                send_mail,
                key=f"notification-mail:{notice.pk}",
                kwargs={"notification_id": notice.pk},
            )
    return notices


def on_events(sender, events, **kwargs):
    events = [e for e in events if e.action in NOTIFY]
    if not events:
        return
    try:
        notify(events)
    except Exception:  # a notice must never break what was done
        logger.exception("Notifications not written for events %s", [e.pk for e in events])


def wants_email(user):
    return (
        bool(user.email)
        and not NotificationSettings.objects.filter(user=user, email=False).exists()
    )


@job("notifications.send_mail", max_attempts=5, time_limit=60)
def send_mail(*, notification_id):
    """E-mail one notice, at most once."""
    with transaction.atomic():
        notice = (
            Notification.objects.select_for_update()
            .select_related("user")
            .filter(pk=notification_id)
            .first()
        )
        if notice is None:
            return "notice gone"
        if notice.emailed_at is not None:
            return "already e-mailed"
        if not wants_email(notice.user):
            return "e-mail turned off"
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at"])
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = message(notice)
            link = (settings.SITE_URL or "") + reverse(
                "admin:notifications_notification_open", args=[notice.pk]
            )
            body = "\n\n".join(part for part in (text, notice.note, link) if part)
            subject = f"[{settings.SITE_NAME}] {text}"
        django_send_mail(subject[:200], body, None, [notice.user.email])
    except Exception:
        # Not sent: unmark, so the retry (the job's backoff) sends it.
        Notification.objects.filter(pk=notice.pk).update(emailed_at=None)
        raise
    return "e-mailed"


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
