"""
The editorial workflow: every state change is one named function here.

    draft -> review -> (draft, with a note | approved) -> published (or scheduled)
    published -> unpublished; corrections on published articles; trash and restore.

Each function checks the actor's permission on the server (raising
PermissionDenied), runs in a transaction, saves a revision and writes an
ArticleEvent. The admin's buttons, tests and commands all call these; nothing
else changes `status`.

Edits to a published article (our policy): the published article keeps
serving its published text. Editing it creates a *working copy* (a draft
linked by `working_copy_of`) that goes through the same review; publishing the
copy writes its content onto the original in one transaction and removes the
copy. Readers never see a half-reviewed edit.
"""

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, ArticleEvent, Correction, EditorialNote, Tag

S = Article.Status
A = ArticleEvent.Action

# The fields a working copy or a restored version carries (content, not workflow).
CONTENT_FIELDS = ["title", "standfirst", "body", "topic", "byline", "source", "source_url"]


# Permissions -----------------------------------------------------------------


def is_author(user, article):
    return article.created_by_id is not None and article.created_by_id == user.pk


def can_edit(user, article):
    """May `user` change the content of `article` (through the admin form)?"""
    if article.deleted_at is not None or article.status == S.PUBLISHED:
        return False
    if user.has_perm("articles.review_article"):
        return True
    return (
        user.has_perm("articles.change_article")
        and article.status == S.DRAFT
        and is_author(user, article)
    )


def can_submit(user, article):
    return article.status == S.DRAFT and (
        user.has_perm("articles.review_article")
        or (user.has_perm("articles.submit_article") and is_author(user, article))
    )


def can_review(user, article):
    return user.has_perm("articles.review_article")


def can_publish(user, article=None):
    return user.has_perm("articles.publish_article")


def allowed_actions(user, article):
    """The workflow buttons `user` may press on `article`, in display order."""
    if article.pk is None:
        return []
    if article.deleted_at is not None:
        return ["restore"] if user.has_perm("articles.restore_article") else []
    actions = []
    status = article.status
    if can_submit(user, article):
        actions.append("submit")
    if can_review(user, article) and status in (S.REVIEW, S.APPROVED):
        actions.append("send_back")
    if can_review(user, article) and status == S.REVIEW:
        actions.append("approve")
    if can_publish(user) and status in (S.DRAFT, S.REVIEW, S.APPROVED, S.UNPUBLISHED):
        actions.append("publish")
    if can_publish(user) and status == S.PUBLISHED:
        actions.append("unpublish")
    if status == S.PUBLISHED and user.has_perm("articles.correct_article"):
        actions.append("correct")
    if status == S.PUBLISHED and article.working_copy_of_id is None and can_review(user, article):
        actions.append("working_copy")
    if user.has_perm("articles.delete_article"):
        actions.append("trash")
    return actions


def _require(condition, message):
    if not condition:
        raise PermissionDenied(message)


def _require_status(article, *statuses):
    if article.status not in statuses:
        raise ValidationError(
            _("This action is not possible while the article is “%(status)s”.")
            % {"status": article.get_status_display()}
        )


# Recording -------------------------------------------------------------------


def _lock(article):
    """Re-read the row under a lock so two transitions cannot interleave."""
    fresh = Article.objects.select_for_update().get(pk=article.pk)
    article.__dict__.update(
        {f.attname: getattr(fresh, f.attname) for f in Article._meta.concrete_fields}
    )
    return article


def record(article, action, *, by, from_status="", note=""):
    return ArticleEvent.objects.create(
        article=article,
        action=action,
        from_status=from_status,
        to_status=article.status,
        note=note,
        actor=by,
    )


def _save(article, *, by, comment):
    article.updated_by = by
    with reversion.create_revision():
        article.save()
        reversion.set_user(by)
        reversion.set_comment(comment)


def _transition(article, *, to, action, by, note="", comment=None):
    from_status = article.status
    article.status = to
    _save(article, by=by, comment=comment or ArticleEvent.Action(action).label)
    record(article, action, by=by, from_status=from_status, note=note)
    if note:
        EditorialNote.objects.create(article=article, author=by, text=note)
    return article


# Transitions -----------------------------------------------------------------


@transaction.atomic
def submit_for_review(article, *, by, note=""):
    _lock(article)
    _require(can_submit(by, article), _("You may not submit this article."))
    return _transition(article, to=S.REVIEW, action=A.SUBMIT, by=by, note=note)


@transaction.atomic
def send_back(article, *, by, note):
    _lock(article)
    _require(can_review(by, article), _("You may not send articles back."))
    _require_status(article, S.REVIEW, S.APPROVED)
    if not note or not note.strip():
        raise ValidationError(_("Say what needs to change: a note is required."))
    return _transition(article, to=S.DRAFT, action=A.SEND_BACK, by=by, note=note.strip())


@transaction.atomic
def approve(article, *, by, note=""):
    _lock(article)
    _require(can_review(by, article), _("You may not approve articles."))
    _require_status(article, S.REVIEW)
    return _transition(article, to=S.APPROVED, action=A.APPROVE, by=by, note=note)


