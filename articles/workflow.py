"""
The editorial workflow: every state change, and every write of an
article's content, is one named function here.

    draft -> review -> (draft, with a note | approved) -> published (or scheduled)
    published -> unpublished; corrections on published articles; trash and restore.

One table, TRANSITIONS, says which action is possible in which state and
which permission it needs. The desk's buttons (`allowed_actions`) and the
functions (`check`) both read it, so a button never offers what a function
refuses, and a hand-made POST gets exactly what the button would.

Each function locks the article's row, checks the table (ValidationError when
the state does not allow the action, PermissionDenied when the user may not),
runs in a transaction, keeps a revision and writes an ArticleEvent. The admin,
the importer, commands and tests all call these; nothing else changes
`status`.

Locks are always taken original first, then working copy, so two transitions
on one story can never deadlock.

Edits to a published article (our policy): the published article keeps
serving its published text. Editing it creates a *working copy* (a draft
linked by `working_copy_of`) that goes through the same review; publishing the
copy writes its content onto the original in one transaction and removes the
copy, whose review history (events and notes) moves to the original.
"""

from collections import Counter
from dataclasses import dataclass

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from images.checks import require_alt_text

from .changes import announce_events, articles_written
from .models import Article, ArticleEvent, Correction, EditorialNote, Tag, TaggedArticle
from .related import refresh_related_after_commit

S = Article.Status
A = ArticleEvent.Action

# The fields a working copy or a restored version carries (content, not workflow).
CONTENT_FIELDS = ["title", "standfirst", "body", "topic", "byline", "source", "source_url"]
CONTENT_FIELDS += ["lead_image", "lead_image_caption"]  # images app
CONTENT_FIELDS += ["seo_title", "meta_description", "social_title"]  # search and social cards
# Homepage curation (置顶): a publishing decision, changed only by those who
# may publish (curate(), or the desk's form for them); never content, so a
# working copy neither copies nor carries it.
CURATION_FIELDS = ["featured", "featured_order", "pinned_until"]
# Fields only the workflow changes: a content save keeps what the database holds.
WORKFLOW_FIELDS = [
    "status",
    "published_at",
    "first_published_at",
    "expires_at",
    "deleted_at",
    "deleted_by",
    "working_copy_of",
    "created_by",
    "created_at",
    "version",
    "uuid",
    # Derived, kept by the workflow itself (articles/related.py, add_correction).
    "related_ids",
    "correction_count",
]


class System:
    """
    The operator at the command line (an import run from manage.py without
    --user, the demo loader): holds every permission, is no user row. Its
    events and revisions have no actor. The state table binds it like anyone.
    """

    pk = None
    is_authenticated = True

    def has_perm(self, perm, obj=None):
        return True

    def get_username(self):
        return "system"

    def __str__(self):
        return "system"


SYSTEM = System()


def user_row(by):
    """The user to store as actor, author or editor (None for SYSTEM)."""
    return None if by is SYSTEM else by


# The table ----------------------------------------------------------------------

# States as the desk sees them: the status, with "published" split by time
# and the trash on top of everything.
DRAFT, REVIEW, APPROVED = "draft", "review", "approved"
SCHEDULED, PUBLISHED, UNPUBLISHED, TRASHED = "scheduled", "published", "unpublished", "trashed"
STATE_LABELS = {
    DRAFT: gettext_lazy("Draft"),
    REVIEW: gettext_lazy("In review"),
    APPROVED: gettext_lazy("Approved"),
    SCHEDULED: gettext_lazy("Scheduled"),
    PUBLISHED: gettext_lazy("Published"),
    UNPUBLISHED: gettext_lazy("Unpublished"),
    TRASHED: gettext_lazy("In trash"),
}


@dataclass(frozen=True)
class Rule:
    """
    Who may: anyone with `permission`, or the article's author with `own`
    (permission None: only the author).
    """

    permission: str | None
    own: str | None = None

    def allows(self, user, article):
        if self.permission and user.has_perm(f"articles.{self.permission}"):
            return True
        return bool(self.own) and user.has_perm(f"articles.{self.own}") and is_author(user, article)


