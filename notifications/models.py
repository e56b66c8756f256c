from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """
    A notice in the desk for one user about one workflow step (an article
    submitted, sent back, approved, published, corrected). `key` (the event
    and the user) makes each notice, and so its e-mail, happen at most once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    event = models.ForeignKey(
        "articles.ArticleEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article"),
    )
    action = models.CharField(_("action"), max_length=20)
    # Kept as written, so the notice reads the same after the article is gone;
    # the sentence itself is made in the reader's language (services.message).
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    article_title = models.CharField(_("article title"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        from .services import message

        return message(self)


class NotificationSettings(models.Model):
    """A user's choices: e-mail for notifications or not (on unless turned off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    email = models.BooleanField(
        _("e-mail me my notifications"),
        default=True,
        help_text=_("Notices always show in the desk; this adds an e-mail for each."),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)
