from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """
    One piece of background work and its record: what to run, its
    idempotency key, and what happened (attempts, errors, result). The row is
    written in the transaction that asks for the work, so the work is never
    lost: a job the broker did not take stays here (sent_at empty) until the
    dispatcher hands it over.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Waiting to retry")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_("Idempotency key: asking again for the same key does not add a job."),
    )
    name = models.CharField(_("job"), max_length=100, db_index=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=5)
    run_after = models.DateTimeField(_("not before"), default=timezone.now)
    sent_at = models.DateTimeField(
        _("handed to the queue"),
        null=True,
        blank=True,
        help_text=_("Empty: waiting in the database for the queue (or for its time)."),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    error_detail = models.TextField(_("error detail"), blank=True)
    history = models.JSONField(_("attempt history"), default=list, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        permissions = [("run_job", _("Can run failed jobs again"))]
        indexes = [
            # The dispatcher's scan: unsent work that is due.
            models.Index(
                fields=["run_after"],
                condition=models.Q(sent_at__isnull=True, status__in=["queued", "retrying"]),
                name="job_outbox_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="job_status_idx"),
        ]

    def __str__(self):
        return f"{self.name} [{self.key}]"
