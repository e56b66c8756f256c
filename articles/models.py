import uuid
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import ItemBase, TagBase

from .cache_keys import collect_article
from .text import (
    ascii_slug,
    normalize_name,
    render_body,
    sanitize_html,
    strip_invalid_xml_chars,
    web_url,
)

# Search results cut titles at about 30 Chinese (60 Latin) characters and
# descriptions at about 80 (160); social cards allow a little more title.
SEO_TITLE_MAX_LENGTH = 70
META_DESCRIPTION_MAX_LENGTH = 160
SOCIAL_TITLE_MAX_LENGTH = 100

# The longest body an editor or an import may save, in characters (a long
# feature is 30,000; this leaves room without letting a paste swamp a page).
BODY_MAX_LENGTH = 200_000


@lru_cache(maxsize=20_000)
def _slug_url(name, slug, prefix):
    return reverse(name, kwargs={"slug": slug})


def slug_url(name, slug):
    """
    reverse() for the public slug URLs, remembered: a list page links every
    article and topic, and reverse() was a fifth of its rendering. The script
    prefix is part of the key, so a remembered URL is always the one reverse()
    would give.
    """
    return _slug_url(name, slug, get_script_prefix())


class Topic(models.Model):
    """A section of the site (栏目), e.g. 业界新闻."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Part of the topic's URL; made from the name's pinyin when left empty."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Topics are listed from low to high.")
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Topic, ascii_slug(self.name) or "topic", self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:topic", self.slug)


class Source(models.Model):
    """An outlet whose copy we reprint (e.g. 人民日报)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    homepage = models.URLField(_("homepage"), blank=True)
    # The reprint licence (wire/ schedules its enforcement): when it ends,
    # the source's articles leave the public site at that moment (see
    # ArticleQuerySet.published) and are then unpublished with an event.
    licence_reference = models.TextField(
        _("licence"),
        blank=True,
        help_text=_("The agreement: its number, who signed it, what it allows."),
    )
    licence_starts_at = models.DateTimeField(_("licence starts"), null=True, blank=True)
    licence_ends_at = models.DateTimeField(
        _("licence ends"),
        null=True,
        blank=True,
        help_text=_(
            "At this moment every article from this source leaves the site and is "
            "unpublished. Empty: no end."
        ),
    )
    licence_link_back = models.BooleanField(
        _("must link back"),
        default=False,
        help_text=_("Articles must link to the original (the original URL is required)."),
    )
    licence_redistribute = models.BooleanField(
        _("may be redistributed"),
        default=True,
        help_text=_("Off: our feeds carry only the summary and a link, never the full text."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [
            # The next licence end (page cache epoch) and the last one (Last-Modified).
            models.Index(
                fields=["licence_ends_at"],
                condition=Q(licence_ends_at__isnull=False),
                name="source_licence_end_idx",
            )
        ]

    def __str__(self):
        return self.name


class Author(models.Model):
    """
    A writer credited on articles (作者): a staff reporter or a contributor.
    Agency copy keeps a free-text byline (Article.byline) instead.
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Part of the author's URL; made from the name's pinyin when left empty."),
    )
    title = models.CharField(
        _("title"),
        max_length=50,
        blank=True,
        help_text=_("Shown before the name, e.g. 记者 or 特约撰稿人."),
    )
    bio = models.TextField(_("short biography"), max_length=600, blank=True)
    photo = models.ForeignKey(
        "images.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
        help_text=_("From the image library."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        verbose_name=_("staff account"),
        help_text=_("Optional: the desk account of this author."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = strip_invalid_xml_chars(self.name).strip()
        if not self.slug:
            self.slug = unique_slug(Author, ascii_slug(self.name) or "author", self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:author", self.slug)


class Tag(TagBase):
    """A taggit tag whose slug is ASCII pinyin, so 国际 lives at /tags/guo-ji/."""

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        super().save(*args, **kwargs)

    def slugify(self, tag, i=None):
        slug = ascii_slug(tag) or "tag"
        if i is not None:
            slug = f"{slug}-{i}"
        return slug

    def get_absolute_url(self):
        return slug_url("articles:tag", self.slug)


class NormalizedTagManager(_TaggableManager):
    """article.tags.set/add with names normalized first (NFKC, no invisible
    characters), so 国际\u200b finds the tag 国际 instead of making another."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tags = [normalize_name(tag) if isinstance(tag, str) else tag for tag in tags]
        return super()._to_tag_model_instances([tag for tag in tags if tag], tag_kwargs)


class TaggedArticle(ItemBase):
    """
    The tag-article link, with real foreign keys so tag pages join on indexes.
    It carries a copy of the article's publication time, so a tag page walks
    (tag, published_at) in order instead of every article of the site; the
    copy follows the article (Article.save(), sync_tag_dates()).
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        indexes = [
            models.Index(
                fields=["tag", "-published_at", "-content_object"], name="tagged_tag_pub_idx"
            )
        ]

    def save(self, *args, **kwargs):
        if self.published_at is None and self.content_object_id:
            self.published_at = self.content_object.published_at
        super().save(*args, **kwargs)


def sync_tag_dates(article_ids):
    """Copy the articles' publication times onto their tag links (after bulk writes)."""
    TaggedArticle.objects.filter(content_object_id__in=article_ids).update(
        published_at=Subquery(
            Article.objects.filter(pk=OuterRef("content_object_id")).values("published_at")[:1]
        )
    )


# Live: may be public, depending on the publication and expiry times. Partial
# indexes use it; Article.objects.published() adds the times.
LIVE = Q(status="published", deleted_at__isnull=True)


# Large columns no list of articles shows.
LISTING_DEFERRED = (
    "body",
    "related_ids",
    "created_by",
    "updated_by",
    "original_text",
    "search_title",
    "search_text",
    "search_plain",
)


class ArticleQuerySet(models.QuerySet):
    def featured_on_home(self, now=None):
        """
        The home page's top stories: published and featured, the pin not yet
        expired, in the editors' order (featured_order), newest first among equals.
        """
        now = now or timezone.now()
        return (
            self.published(now)
            .filter(Q(pinned_until__isnull=True) | Q(pinned_until__gt=now), featured=True)
            .order_by("featured_order", "-published_at", "-pk")
        )

    def published(self, now=None):
        """
        The publication rule, the only door to public content: published
        status, publication time reached, not yet expired, and (for a
        reprint) its source's licence not ended. Scheduling, expiry and
        licence ends happen here, at query time, so no job can miss them.
        """
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            # A reprint leaves with its source's licence, at that moment.
            Q(source__isnull=True)
            | Q(source__licence_ends_at__isnull=True)
            | Q(source__licence_ends_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
            deleted_at__isnull=True,
        )

    def not_trashed(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)

    def with_authors(self):
        """Prefetch the credited authors, in order, in one query (Article.credited_authors)."""
        return self.prefetch_related(author_links_prefetch())

    def for_listing(self):
        """Columns and relations a list of articles shows; never the body."""
        return (
            self.select_related("topic", "source", "lead_image")
            .defer(*LISTING_DEFERRED)
            .order_by("-published_at", "-pk")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    uuid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Permanent identity; feed GUID."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_(
            "Part of the article's URL, ASCII only; made from the title's pinyin when "
            "left empty. Changing it keeps the old URL working as a redirect."
        ),
    )
    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("The lead paragraph, shown in lists and feeds.")
    )
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_("HTML; scripts, styles and event handlers are removed on save."),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="articles", verbose_name=_("topic")
    )
    tags = TaggableManager(
        through=TaggedArticle,
        blank=True,
        verbose_name=_("tags"),
        manager=NormalizedTagManager,
    )
    # Search and social cards (SEO 与分享): empty ones fall back to the title and
    # the standfirst (Article.page_title, .social_title_text, .page_description).
    seo_title = models.CharField(
        _("SEO title"),
        max_length=SEO_TITLE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "The page title search engines show; empty: the title. About 30 Chinese "
            "characters fit in a search result."
        ),
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=META_DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_(
            "The summary search engines and social cards show; empty: the standfirst. "
            "About 80 Chinese characters fit."
        ),
    )
    social_title = models.CharField(
        _("social title"),
        max_length=SOCIAL_TITLE_MAX_LENGTH,
        blank=True,
        help_text=_("The title of the card when the article is shared; empty: the title."),
    )
    byline = models.CharField(
        _("byline"),
        max_length=200,
        blank=True,
        help_text=_(
            "The credit as plain text, e.g. 新华社记者 for agency copy; feeds and the API "
            "use it, pages show the linked authors instead when there are any."
        ),
    )
    authors = models.ManyToManyField(
        Author,
        through="ArticleAuthor",
        related_name="articles",
        blank=True,
        verbose_name=_("authors"),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("source"),
        help_text=_("For reprinted copy: the outlet it comes from."),
    )
    source_url = models.URLField(
        _("original URL"), max_length=500, blank=True, help_text=_("Link to the original article.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A published article appears at this time, not before."),
    )
    expires_at = models.DateTimeField(
        _("expiry time"),
        null=True,
        blank=True,
        help_text=_("Optional: the article leaves the site at this time."),
    )
    first_published_at = models.DateTimeField(
        _("first publication time"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the article was first published; republishing keeps its publication time "
            "unless the editor chooses a new one."
        ),
    )
    # Homepage curation (置顶): only users who may publish change these (workflow.curate).
    featured = models.BooleanField(_("featured"), default=False)
    featured_order = models.PositiveSmallIntegerField(
        _("featured order"),
        default=0,
        help_text=_("Top stories are shown from low to high; equal ones newest first."),
    )
    pinned_until = models.DateTimeField(
        _("pinned until"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: the article leaves the top stories at this time (it stays published). "
            "Empty: featured until unticked."
        ),
    )
    # The image library lives in the images app; an image in use cannot be deleted.
    lead_image = models.ForeignKey(
        "images.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead image"),
        help_text=_("Shown at the top of the article, in lists, feeds and social cards."),
    )
    lead_image_caption = models.CharField(
        _("lead image caption"),
        max_length=500,
        blank=True,
        help_text=_("For this article only; leave empty to use the library's caption."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves; a form saved over a newer version is refused."),
    )
    working_copy_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="working_copies",
        verbose_name=_("working copy of"),
        help_text=_("Edits to a published article are made on a copy and published onto it."),
    )
    # Kept by the workflow (articles/related.py), so the article page reads
    # a few rows by primary key instead of counting tags over a tag's history.
    related_ids = models.JSONField(
        _("related articles"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Ids of related articles, best first, computed when the article is saved; "
            "readers see only those that are published. Empty until first computed."
        ),
    )
    correction_count = models.PositiveIntegerField(
        _("corrections"),
        default=0,
        editable=False,
        help_text=_("How many corrections the article has; the page skips the query at 0."),
    )
    deleted_at = models.DateTimeField(_("moved to trash"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("moved to trash by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("updated by"),
    )
    original_text = models.TextField(
        _("text as received"),
        blank=True,
        editable=False,
        help_text=_(
            "An imported reprint page as it arrived, before its scraping debris was cleaned: "
            "compare it with the text to check what the cleaning removed."
        ),
    )
    # Search terms (articles.search), written by the search index whenever the
    # text changes: title words and title text, the index terms, and the
    # normalised plain text that phrases are checked against.
    search_title = models.TextField(_("title search terms"), blank=True, editable=False)
    search_text = models.TextField(_("search terms"), blank=True, editable=False)
    search_plain = models.TextField(_("search text"), blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    # The fields search indexes; save() re-indexes only when one changed.
    INDEXED_FIELDS = ("title", "standfirst", "body")
    # Values as loaded from the database (... = not loaded): what save() compares.
    _loaded = None

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        permissions = [
            ("submit_article", _("Can submit articles for review")),
            ("review_article", _("Can edit any article, send back and approve")),
            ("publish_article", _("Can publish, schedule and unpublish articles")),
            ("correct_article", _("Can add corrections to published articles")),
            ("restore_article", _("Can restore articles from the trash")),
            ("empty_trash", _("Can empty the trash")),
            (
                "reverse_takedown",
                _("Can let an import republish unpublished articles or restore trashed ones"),
            ),
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # Public lists read the newest live articles (published, not in
            # the trash) in (published_at, id) order: partial indexes in that
            # order let a page be an index scan, however large the archive;
            # expires_at rides along so the rest of the rule needs no row.
            models.Index(
                fields=["-published_at", "-id"],
                condition=LIVE,
                include=["expires_at"],
                name="article_live_idx",
            ),
            models.Index(
                fields=["topic", "-published_at", "-id"],
                condition=LIVE,
                include=["expires_at"],
                name="article_live_topic_idx",
            ),
            # The home page's top stories, in the editors' order.
            models.Index(
                fields=["featured_order", "-published_at", "-id"],
                condition=LIVE & Q(featured=True),
                name="article_live_featured_idx",
            ),
            # The next pin to expire (page cache epoch).
            models.Index(
                fields=["pinned_until"],
                condition=LIVE & Q(featured=True, pinned_until__isnull=False),
                name="article_live_pin_idx",
            ),
            # The next expiry (page cache) and the last one (Last-Modified).
            models.Index(
                fields=["expires_at"],
                condition=LIVE & Q(expires_at__isnull=False),
                name="article_live_expiry_idx",
            ),
            # The last edit anywhere (Last-Modified of feeds and sitemaps).
            models.Index(fields=["updated_at"], name="article_updated_idx"),
            # The desk's queues by status.
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            # Importers find an already-imported reprint by its original URL.
            models.Index(fields=["source_url"], name="article_source_url_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = strip_invalid_xml_chars(self.title).strip()
        self.standfirst = strip_invalid_xml_chars(self.standfirst).strip()
        self.byline = strip_invalid_xml_chars(self.byline).strip()
        for name in ("seo_title", "meta_description", "social_title"):
            setattr(self, name, strip_invalid_xml_chars(getattr(self, name)).strip())
        self.body = sanitize_html(self.body)
        self.source_url = web_url(self.source_url.strip())
        if not self.slug:
            self.slug = unique_slug(Article, ascii_slug(self.title) or "article", self.pk)
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or "slug" in update_fields):
            self._remember_old_slug()
        if self.pk:
            self.version += 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        created = self._state.adding
        super().save(*args, **kwargs)
        loaded = self._loaded or {}
        if loaded.get("published_at", ...) not in (..., self.published_at):
            TaggedArticle.objects.filter(content_object=self).update(published_at=self.published_at)
        if self._text_changed(created, loaded, update_fields):
            from .changes import index_saved_article

            index_saved_article(self)
        self._remember_loaded()

    def get_absolute_url(self):
        return slug_url("articles:detail", self.slug)

    @property
    def credited_authors(self):
        """The authors in credit order (prefetch `author_links` with with_authors())."""
        return [link.author for link in self.author_links.all()]

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._remember_loaded()
        # The page being rendered (if any) shows this article: it depends on it.
        collect_article(article.pk)
        return article

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_loaded()

    def _remember_loaded(self):
        # What tag links were given (save() copies a new time onto them) and
        # the text the search index holds.
        self._loaded = {
            name: self.__dict__.get(name, ...) for name in ("published_at", *self.INDEXED_FIELDS)
        }

    def _text_changed(self, created, loaded, update_fields):
        if update_fields is not None and not set(update_fields) & set(self.INDEXED_FIELDS):
            return False
        if created:
            return True
        return any(loaded.get(name, ...) != getattr(self, name) for name in self.INDEXED_FIELDS)

    def _remember_old_slug(self):
        old_slug = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        if old_slug and old_slug != self.slug:
            SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
            # The article may be going back to a slug it had before.
            SlugRedirect.objects.filter(old_slug=self.slug).delete()

    @property
    def body_html(self):
        """The body for a page or a feed, sanitized again on the way out (see render_body)."""
        return render_body(self.body)

    @property
    def page_title(self):
        """The <title> of the article's page: the SEO title, or the title."""
        return self.seo_title or self.title

    @property
    def social_title_text(self):
        """The title of its social cards (OpenGraph, Twitter): the social title, or the title."""
        return self.social_title or self.title

    @property
    def page_description(self):
        """The meta and card description: the meta description, or the summary."""
        return self.meta_description or self.summary

    @property
    def summary(self):
        """The standfirst, or the start of the body when there is none."""
        if self.standfirst:
            return self.standfirst
        return Truncator(strip_tags(self.body)).chars(160)


class ArticleRecord(models.Model):
    """
    Rows of the editorial record (events, notes) outlive their article: when
    an article is deleted for good its rows stay, with the title and UUID
    they were written about.
    """

    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    article_uuid = models.UUIDField(_("article UUID"), null=True, blank=True, editable=False)
    article_title = models.CharField(_("article title"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.article is not None:
            self.article_uuid = self.article.uuid
            self.article_title = self.article.title
        super().save(*args, **kwargs)

    @classmethod
    def snapshot(cls, article):
        """The fields that name `article` once it is gone."""
        return {"article": article, "article_uuid": article.uuid, "article_title": article.title}


class ArticleEvent(ArticleRecord):
    """The audit trail: one row per workflow step (who, when, from, to, note)."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        EDIT = "edit", _("edited")
        SUBMIT = "submit", _("submitted for review")
        WITHDRAW = "withdraw", _("withdrawn by the author")
        SEND_BACK = "send_back", _("sent back")
        APPROVE = "approve", _("approved")
        PUBLISH = "publish", _("published")
        SCHEDULE = "schedule", _("scheduled")
        CANCEL_SCHEDULE = "cancel_schedule", _("schedule cancelled")
        UNPUBLISH = "unpublish", _("unpublished")
        CORRECT = "correct", _("corrected")
        WORKING_COPY = "working_copy", _("working copy created")
        PUBLISH_EDIT = "publish_edit", _("edit published")
        RESTORE_VERSION = "restore_version", _("version restored")
        TRASH = "trash", _("moved to trash")
        RESTORE = "restore", _("restored from trash")
        PURGE = "purge", _("deleted for good")

    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("article"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
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
        verbose_name = _("article event")
        verbose_name_plural = _("article events")

    def __str__(self):
        return f"{self.get_action_display()}: {self.article_title}"

    @staticmethod
    def _status_label(value):
        try:
            return Article.Status(value).label
        except ValueError:
            return value or "—"

    @property
    def from_status_label(self):
        """The status before, as people name it (草稿, 待审), not its code."""
        return self._status_label(self.from_status)

    @property
    def to_status_label(self):
        return self._status_label(self.to_status)


class EditorialNote(ArticleRecord):
    """A note between writer and editor, never shown to readers."""

    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("article"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("editorial note")
        verbose_name_plural = _("editorial notes")

    def __str__(self):
        return self.text[:50]


class Correction(models.Model):
    """A dated correction shown under a published article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(_("correction"), max_length=2000)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return self.text[:50]


def author_links_prefetch():
    """The credited authors of articles, in order, with the authors: one query."""
    return models.Prefetch(
        "author_links",
        queryset=ArticleAuthor.objects.select_related("author").order_by("position", "pk"),
    )


class ArticleAuthor(models.Model):
    """An author credited on an article, in order (the first is the main author)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="author_links")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="article_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="article_author_unique"),
        ]
        indexes = [models.Index(fields=["author", "article"], name="article_author_idx")]
        verbose_name = _("author credit")
        verbose_name_plural = _("author credits")

    def __str__(self):
        return f"{self.article_id}: {self.author}"


class SlugRedirect(models.Model):
    """An article's former slug; its old URL answers 301 to the current one."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("slug redirect")
        verbose_name_plural = _("slug redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class CacheGeneration(models.Model):
    """
    One row: a number raised whenever a change to public content could not
    be announced to the page cache (Redis was unreachable). Cache epochs
    carry the number they were made under; an epoch made before the raise is
    dropped once the cache is back (articles/cache.py).
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cache generation")
        verbose_name_plural = _("cache generation")

    def __str__(self):
        return str(self.number)


def unique_slug(model, base, pk=None):
    """`base`, or `base-2`, `base-3`, ... whichever no other row (or old URL) uses."""
    base = base[: model._meta.get_field("slug").max_length - 8].strip("-")
    taken = set(
        model.objects.filter(slug__startswith=base).exclude(pk=pk).values_list("slug", flat=True)
    )
    if model is Article:
        taken |= set(
            SlugRedirect.objects.filter(old_slug__startswith=base)
            .exclude(article_id=pk)
            .values_list("old_slug", flat=True)
        )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


class Autosave(models.Model):
    """
    The desk's autosave: one slot per user and article, overwritten every
    few seconds while they type. Not a revision (autosaves would flood the
    history); a real save empties the slot. `base_version` is the version
    the text was written over, so restoring it keeps the version check.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="autosaves", verbose_name=_("article")
    )
    data = models.JSONField(_("unsaved fields"), default=dict)
    base_version = models.PositiveIntegerField(_("based on version"))
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"], name="one_autosave_per_user_article"
            )
        ]
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")

    def __str__(self):
        return f"{self.user} · {self.article_id} · {self.saved_at:%Y-%m-%d %H:%M}"
