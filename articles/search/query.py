"""
Reading the index: which published articles match a query, in which order.

Matching: the index finds the articles that have every index term of the
query (characters, character pairs, words); a part that the terms alone do
not decide (a phrase: AI大模型, 张江, 人工智能) is then checked against the
article's normalised text, so every result contains it as typed.

The order is the same on every database because it uses nothing a database
computes its own way (ts_rank and bm25 disagree): first how well the title
matches (each part counts 2 when it is a word of the title, 1 when the title
merely contains it), then the newest, then the highest id.
"""

from collections.abc import Sequence

from django.db import connections
from django.db.models import Case, ExpressionWrapper, F, IntegerField, Value, When
from django.db.models.lookups import Contains
from django.utils.functional import cached_property

from ..models import LISTING_DEFERRED, Article
from .backends import get_backend


def matching_articles(query, *, topic_slug=None, published_from=None, published_before=None):
    """
    Published articles whose index has every term of `query` (a ParsedQuery),
    unordered, optionally in one topic and a time range; phrases are checked
    by RankedResults. Only Article.objects.published() is ever searched.
    """
    queryset = Article.objects.published()
    if topic_slug:
        queryset = queryset.filter(topic__slug=topic_slug)
    if published_from:
        queryset = queryset.filter(published_at__gte=published_from)
    if published_before:
        queryset = queryset.filter(published_at__lt=published_before)
    if not query:
        return queryset.none()
    return get_backend().matching(queryset, query.terms)


def exact_matches(query, **filters):
    """
    matching_articles with the phrase check done in SQL (search_plain
    contains each checked part): every article that matches, for callers
    that order and page by themselves (the content API). The search page
    uses RankedResults, which checks phrases only as far as it reads.
    """
    queryset = matching_articles(query, **filters)
    for part in query.checked if query else ():
        queryset = queryset.filter(search_plain__contains=part.text)
    return queryset


def ranked(queryset, query):
    """`queryset` in the order of relevance."""
    # search_title is " word word … \n<title text>" (see tokenize.article_terms).
    title_score = Value(0)
    for part in query.parts:
        title_score += Case(
            When(Contains(F("search_title"), f" {part.text} "), then=Value(2)),
            When(Contains(F("search_title"), part.text), then=Value(1)),
            default=Value(0),
        )
    return queryset.annotate(
        title_score=ExpressionWrapper(title_score, output_field=IntegerField())
    ).order_by(F("title_score").desc(), "-published_at", "-pk")


# A limit on the candidates that no search reaches (see RankedResults._checked_ids).
CANDIDATES_FENCE = 10**9


def like_pattern(text):
    """A LIKE pattern for `text` anywhere, with the escape character \\."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class RankedResults(Sequence):
    """
    The best `limit` matches, for a Paginator: one query finds and orders the
    ids of all of them (its length is the count, so no COUNT query scans the
    matches a second time), and one query per page loads that page's
    articles with what a result shows.
    """

    def __init__(self, matches, query, *, limit):
        self.matches, self.query, self.limit = matches, query, limit

    @cached_property
    def _ids(self):
        ordered = ranked(self.matches, self.query)
        if not self.query.checked:
            return list(ordered.values_list("pk", flat=True)[: self.limit + 1])
        return self._checked_ids(ordered)

    def _checked_ids(self, ordered):
        """
        The ids of the ordered candidates whose text holds every phrase, at
        most limit + 1. The candidates are ordered first (from small
        columns), then checked in that order until enough pass: a frequent
        phrase reads about `limit` texts, not every match's.
        """
        # Named columns, so the outer query can refer to them on every database.
        # The LIMIT (never reached) keeps PostgreSQL from pushing the phrase
        # check down into the scan, where it would read every candidate's
        # text before sorting.
        inner = ordered.values(
            c_id=F("pk"),
            c_score=F("title_score"),
            c_time=F("published_at"),
            c_text=F("search_plain"),
        )[:CANDIDATES_FENCE]
        sql, params = inner.query.sql_with_params()
        connection = connections[inner.db]
        checks = " AND ".join("c.c_text LIKE %s ESCAPE %s" for _ in self.query.checked)
        for part in self.query.checked:
            params = (*params, like_pattern(part.text), "\\")
        statement = (
            f"SELECT c.c_id FROM ({sql}) AS c WHERE {checks} "
            f"ORDER BY c.c_score DESC, c.c_time DESC, c.c_id DESC LIMIT {int(self.limit) + 1}"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return [row[0] for row in cursor.fetchall()]

    @property
    def ids(self):
        return self._ids[: self.limit]

    @property
    def more(self):
        """Whether more than `limit` articles match."""
        return len(self._ids) > self.limit

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ids[index]
        if not ids:
            return []
        articles = (
            # The rule again: an article unpublished since the first query stays out.
            Article.objects.published()
            .select_related("topic", "source")
            .defer(*(f for f in LISTING_DEFERRED if f != "body"))
            .in_bulk(ids)
        )
        return [articles[pk] for pk in ids if pk in articles]
