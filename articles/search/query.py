"""
Reading the index: which published articles match a query, in which order.

The order is the same on every database because it uses nothing a database
computes its own way (ts_rank and bm25 disagree): first the number of query
terms found among the title's terms, then the newest, then the highest id.
"""

from collections.abc import Sequence

from django.db.models import Case, ExpressionWrapper, F, IntegerField, TextField, Value, When
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.utils.functional import cached_property

from ..models import Article
from .backends import get_backend


def matching_articles(terms, *, topic_slug=None, published_from=None, published_before=None):
    """
    Published articles containing every term, unordered, optionally in one
    topic and a time range. Only Article.objects.published() is ever searched.
    """
    queryset = Article.objects.published()
    if topic_slug:
        queryset = queryset.filter(topic__slug=topic_slug)
    if published_from:
        queryset = queryset.filter(published_at__gte=published_from)
    if published_before:
        queryset = queryset.filter(published_at__lt=published_before)
    if not terms:
        return queryset.none()
    return get_backend().matching(queryset, terms)


def ranked(queryset, terms):
    """`queryset` in the order of relevance."""
    # " term " inside " title terms " is an exact term, " term" a prefix.
    padded_title = Concat(Value(" "), F("search_title"), Value(" "), output_field=TextField())
    title_hits = Value(0)
    for term in terms:
        needle = f" {term.text}" if term.prefix else f" {term.text} "
        title_hits += Case(When(Contains(padded_title, needle), then=Value(1)), default=Value(0))
    return queryset.alias(
        title_hits=ExpressionWrapper(title_hits, output_field=IntegerField())
    ).order_by(F("title_hits").desc(), "-published_at", "-pk")


class RankedResults(Sequence):
    """
    The best `limit` matches, for a Paginator: one query finds and orders the
    ids of all of them (its length is the count, so no COUNT query scans the
    matches a second time), and one query per page loads that page's
    articles with what a result shows.
    """

    def __init__(self, matches, terms, *, limit):
        self.matches, self.terms, self.limit = matches, terms, limit

    @cached_property
    def _ids(self):
        return list(ranked(self.matches, self.terms).values_list("pk", flat=True)[: self.limit + 1])

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
            .defer("created_by", "updated_by", "search_title", "search_text")
            .in_bulk(ids)
        )
        return [articles[pk] for pk in ids if pk in articles]
