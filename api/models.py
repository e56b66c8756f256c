from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class PartnerKey(models.Model):
    """
    A key that unlocks full text (and redistributable images) in the API.
    Only the key's prefix and a hash of the whole key are stored: the key
    itself is shown once, when it is made (api.keys.issue_key).
    """

    name = models.CharField(
        _("partner"),
        max_length=200,
        help_text=_("Who uses this key: the partner, app or mini-program."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Contact, agreement, what the key is for.")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=16,
        unique=True,
        editable=False,
        help_text=_("The start of the key, to recognise it; the rest is never stored."),
    )
    hashed_key = models.CharField(_("hashed key"), max_length=128, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