REVIEWER = Rule("review_article")
PUBLISHER = Rule("publish_article")
TRASHER = Rule("delete_article")
NOTES = Rule("review_article", own="add_editorialnote")

# state -> action -> Rule. An action missing from a state's row is impossible there.
TRANSITIONS = {
    DRAFT: {
        "edit": Rule("review_article", own="change_article"),
        "submit": Rule("review_article", own="submit_article"),
        "publish": PUBLISHER,
        "trash": TRASHER,
        "note": NOTES,
    },
    REVIEW: {
        "edit": REVIEWER,
        # The author takes a submission back, until an editor has started on it.
        "withdraw": Rule(None, own="submit_article"),
        "send_back": REVIEWER,
        "approve": REVIEWER,
        "publish": PUBLISHER,
        "trash": TRASHER,
        "note": NOTES,
    },
    APPROVED: {
        "edit": REVIEWER,  # and back to review: the text published is the text approved
        "send_back": REVIEWER,
        "publish": PUBLISHER,
        "trash": TRASHER,
        "note": NOTES,
    },
    SCHEDULED: {
        # Not live yet: edited directly (a typo needs no working copy), by
        # those who could publish it anyway. The edit keeps the schedule.
        "edit": PUBLISHER,
        "publish": PUBLISHER,  # now, or at a time
        "reschedule": PUBLISHER,
        "cancel_schedule": PUBLISHER,  # back to approved, no time
        "unpublish": PUBLISHER,  # a takedown (imports, licences): stays unpublished
        "trash": TRASHER,
        "note": NOTES,
    },
    PUBLISHED: {
        "unpublish": PUBLISHER,
        "correct": Rule("correct_article"),
        "working_copy": REVIEWER,
        "trash": TRASHER,
        "note": NOTES,
    },
    UNPUBLISHED: {
        "edit": REVIEWER,
        "publish": PUBLISHER,
        "trash": TRASHER,
        "note": NOTES,
    },
    TRASHED: {
        "restore": Rule("restore_article"),
        "note": NOTES,
    },
}

# The desk's buttons, in display order ("edit" is the form, "note" its own box).
BUTTONS = [
    "submit",
    "withdraw",
    "send_back",
    "approve",
    "publish",
    "reschedule",
    "cancel_schedule",
    "unpublish",
    "correct",
    "working_copy",
    "trash",
    "restore",
]

REFUSALS = {
    "edit": gettext_lazy("You may not edit this article."),
    "submit": gettext_lazy("You may not submit this article."),
    "withdraw": gettext_lazy("Only the author may withdraw a submission."),
    "send_back": gettext_lazy("You may not send articles back."),
    "approve": gettext_lazy("You may not approve articles."),
    "publish": gettext_lazy("You may not publish articles."),
    "reschedule": gettext_lazy("You may not schedule articles."),
    "cancel_schedule": gettext_lazy("You may not schedule articles."),
    "unpublish": gettext_lazy("You may not unpublish articles."),
    "correct": gettext_lazy("You may not correct articles."),
    "working_copy": gettext_lazy("You may not edit published articles."),
    "trash": gettext_lazy("You may not delete articles."),
    "restore": gettext_lazy("You may not restore articles."),
    "note": gettext_lazy("You may not add notes to this article."),
}


def state_of(article, now=None):
    if article.deleted_at is not None:
        return TRASHED
    if article.status == S.PUBLISHED:
        now = now or timezone.now()
        if article.published_at is not None and article.published_at > now:
            return SCHEDULED
        return PUBLISHED
    return article.status


