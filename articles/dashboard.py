"""
The desk's front page (the admin index): the work waiting, per role, each
line linking to its queue in the article list. A constant number of
queries, whatever the number of articles: one aggregate for the counts and
one query per list (tests/test_desk_dashboard.py counts them at two sizes).
"""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from . import workflow
from .models import Article, ArticleEvent

S = Article.Status
A = ArticleEvent.Action
LIST_LENGTH = 8


def start_of_today(now):
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def _latest_event(field, **filters):
    events = ArticleEvent.objects.filter(article=OuterRef("pk"), **filters)
    return Subquery(events.order_by("-created_at", "-pk").values(field)[:1])


def with_submission(queryset):
    """Articles with `submitted_at` and `submitted_by_name`: their latest submission."""
    return queryset.annotate(
        submitted_at=_latest_event("created_at", action=A.SUBMIT),
        submitted_by_name=_latest_event("actor__username", action=A.SUBMIT),
    )


def sent_back_to(user, queryset=None):
    """`user`'s drafts whose latest step was a send-back, with its note, who and when."""
    queryset = Article.objects.not_trashed() if queryset is None else queryset
    return (
        queryset.filter(status=S.DRAFT, created_by=user)
        .annotate(
            last_action=_latest_event("action"),
            sent_back_note=_latest_event("note"),
            sent_back_at=_latest_event("created_at"),
            sent_back_by_name=_latest_event("actor__username"),
        )
        .filter(last_action=A.SEND_BACK)
    )


def queue_url(queue):
    return reverse("admin:articles_article_changelist") + f"?queue={queue}"


def for_user(user, now=None):
    now = now or timezone.now()
    today = start_of_today(now)
    articles = Article.objects.not_trashed()
    counts = articles.aggregate(
        mine=Count("pk", filter=Q(status=S.DRAFT, created_by=user)),
        my_review=Count("pk", filter=Q(status=S.REVIEW, created_by=user)),
        review=Count("pk", filter=Q(status=S.REVIEW)),
        approved=Count("pk", filter=Q(status=S.APPROVED)),
        scheduled=Count("pk", filter=Q(status=S.PUBLISHED, published_at__gt=now)),
        today=Count(
            "pk", filter=Q(status=S.PUBLISHED, published_at__gte=today, published_at__lte=now)
        ),
        copies=Count("pk", filter=Q(working_copy_of__isnull=False)),
    )
    editor = workflow.can_review(user)
    desk = {
        "counts": counts,
        "is_editor": editor,
        "sent_back": list(sent_back_to(user, articles).order_by("-sent_back_at")[:LIST_LENGTH]),
        "sent_back_count": sent_back_to(user, articles).count(),
        "urls": {
            name: queue_url(name)
            for name in ("mine", "sent_back", "review", "approved", "scheduled", "today", "copies")
        },
        "zone": timezone.get_current_timezone_name(),
    }
    if editor:
        desk["waiting"] = list(
            with_submission(articles.filter(status=S.REVIEW))
            .select_related("created_by")
            .order_by(F("submitted_at").asc(nulls_first=True), "pk")[:LIST_LENGTH]
        )
        desk["scheduled_next"] = list(
            articles.filter(status=S.PUBLISHED, published_at__gt=now).order_by("published_at")[
                :LIST_LENGTH
            ]
        )
    if user.has_perm("auth.change_user"):
        desk["locked_out"] = locked_out_accounts()
    return desk


def locked_out_accounts():
    """Accounts locked out by repeated failed logins (django-axes, when installed), else None."""
    if not apps.is_installed("axes"):
        return None
    from axes.models import AccessAttempt

    limit = getattr(settings, "AXES_FAILURE_LIMIT", 3)
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=limit)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, timedelta):  # locks expire: only those still in force
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return list(
        attempts.order_by("-attempt_time").values("username", "ip_address", "attempt_time")[
            :LIST_LENGTH
        ]
    )
