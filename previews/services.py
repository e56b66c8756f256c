"""
Making, revoking and finding preview links. Like the workflow's functions
(articles/workflow.py), each write checks who may, runs in a transaction
and writes an audit event (PreviewEvent).

Who may: those who may publish (the 编辑 Editor and 总编 Chief editor roles,
`articles.publish_article`, the workflow's PUBLISHER rule): a preview link
shows unpublished text outside the newsroom, which is a publishing decision.
"""

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import workflow
from articles.models import Article

from .models import PreviewEvent, PreviewLink

logger = logging.getLogger(__name__)

SHARER = workflow.PUBLISHER
DEFAULT_VALIDITY = timedelta(hours=48)
LONGEST_VALIDITY = timedelta(days=30)
# States whose text a link may show: everything not yet (or no longer) live.
SHAREABLE_STATES = {
    workflow.DRAFT,
    workflow.REVIEW,
    workflow.APPROVED,
    workflow.SCHEDULED,
    workflow.UNPUBLISHED,
}
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def may_share(user, article=None):
    """May `user` make and revoke preview links (of `article`)?"""
    return SHARER.allows(user, article)


def check_share(user, article, *, now=None):
    """Raise ValidationError (state) or PermissionDenied (user), as workflow.check does."""
    state = workflow.state_of(article, now)
    if state == workflow.TRASHED:
        raise ValidationError(_("An article in the trash cannot be previewed."), code="state")
    if state not in SHAREABLE_STATES:
        raise ValidationError(
            _("This article is published: share its address instead of a preview."),
            code="state",
        )
    if not may_share(user, article):
        raise PermissionDenied(_("You may not share previews of articles."))


@transaction.atomic
def create_link(article, *, by, expires_at=None):
    """
    A new preview link to `article`, valid until `expires_at` (48 hours by
    default, at most 30 days). Returns (link, token): the token is in no
    table, so the caller shows it now or never.
    """
    # Under the article's row lock: a link is never made onto an article
    # being trashed or published at the same moment.
    fresh = Article.objects.select_for_update().filter(pk=article.pk).first()
    if fresh is None:
        raise ValidationError(_("This article no longer exists."), code="gone")
    now = timezone.now()
    check_share(by, fresh, now=now)
    if expires_at is None:
        expires_at = now + DEFAULT_VALIDITY
    if expires_at <= now:
        raise ValidationError(_("Choose a time in the future."), code="invalid_time")
    if expires_at > now + LONGEST_VALIDITY:
        raise ValidationError(
            _("A preview link is valid for at most 30 days."), code="invalid_time"
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PreviewLink.objects.create(
        article=fresh,
        token_hash=hash_token(token),
        created_by=workflow.user_row(by),
        created_at=now,
        expires_at=expires_at,
    )
    _record(link, PreviewEvent.Action.CREATE, by=by, now=now)
    return link, token


@transaction.atomic
def revoke_link(link, *, by, check=True):
    """Revoke `link` (no-op if it already is). Returns True if this call revoked it."""
    if check and not may_share(by, link.article):
        raise PermissionDenied(_("You may not share previews of articles."))
    fresh = PreviewLink.objects.select_for_update().filter(pk=link.pk).first()
    if fresh is None or fresh.revoked_at is not None:
        return False
    now = timezone.now()
    fresh.revoked_at = now
    fresh.revoked_by = workflow.user_row(by)
    fresh.save(update_fields=["revoked_at", "revoked_by"])
    link.revoked_at, link.revoked_by = fresh.revoked_at, fresh.revoked_by
    _record(fresh, PreviewEvent.Action.REVOKE, by=by, now=now, article=link.article)
    return True


def _record(link, action, *, by, now, article=None):
    article = article or link.article
    note = _("valid until %(time)s") % {
        "time": timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
    }
    PreviewEvent.objects.create(
        **PreviewEvent.snapshot(article),
        link=link,
        action=action,
        note=note,
        actor=workflow.user_row(by),
        created_at=now,
    )
    logger.info(
        "preview link %s: link=%s article=%s by=%s",
        action,
        link.pk,
        article.pk,
        by.get_username() if by is not None else "-",
    )


def find_link(token):
    """
    The link with this token, its article loaded as the page shows it; None
    for a token that is malformed (no query) or unknown.
    """
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    return (
        PreviewLink.objects.select_related(
            "article", "article__topic", "article__source", "article__lead_image"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )


def refusal(link, now=None):
    """Why `link` opens no preview now (a short code), or None when it does."""
    now = now or timezone.now()
    if link.article.deleted_at is not None:
        return "trashed"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return None