def check(user, article, action, *, now=None):
    """
    Raise unless `user` may do `action` to `article` as it is:
    ValidationError when the article's state does not allow the action,
    PermissionDenied when the state does but the user may not.
    """
    state = state_of(article, now)
    rule = TRANSITIONS[state].get(action)
    if rule is None:
        raise ValidationError(
            _("This action is not possible while the article is “%(state)s”.")
            % {"state": STATE_LABELS[state]},
            code="state",
        )
    if article.working_copy_of_id is not None:
        if action == "working_copy":
            raise ValidationError(_("This is already a working copy."), code="state")
        if action == "publish":
            original = article.working_copy_of
            if original.deleted_at is not None:
                raise ValidationError(
                    _("The published article this copy edits is in the trash."), code="state"
                )
            if state_of(original, now) not in (PUBLISHED, SCHEDULED):
                raise ValidationError(
                    _(
                        "The article this copy edits is no longer published: edit that "
                        "article directly."
                    ),
                    code="state",
                )
    if action == "withdraw" and picked_up(article):
        raise ValidationError(
            _("An editor has already started on this article: ask them to send it back instead."),
            code="state",
        )
    if not rule.allows(user, article):
        raise PermissionDenied(REFUSALS[action])


def picked_up(article):
    """
    Has anyone but the author worked on `article` since it was last submitted
    (an edit, a note)? Then the submission is the editor's to send back.
    """
    since = (
        article.events.filter(action=A.SUBMIT)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    after = {"created_at__gte": since} if since else {}
    author = article.created_by_id
    edits = article.events.filter(action=A.EDIT, **after).exclude(actor_id=author)
    notes = article.notes.filter(**after).exclude(author_id=author)
    if author is None:
        edits, notes = article.events.filter(action=A.EDIT, **after), article.notes.filter(**after)
    return edits.exists() or notes.exists()


def allowed(user, article, action, *, now=None):
    try:
        check(user, article, action, now=now)
    except (ValidationError, PermissionDenied):
        return False
    return True


def allowed_actions(user, article):
    """The workflow buttons `user` may press on `article`, in display order."""
    if article.pk is None:
        return []
    now = timezone.now()
    return [action for action in BUTTONS if allowed(user, article, action, now=now)]


# Permission helpers used outside the table -------------------------------------------


def is_author(user, article):
    return article.created_by_id is not None and article.created_by_id == user.pk


def can_edit(user, article):
    """May `user` change the content of `article` (through the desk's form or an import)?"""
    return article.pk is not None and allowed(user, article, "edit")


def can_review(user, article=None):
    return user.has_perm("articles.review_article")


def can_publish(user, article=None):
    return user.has_perm("articles.publish_article")


def can_preview(user, article):
    """Editors preview every article; writers their own."""
    return can_review(user) or is_author(user, article)


# Recording -----------------------------------------------------------------------


def _locked_row(pk, *, original_id=None):
    """
    The row `pk` as stored, under a lock; a working copy's original is locked
    first. Gone (deleted, or a copy already published by someone else):
    a clear ValidationError, not a crash.
    """
    if original_id is not None:
        list(Article.objects.select_for_update().filter(pk=original_id).values_list("pk"))
    fresh = Article.objects.select_for_update().filter(pk=pk).first()
    if fresh is None:
        raise ValidationError(
            _(
                "This article no longer exists: someone published or deleted it a moment "
                "ago. Reload the list."
            ),
            code="gone",
        )
    return fresh


def _lock(article):
    """Re-read `article` under a row lock (original first) so two transitions cannot interleave."""
    fresh = _locked_row(article.pk, original_id=article.working_copy_of_id)
    article.__dict__.update(
        {f.attname: getattr(fresh, f.attname) for f in Article._meta.concrete_fields}
    )
    article._remember_loaded()
    return article


def record(article, action, *, by, from_status="", note=""):
    event = ArticleEvent.objects.create(
        **ArticleEvent.snapshot(article),
        action=action,
        from_status=from_status,
        to_status=article.status,
        note=note,
        actor=user_row(by),
    )
    # After commit, listeners (wire/: pushes, near-duplicates) hear of it.
    announce_events([event])
    return event


def _save(article, *, by, comment, tags=None):
    article.updated_by = user_row(by)
    with reversion.create_revision():
        article.save()
        if tags is not None:
            article.tags.set(tags)
        reversion.set_user(user_row(by))
        reversion.set_comment(comment)
    # Its related list follows its tags and its state (after commit, never failing the save).
    refresh_related_after_commit([article.pk])


def _transition(article, *, to, action, by, note="", comment=None):
    from_status = article.status
    article.status = to
    _save(article, by=by, comment=comment or ArticleEvent.Action(action).label)
    record(article, action, by=by, from_status=from_status, note=note)
    if note:
        EditorialNote.objects.create(
            **EditorialNote.snapshot(article), author=user_row(by), text=note
        )
    return article


# Content -------------------------------------------------------------------------


class StaleEdit(ValidationError):
    """The article changed after the editor opened it: their save is refused."""


def check_version(article_or_pk, base_version):
    """
    Refuse (StaleEdit) when the stored article is newer than `base_version`,
    the version the editor started from. Takes the row lock, so inside the
    caller's transaction nobody can change the article between this check
    and the save that follows; works in any caller (its own atomic block).
    """
    pk = getattr(article_or_pk, "pk", article_or_pk)
    with transaction.atomic():
        current = _locked_row(pk)
        if base_version is None or current.version != base_version:
            updated = timezone.localtime(current.updated_at)
            raise StaleEdit(
                _(
                    "%(user)s changed this article at %(time)s, after you opened it. Your "
                    "text is kept below but was not saved: open the article again in a new "
                    "tab, merge your changes into it and save there."
                )
                % {
                    "user": current.updated_by.get_username()
                    if current.updated_by
                    else _("someone"),
                    "time": updated.strftime("%Y-%m-%d %H:%M:%S %Z"),
                },
                code="stale",
            )
        return current


def check_edit(user, article_or_pk, base_version):
    """
    What the desk's form asks before saving: may `user` edit the article as
    it is stored, and is it still at `base_version`? Raises ValidationError
    (state, permission or StaleEdit) for the form to show. Takes the row lock
    (see check_version), so the save that follows in the same transaction
    finds the article as checked.
    """
    pk = getattr(article_or_pk, "pk", article_or_pk)
    with transaction.atomic():
        current = _locked_row(pk)
        try:
            check(user, current, "edit")
        except PermissionDenied as refusal:
            raise ValidationError(str(refusal), code="permission") from refusal
        return check_version(current, base_version)


@transaction.atomic
def save_article(article, *, by, base_version=None, tags=None, comment=None, note=""):
    """
    Create `article` (as a draft by `by`) or save the content it now holds,
    keeping a revision and writing an event. An edit is refused when the
    state does not allow `by` to edit (see TRANSITIONS) or when `base_version`
    is given and the article changed since. Workflow fields (status, times,
    trash, authorship) keep what the database holds: only the workflow
    functions change them. Editing an approved article sends it back to
    review. `tags`: names or Tag objects, or None to leave them.
    Returns the list of notices for the editor.
    """
    notices = []
    if article.pk is None:
        if not by.has_perm("articles.add_article"):
            raise PermissionDenied(_("You may not write articles."))
        article.status = S.DRAFT
        article.created_by = user_row(by)
        article.published_at = article.expires_at = article.first_published_at = None
        if not can_publish(by):
            article.featured, article.featured_order, article.pinned_until = False, 0, None
        _save(article, by=by, comment=comment or _("Created"), tags=tags)
        record(article, A.CREATE, by=by, note=note)
        return notices
    current = _locked_row(article.pk, original_id=article.working_copy_of_id)
    check(by, current, "edit")
    if base_version is not None and current.version != base_version:
        check_version(current, base_version)  # raises StaleEdit with who and when
    for name in WORKFLOW_FIELDS:
        setattr(article, _attname(name), getattr(current, _attname(name)))
    if not can_publish(by):
        for name in CURATION_FIELDS:
            setattr(article, name, getattr(current, name))
    from_status = current.status
    content_changed = any(
        getattr(article, _attname(name)) != getattr(current, _attname(name))
        for name in CONTENT_FIELDS
    ) or (tags is not None and _tag_names(tags) != _tag_names(current.tags.all()))
    if current.status == S.APPROVED and content_changed:
        article.status = S.REVIEW
        note = note or _("Edited after approval: back to review.")
        notices.append(_("The article was approved before this edit, so it went back to review."))
    _save(article, by=by, comment=comment or _("Edited"), tags=tags)
    record(article, A.EDIT, by=by, from_status=from_status, note=note)
    return notices


@transaction.atomic
def bulk_edit(article, *, by, topic=None, add_tag=None, comment=None):
    """
    A bulk action's edit (move to `topic`, add the tag named `add_tag`): the
    article as stored, under its lock, changed and saved by save_article, so
    the edit rule of the article's state applies as in its form (a published
    article is refused: it changes through a working copy; an approved one
    goes back to review). Returns False when there was nothing to change.
    """
    current = _locked_row(article.pk, original_id=article.working_copy_of_id)
    if state_of(current) == PUBLISHED and not current.working_copy_of_id:
        check(by, current, "working_copy")  # not allowed to you at all: that reason
        raise ValidationError(
            _(
                "A published article changes through a working copy: open it, press "
                "“Edit (working copy)” and make the change there."
            ),
            code="state",
        )
    check(by, current, "edit")
    tags = None
    changed = False
    if topic is not None and current.topic_id != topic.pk:
        current.topic = topic
        changed = True
    if add_tag is not None:
        names = [tag.name for tag in current.tags.all()]
        if add_tag.lower() not in (name.lower() for name in names):
            tags = [*names, add_tag]
            changed = True
    if not changed:
        return False
    save_article(current, by=by, base_version=current.version, tags=tags, comment=comment)
    article.__dict__.update(
        {f.attname: getattr(current, f.attname) for f in Article._meta.concrete_fields}
    )
    return True


def _attname(name):
    return Article._meta.get_field(name).attname


def _tag_names(tags):
    return sorted((tag if isinstance(tag, str) else tag.name).lower() for tag in tags)


# Transitions ---------------------------------------------------------------------


@transaction.atomic
def submit_for_review(article, *, by, note=""):
    _lock(article)
    check(by, article, "submit")
    return _transition(article, to=S.REVIEW, action=A.SUBMIT, by=by, note=note)


@transaction.atomic
def withdraw(article, *, by, note=""):
    """The author takes back a submission no editor has started on: a draft again."""
    _lock(article)
    check(by, article, "withdraw")
    return _transition(article, to=S.DRAFT, action=A.WITHDRAW, by=by, note=note)


@transaction.atomic
def send_back(article, *, by, note):
    _lock(article)
    check(by, article, "send_back")
    if not note or not note.strip():
        raise ValidationError(_("Say what needs to change: a note is required."))
    return _transition(article, to=S.DRAFT, action=A.SEND_BACK, by=by, note=note.strip())


@transaction.atomic
def approve(article, *, by, note=""):
    _lock(article)
    check(by, article, "approve")
    return _transition(article, to=S.APPROVED, action=A.APPROVE, by=by, note=note)


@transaction.atomic
def publish(article, *, by, at=None, expires_at=None, note=""):
    """
    Publish now, or at `at` (scheduled: readers see it from then on, decided
    at query time). An article that was published before keeps its
    publication time unless `at` says otherwise, so republishing never moves
    an old story to the top of the site. Publishing a working copy writes it
    onto the original.
    """
    _lock(article)
    check(by, article, "publish")
    require_alt_text(article)  # images app: every image shown needs alt text
    if article.working_copy_of_id is not None:
        if at is not None:
            raise ValidationError(_("An edit to a published article is published at once."))
        return _publish_working_copy(article, by=by, note=note)
    now = timezone.now()
    if at is None:
        was_live = article.first_published_at is not None and (
            article.published_at is not None and article.published_at <= now
        )
        at = article.published_at if was_live else now
    if expires_at is not None and expires_at <= at:
        raise ValidationError(_("The expiry time must be after the publication time."))
    article.published_at = at
    article.expires_at = expires_at
    if article.first_published_at is None or article.first_published_at > now:
        # Never live yet (a schedule being moved or published now): this is the first time.
        article.first_published_at = at
    action = A.SCHEDULE if at > now else A.PUBLISH
    return _transition(article, to=S.PUBLISHED, action=action, by=by, note=note)


@transaction.atomic
def reschedule(article, *, by, at, note=""):
    """A scheduled article gets a new (future) publication time."""
    _lock(article)
    check(by, article, "reschedule")
    now = timezone.now()
    if at is None or at <= now:
        raise ValidationError(
            _("Choose a time in the future, or publish now."), code="invalid_time"
        )
    if article.expires_at is not None and article.expires_at <= at:
        raise ValidationError(_("The expiry time must be after the publication time."))
    before = article.published_at
    never_live = article.first_published_at is None or article.first_published_at > now
    article.published_at = at
    if never_live:
        article.first_published_at = at
    note = note or _("Rescheduled from %(before)s to %(after)s") % {
        "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
        "after": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
    }
    return _transition(article, to=S.PUBLISHED, action=A.SCHEDULE, by=by, note=note)


@transaction.atomic
def cancel_schedule(article, *, by, note=""):
    """
    A scheduled article goes back to approved, without a time: it never went
    live (an article that was live before keeps its first publication time).
    """
    _lock(article)
    check(by, article, "cancel_schedule")
    now = timezone.now()
    if article.first_published_at is not None and article.first_published_at > now:
        article.first_published_at = None
    article.published_at = article.first_published_at
    article.expires_at = None
    return _transition(article, to=S.APPROVED, action=A.CANCEL_SCHEDULE, by=by, note=note)


@transaction.atomic
def unpublish(article, *, by, note=""):
    _lock(article)
    check(by, article, "unpublish")
    return _transition(article, to=S.UNPUBLISHED, action=A.UNPUBLISH, by=by, note=note)


@transaction.atomic
def add_correction(article, *, by, text):
    """A dated correction under the article; it also moves the article's modified time."""
    _lock(article)
    check(by, article, "correct")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The correction needs a text."))
    correction = Correction.objects.create(article=article, text=text, created_by=user_row(by))
    # The row is locked (_lock), so the count cannot miss a concurrent correction.
    article.correction_count = article.corrections.count()
    _save(article, by=by, comment=_("Correction"))
    record(article, A.CORRECT, by=by, from_status=article.status, note=text)
    return correction


@transaction.atomic
def create_working_copy(article, *, by):
    """A draft copy of a published article to edit and review; one at a time."""
    _lock(article)
    check(by, article, "working_copy")
    existing = article.working_copies.not_trashed().first()
    if existing:
        return existing
    copy = Article(
        **{field: getattr(article, field) for field in CONTENT_FIELDS},
        status=S.DRAFT,
        working_copy_of=article,
        created_by=user_row(by),
        updated_by=user_row(by),
    )
    _save(copy, by=by, comment=_("Working copy of a published article"), tags=article.tags.all())
    record(copy, A.WORKING_COPY, by=by)
    record(article, A.WORKING_COPY, by=by, from_status=article.status)
    return copy


def _publish_working_copy(copy, *, by, note=""):
    # _lock(copy) has locked the original first, then the copy.
    original = copy.working_copy_of
    _lock(original)
    for field in CONTENT_FIELDS:
        setattr(original, field, getattr(copy, field))
    _save(original, by=by, comment=_("Edit published"), tags=list(copy.tags.all()))
    # The copy's review (its events and notes) is the original's history now.
    moved = {"article": original, "article_uuid": original.uuid}
    ArticleEvent.objects.filter(article=copy).update(**moved)
    EditorialNote.objects.filter(article=copy).update(**moved)
    record(original, A.PUBLISH_EDIT, by=by, from_status=original.status, note=note)
    copy.delete()
    return original


@transaction.atomic
def curate(article, *, by, featured, featured_order=0, pinned_until=None):
    """
    Homepage curation (置顶), in any state but the trash: feature the article
    among the top stories, in `featured_order` (low first), until
    `pinned_until` (None: until unfeatured). Only users who may publish.

    Not an edit: the text, its modified time (readers see "updated") and the
    workflow are untouched; the version moves (a form opened before is
    refused, as after any save) and a revision keeps who did it. The page
    cache hears of it (articles_written), and a pin's expiry is a scheduled
    change of its own (selectors.next_scheduled_change).
    """
    _lock(article)
    if not can_publish(by):
        raise PermissionDenied(_("You may not feature articles on the home page."))
    if article.deleted_at is not None:
        raise ValidationError(_("An article in the trash cannot be featured."), code="state")
    if article.working_copy_of_id is not None:
        # The copy's text is published onto the original, which keeps its curation.
        raise ValidationError(
            _("This is an edit of a published article: feature the published article."),
            code="state",
        )
    wanted = {
        "featured": bool(featured),
        "featured_order": featured_order or 0,
        "pinned_until": pinned_until,
    }
    if all(getattr(article, name) == value for name, value in wanted.items()):
        return article
    for name, value in wanted.items():
        setattr(article, name, value)
    article.version += 1
    article.updated_by = user_row(by)
    Article.objects.filter(pk=article.pk).update(
        **wanted, version=article.version, updated_by=article.updated_by
    )
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_user(user_row(by))
        reversion.set_comment(_("Homepage curation changed"))
    articles_written([article.pk])
    return article


@transaction.atomic
def trash(article, *, by):
    _lock(article)
    check(by, article, "trash")
    from_status = article.status
    article.deleted_at = timezone.now()
    article.deleted_by = user_row(by)
    _save(article, by=by, comment=_("Moved to trash"))
    record(article, A.TRASH, by=by, from_status=from_status)
    # Original before copy: the lock order every function keeps.
    for copy in article.working_copies.not_trashed():
        trash(copy, by=by)
    return article


@transaction.atomic
def restore(article, *, by):
    _lock(article)
    check(by, article, "restore")
    article.deleted_at = None
    article.deleted_by = None
    _save(article, by=by, comment=_("Restored from trash"))
    record(article, A.RESTORE, by=by, from_status=article.status)
    return article


@transaction.atomic
def empty_trash(*, by, articles=None):
    """
    Delete trashed articles for good: all of them, or those of `articles` (a
    queryset) that are in the trash. Only the chief editor may. Each gets a
    last event ("deleted for good"); events and notes outlive the article
    with its title and UUID. Returns the number of articles deleted.
    """
    if not by.has_perm("articles.empty_trash"):
        raise PermissionDenied(_("Only the chief editor may empty the trash."))
    queryset = Article.objects.trashed() if articles is None else articles.trashed()
    doomed = list(queryset.select_for_update(of=("self",)).order_by("pk"))
    if not doomed:
        return 0
    ArticleEvent.objects.bulk_create(
        [
            ArticleEvent(
                **ArticleEvent.snapshot(article),
                action=A.PURGE,
                from_status=article.status,
                to_status="",
                actor=user_row(by),
            )
            for article in doomed
        ]
    )
    ids = [article.pk for article in doomed]
    # Their working copies go with them (they are in the trash too).
    ids += list(Article.objects.filter(working_copy_of__in=ids).values_list("pk", flat=True))
    Article.objects.filter(pk__in=ids).delete()
    from .search.index import forget

    forget(ids)
    return len(doomed)


@transaction.atomic
def restore_version(article, version, *, by):
    """
    Bring back the content of an earlier version as a new revision. On a
    published article this goes through a working copy, like any edit.
    """
    _lock(article)
    if allowed(by, article, "edit"):
        target = article
    else:
        if state_of(article) not in (PUBLISHED, SCHEDULED):
            check(by, article, "edit")  # raises the reason
        target = create_working_copy(article, by=by)
    data = version.field_dict
    for field in CONTENT_FIELDS:
        attname = Article._meta.get_field(field).attname
        if attname in data:
            setattr(target, attname, data[attname])
    tag_ids = version_tag_ids(version)
    comment = _("Restored the version of %(date)s") % {
        "date": timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    }
    from_status = target.status
    _save(target, by=by, comment=comment, tags=list(Tag.objects.filter(pk__in=tag_ids)))
    record(target, A.RESTORE_VERSION, by=by, from_status=from_status, note=comment)
    return target


def record_revisions(articles, *, by, comment):
    """
    One revision per article, for a bulk write (the importer) that saved
    `articles` around Article.save(): the same versions a save inside
    reversion.create_revision() keeps (the article and its tag links), made
    with a few queries per batch instead of several per article.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from reversion.models import Revision, Version
    from reversion.revisions import _get_options

    articles = list(articles)
    if not articles:
        return
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, user=user_row(by), comment=comment) for _ in articles]
    )
    links = {}
    for link in TaggedArticle.objects.filter(content_object__in=articles).order_by("pk"):
        links.setdefault(link.content_object_id, []).append(link)
    versions = []
    for article, revision in zip(articles, revisions, strict=True):
        for obj in [article, *links.get(article.pk, [])]:
            options = _get_options(type(obj))
            versions.append(
                Version(
                    revision=revision,
                    content_type=ContentType.objects.get_for_model(type(obj)),
                    object_id=str(obj.pk),
                    db="default",
                    format=options.format,
                    serialized_data=serializers.serialize(
                        options.format, (obj,), fields=options.fields
                    ),
                    object_repr=str(obj),
                )
            )
    Version.objects.bulk_create(versions, batch_size=500)


def version_tag_ids(version):
    """The tag ids an article had in a revision (its TaggedArticle rows were saved with it)."""
    return sorted(
        v.field_dict["tag_id"]
        for v in version.revision.version_set.all()
        if v.content_type.model_class() is TaggedArticle
        and str(v.field_dict.get("content_object_id")) == str(version.object_id)
    )


def add_note(article, *, by, text):
    check(by, article, "note")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The note is empty."))
    return EditorialNote.objects.create(
        **EditorialNote.snapshot(article), author=user_row(by), text=text
    )


@transaction.atomic
def restore_spun_originals(article, *, by, phrases):
    """
    Put back the likely originals of suspected spun phrases (伪原创 swaps such
    as 野生智能 for 人工智能) that an editor confirmed: `phrases` is a list of
    (spun, original) pairs from spun.detector. Only their occurrences in
    context are replaced (a real 构造 stays). On a published article this
    goes through a working copy, like any edit. The text before is kept as a
    revision, so the change can be compared and undone. Returns the article
    changed and a Counter of replacements per pair.
    """
    from reversion.models import Version

    from spun.detector import restore as restore_text

    _lock(article)
    if allowed(by, article, "edit"):
        target = article
    else:
        if state_of(article) not in (PUBLISHED, SCHEDULED):
            check(by, article, "edit")  # raises the reason
        target = create_working_copy(article, by=by)
    pairs = [(str(spun), str(original)) for spun, original in phrases]
    if not pairs:
        raise ValidationError(_("Choose at least one phrase to restore."))
    if not Version.objects.get_for_object(target).exists():
        # An article without a revision yet: keep the spun text as one to compare with.
        _save(target, by=by, comment=_("Before restoring spun phrases"))
    counts = Counter()
    for field in ("title", "standfirst", "body"):
        text, done = restore_text(getattr(target, field), pairs)
        setattr(target, field, text)
        counts.update(done)
    if not counts:
        raise ValidationError(_("None of the chosen phrases is in the text any more."))
    note = _("Spun phrases restored: %(phrases)s") % {
        "phrases": ", ".join(f"{s}→{o} ×{n}" for (s, o), n in counts.most_common())
    }
    from_status = target.status
    _save(target, by=by, comment=note)
    record(target, A.EDIT, by=by, from_status=from_status, note=note)
    return target, counts
