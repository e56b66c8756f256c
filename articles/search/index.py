"""
Keeping the search terms and the index in step with the articles.

- Article.save() (post_save): the saved article, when its text may have changed.
- articles_changed (bulk_create, QuerySet.update, importers): the listed ids.
- post_delete: the deleted article leaves the index.
- `manage.py rebuild_search_index`: everything, or the articles containing a word.

Every article is indexed whatever its status: whether it may be *shown* is
decided at query time by Article.objects.published(), so publishing,
scheduling, expiry and the trash need no re-indexing.
"""

import contextlib

from django.db.models.signals import post_delete, post_save

from ..models import Article
from ..signals import articles_changed
from .backends import get_backend
from .tokenize import article_terms

TEXT_FIELDS = ("title", "standfirst", "body")
BATCH_SIZE = 1000


def index_articles(ids=None, *, batch_size=BATCH_SIZE, queryset=None, progress=None, offline=False):
    """
    Segment and index the articles with these ids (all articles when `ids`
    is None), `batch_size` at a time. Ids of deleted articles leave the index.
    Returns the number of articles indexed. `progress(n)` is called per batch.
    `offline`: rebuild faster, leaving searches slow until done (PostgreSQL).
    """
    backend = get_backend()
    queryset = Article.objects.all() if queryset is None else queryset
    if ids is None:
        with backend.bulk_indexing(offline=offline):
            return _index_all(backend, queryset, batch_size, progress)
    ids = sorted(set(ids))
    found = set()
    bulk = backend.bulk_indexing() if len(ids) > batch_size else contextlib.nullcontext()
    with bulk:
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            rows = queryset.filter(pk__in=chunk).values_list("pk", *TEXT_FIELDS)
            found |= _store(backend, rows)
            if progress:
                progress(len(chunk))
    backend.forget([pk for pk in ids if pk not in found])
    return len(found)


def _index_all(backend, queryset, batch_size, progress):
    # In primary-key order without OFFSET: constant memory and time per batch.
    count, last = 0, 0
    while True:
        rows = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *TEXT_FIELDS)[:batch_size]
        )
        if not rows:
            return count
        _store(backend, rows)
        count += len(rows)
        last = rows[-1][0]
        if progress:
            progress(len(rows))


def _store(backend, rows):
    batch = []
    for pk, title, standfirst, body in rows:
        terms = article_terms(title, standfirst, body)
        batch.append((pk, terms.title, terms.text))
    backend.store(batch)
    return {pk for pk, _, _ in batch}


def index_saved_article(sender, instance, created, update_fields=None, **kwargs):
    # Raw saves (loaddata, django-reversion restoring a version) are indexed
    # too: the index must follow whatever text the row now holds.
    if update_fields is not None and not set(update_fields) & set(TEXT_FIELDS):
        return
    terms = article_terms(instance.title, instance.standfirst, instance.body)
    deferred = instance.get_deferred_fields()
    unchanged = (
        not created
        and not {"search_title", "search_text"} & deferred
        and (instance.search_title, instance.search_text) == (terms.title, terms.text)
    )
    if unchanged:
        return
    get_backend(instance._state.db).store([(instance.pk, terms.title, terms.text)])
    instance.search_title, instance.search_text = terms.title, terms.text


def index_changed_articles(sender, ids=(), **kwargs):
    index_articles(ids)


def forget_deleted_article(sender, instance, **kwargs):
    get_backend(instance._state.db).forget([instance.pk])


def connect_signals():
    """Called from ArticlesConfig.ready()."""
    post_save.connect(index_saved_article, sender=Article, dispatch_uid="search-index-save")
    post_delete.connect(forget_deleted_article, sender=Article, dispatch_uid="search-index-delete")
    articles_changed.connect(index_changed_articles, dispatch_uid="search-index-bulk")
