"""
Keeping the search terms and the index in step with the articles. Nothing
here listens to signals; the writers call it (see articles/changes.py):

- Article.save(): the saved article, when its title, standfirst or body changed;
- bulk writers (importer, bulk_create, QuerySet.update): articles_written(ids);
- workflow.empty_trash: deleted articles leave the index (forget);
- `manage.py rebuild_search_index`: everything, some ids, or the articles containing a word.

Every article is indexed whatever its status: whether it may be *shown* is
decided at query time by Article.objects.published(), so publishing,
scheduling, expiry and the trash need no re-indexing.
"""

import contextlib

from ..models import Article
from .backends import get_backend
from .tokenize import article_terms

TEXT_FIELDS = ("title", "standfirst", "body")
BATCH_SIZE = 1000


def index_articles(
    ids=None,
    *,
    batch_size=BATCH_SIZE,
    queryset=None,
    progress=None,
    offline=False,
    using="default",
):
    """
    Segment and index the articles with these ids (all articles when `ids`
    is None), `batch_size` at a time. Ids of deleted articles leave the index.
    Returns the number of articles indexed. `progress(n)` is called per batch.
    `offline`: rebuild faster, leaving searches slow until done (PostgreSQL).
    """
    backend = get_backend(using)
    queryset = Article.objects.using(using) if queryset is None else queryset
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
        batch.append((pk, terms.title, terms.text, terms.plain))
    backend.store(batch)
    return {row[0] for row in batch}


def index_article(article):
    """
    Index one saved article from its text in memory (Article.save() calls
    this when the text changed); the terms are kept on the instance too.
    """
    terms = article_terms(article.title, article.standfirst, article.body)
    get_backend(article._state.db).store([(article.pk, terms.title, terms.text, terms.plain)])
    article.search_title, article.search_text = terms.title, terms.text
    article.search_plain = terms.plain


def forget(ids, *, using="default"):
    """Deleted articles leave the index."""
    get_backend(using).forget(list(ids))
