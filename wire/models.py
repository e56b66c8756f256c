"""
The wire desk: feeds polled on a schedule (采集) with a log per run, story
clusters of near-duplicates, and the record of every push to search engines
and hubs. Licences are fields of articles.Source (the publication rule
reads them); `Licence` here is the desk's view of them.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Source, Topic

# A failing feed waits interval × 2^failures, at most this long.
MAX_BACKOFF = timedelta(hours=24)
FAILING_AFTER = 3  # consecutive failures before the desk calls a feed failing


class WireFeed(models.Model):
    class Format(models.TextChoices):
        AUTO = "auto", _("Detect")
        FEED = "feed", _("RSS or Atom")
        JSONL = "jsonl", _("JSON Lines")

    class OnDuplicate(models.TextChoices):
        LINK = "link", _("Import and link to the story")
        SKIP = "skip", _("Skip (note where it was also received)")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="wire_feeds", verbose_name=_("source")
    )
    url = models.URLField(_("feed URL"), max_length=500, unique=True)
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.AUTO
    )
    interval = models.PositiveIntegerField(
        _("interval (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("topic"),
        help_text=_("New items go to this topic."),
    )
    tags = models.CharField(
        _("tags"), max_length=500, blank=True, help_text=_("Added to every item, comma-separated.")
    )
    publish = models.BooleanField(
        _("publish at once"),
        default=False,
        help_text=_(
            "Off: items arrive as drafts for review. On: they are published, only while "
            "the person who set up the feed may publish."
        ),
    )
    on_duplicate = models.CharField(
        _("near-duplicates"),
        max_length=10,
        choices=OnDuplicate.choices,
        default=OnDuplicate.LINK,
        help_text=_("What to do with an item that is the same story as an article already here."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("set up by"),
        help_text=_("Polls import with this person's permissions."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Polling state.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last poll"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        ordering = ["source__name", "url"]
        verbose_name = _("wire feed")
        verbose_name_plural = _("wire feeds")
        indexes = [models.Index(fields=["enabled", "next_poll_at"], name="wirefeed_due_idx")]

    def __str__(self):
        return f"{self.source.name}: {self.url}"

    @property
    def failing(self):
        return self.failures >= FAILING_AFTER

    def tag_names(self):
        return [name.strip() for name in self.tags.replace("，", ",").split(",") if name.strip()]

    def delay_after(self, *, failed):
        """The wait before the next poll: the interval, doubled for each failure in a row."""
        interval = timedelta(minutes=self.interval)
        if not failed:
            return interval
        return min(interval * (2 ** min(self.failures, 10)), max(MAX_BACKOFF, interval))


class PollRun(models.Model):
    """One poll of a feed: what came back and what the import made of it."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        NOT_MODIFIED = "not_modified", _("Not modified")
        FAILED = "failed", _("Failed")

    feed = models.ForeignKey(WireFeed, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    error = models.TextField(_("error"), blank=True)
    report = models.TextField(_("report"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return f"{self.feed} @ {self.started_at:%Y-%m-%d %H:%M}"


class Licence(Source):
    """The desk's list of reprint licences (the fields live on the source)."""

    class Meta:
        proxy = True
        ordering = ["licence_ends_at", "name"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")


# Near-duplicates ---------------------------------------------------------------------


class StoryCluster(models.Model):
    """Articles (and skipped items) that tell the same story."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("story cluster")
        verbose_name_plural = _("story clusters")

    def __str__(self):
        return f"#{self.pk}"


class Fingerprint(models.Model):
    """An article's near-duplicate signature (wire.duplicates) and its cluster."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    minhash = models.BinaryField()
    size = models.PositiveIntegerField(default=0)  # shingles in the text
    text_hash = models.CharField(max_length=32)
    cluster = models.ForeignKey(
        StoryCluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fingerprints",
    )

    class Meta:
        verbose_name = _("fingerprint")
        verbose_name_plural = _("fingerprints")

    def __str__(self):
        return f"fingerprint of article {self.article_id}"


class FingerprintBand(models.Model):
    """One locality-sensitive hash band of a fingerprint: equal keys make candidates."""

    fingerprint = models.ForeignKey(Fingerprint, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(db_index=True)

    def __str__(self):
        return str(self.key)


class ClusterReceipt(models.Model):
    """An item skipped as a near-duplicate: where the story was also received from."""

    cluster = models.ForeignKey(StoryCluster, on_delete=models.CASCADE, related_name="receipts")
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feed = models.ForeignKey(
        WireFeed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self):
        return self.title


# Push on publish ---------------------------------------------------------------------


class PushDelivery(models.Model):
    """
    One announcement of one article change to one endpoint, with the answer.
    Unique per event and endpoint, so a retried or repeated job never pushes
    twice what was delivered.
    """

    class Endpoint(models.TextChoices):
        WEBSUB = "websub", "WebSub"
        INDEXNOW = "indexnow", "IndexNow"
        BAIDU = "baidu", _("Baidu")

    class Change(models.TextChoices):
        PUBLISHED = "published", _("published")
        UPDATED = "updated", _("updated")
        REMOVED = "removed", _("taken down")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        SKIPPED = "skipped", _("Not needed any more")
        FAILED = "failed", _("Refused")

    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="pushes"
    )
    event_id = models.BigIntegerField(_("event"))
    endpoint = models.CharField(_("endpoint"), max_length=20, choices=Endpoint.choices)
    change = models.CharField(_("change"), max_length=20, choices=Change.choices)
    url = models.URLField(_("article URL"), max_length=500)
    feeds = models.JSONField(_("feeds"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    response = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("push")
        verbose_name_plural = _("pushes")
        constraints = [
            models.UniqueConstraint(fields=["event_id", "endpoint"], name="push_once_per_event")
        ]

    def __str__(self):
        return f"{self.get_endpoint_display()} {self.get_change_display()} {self.url}"