@transaction.atomic
def publish(article, *, by, at=None, expires_at=None, note=""):
    """
    Publish now, or at `at` (scheduled: readers see it from then on, decided
    at query time). Publishing a working copy writes it onto the original.
    """
    _lock(article)
    _require(can_publish(by, article), _("You may not publish articles."))
    _require_status(article, S.DRAFT, S.REVIEW, S.APPROVED, S.UNPUBLISHED)
    if article.working_copy_of_id is not None:
        if at is not None:
            raise ValidationError(_("An edit to a published article is published at once."))
        return _publish_working_copy(article, by=by, note=note)
    now = timezone.now()
    at = at or now
    if expires_at is not None and expires_at <= at:
        raise ValidationError(_("The expiry time must be after the publication time."))
    article.published_at = at
    article.expires_at = expires_at
    action = A.SCHEDULE if at > now else A.PUBLISH
    return _transition(article, to=S.PUBLISHED, action=action, by=by, note=note)


@transaction.atomic
def unpublish(article, *, by, note=""):
    _lock(article)
    _require(can_publish(by, article), _("You may not unpublish articles."))
    _require_status(article, S.PUBLISHED)
    return _transition(article, to=S.UNPUBLISHED, action=A.UNPUBLISH, by=by, note=note)


@transaction.atomic
def add_correction(article, *, by, text):
    """A dated correction under the article; it also moves the article's modified time."""
    _lock(article)
    _require(by.has_perm("articles.correct_article"), _("You may not correct articles."))
    _require_status(article, S.PUBLISHED)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The correction needs a text."))
    correction = Correction.objects.create(article=article, text=text, created_by=by)
    _save(article, by=by, comment=_("Correction"))
    record(article, A.CORRECT, by=by, from_status=article.status, note=text)
    return correction


@transaction.atomic
def create_working_copy(article, *, by):
    """A draft copy of a published article to edit and review; one at a time."""
    _lock(article)
    _require(can_review(by, article), _("You may not edit published articles."))
    _require_status(article, S.PUBLISHED)
    existing = article.working_copies.not_trashed().first()
    if existing:
        return existing
    copy = Article(
        **{field: getattr(article, field) for field in CONTENT_FIELDS},
        status=S.DRAFT,
        working_copy_of=article,
        created_by=by,
        updated_by=by,
    )
    with reversion.create_revision():
        copy.save()
        copy.tags.set(list(article.tags.all()))
        reversion.set_user(by)
        reversion.set_comment(_("Working copy of a published article"))
    record(copy, A.WORKING_COPY, by=by)
    record(article, A.WORKING_COPY, by=by, from_status=article.status)
    return copy


def _publish_working_copy(copy, *, by, note=""):
    original = _lock(copy.working_copy_of)
    if original.deleted_at is not None:
        raise ValidationError(_("The published article this copy edits is in the trash."))
    for field in CONTENT_FIELDS:
        setattr(original, field, getattr(copy, field))
    original.updated_by = by
    with reversion.create_revision():
        original.save()
        original.tags.set(list(copy.tags.all()))
        reversion.set_user(by)
        reversion.set_comment(_("Edit published"))
    record(original, A.PUBLISH_EDIT, by=by, from_status=original.status, note=note)
    copy.delete()
    return original


@transaction.atomic
def trash(article, *, by):
    _lock(article)
    _require(by.has_perm("articles.delete_article"), _("You may not delete articles."))
    if article.deleted_at is not None:
        return article
    article.deleted_at = timezone.now()
    article.deleted_by = by
    _save(article, by=by, comment=_("Moved to trash"))
    record(article, A.TRASH, by=by, from_status=article.status)
    for copy in article.working_copies.not_trashed():
        trash(copy, by=by)
    return article


@transaction.atomic
def restore(article, *, by):
    _lock(article)
    _require(by.has_perm("articles.restore_article"), _("You may not restore articles."))
    if article.deleted_at is None:
        return article
    article.deleted_at = None
    article.deleted_by = None
    _save(article, by=by, comment=_("Restored from trash"))
    record(article, A.RESTORE, by=by, from_status=article.status)
    return article


@transaction.atomic
def empty_trash(*, by):
    """Delete every trashed article for good; only the chief editor may."""
    _require(by.has_perm("articles.empty_trash"), _("Only the chief editor may empty the trash."))
    count, _ignored = Article.objects.trashed().delete()
    return count


@transaction.atomic
def restore_version(article, version, *, by):
    """
    Bring back the content of an earlier version as a new revision. On a
    published article this goes through a working copy, like any edit.
    """
    _lock(article)
    if article.status == S.PUBLISHED:
        target = create_working_copy(article, by=by)
    else:
        _require(can_edit(by, article), _("You may not edit this article."))
        target = article
    data = version.field_dict
    for field in CONTENT_FIELDS:
        attname = Article._meta.get_field(field).attname
        if attname in data:
            setattr(target, attname, data[attname])
    tag_ids = version_tag_ids(version)
    target.updated_by = by
    comment = _("Restored the version of %(date)s") % {
        "date": timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    }
    with reversion.create_revision():
        target.save()
        target.tags.set(list(Tag.objects.filter(pk__in=tag_ids)))
        reversion.set_user(by)
        reversion.set_comment(comment)
    record(target, A.RESTORE_VERSION, by=by, from_status=target.status, note=comment)
    return target


def version_tag_ids(version):
    """The tag ids an article had in a revision (its TaggedArticle rows were saved with it)."""
    from .models import TaggedArticle

    return sorted(
        v.field_dict["tag_id"]
        for v in version.revision.version_set.all()
        if v.content_type.model_class() is TaggedArticle
        and str(v.field_dict.get("content_object_id")) == str(version.object_id)
    )


def add_note(article, *, by, text):
    _require(
        by.has_perm("articles.review_article") or is_author(by, article),
        _("You may not add notes to this article."),
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The note is empty."))
    return EditorialNote.objects.create(article=article, author=by, text=text)
