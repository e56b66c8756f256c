"""
Preview links: a signed address that shows an article's current, unpublished
text to someone without an account, until a time, or until revoked.

Only a hash of each link's token is stored (the token itself is shown once,
when the link is made), so a copy of the database opens no preview.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, ArticleRecord


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Links that open a preview now: not revoked, not expired, article not in the trash."""
        now = now or timezone.now()
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=now, article__deleted_at__isnull=True
        )


class PreviewLink(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,  # deleted for good: the links go (their events stay)
        related_name="preview_links",
        verbose_name=_("article"),
    )
    # sha256 of the token, hex: the only form in which the token is kept.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        indexes = [models.Index(fields=["article", "-created_at"], name="previewlink_article_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="previewlink_expires_after_creation",
            )
        ]

    def __str__(self):
        return _("Preview of “%(title)s”") % {"title": self.article.title}

    def state(self, now=None):
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE


class PreviewEvent(ArticleRecord):
    """
    The audit trail of preview links (made, revoked), kept like the
    workflow's ArticleEvent rows: they outlive the link and the article.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("preview link made")
        REVOKE = "revoke", _("preview link revoked")

    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preview_events",
        verbose_name=_("article"),
    )
    link = models.ForeignKey(
        PreviewLink,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("preview link"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("preview event")
        verbose_name_plural = _("preview events")

    def __str__(self):
        return f"{self.get_action_display()}: {self.article_title}"
