from dataclasses import dataclass

from django.utils.safestring import SafeString
from django.views.generic import ListView

from ..models import Article
from ..views import public_cache, site_feed_links
from .forms import MAX_QUERY_LENGTH, SearchForm
from .highlight import highlight, snippet
from .query import RankedResults, matching_articles
from .tokenize import parse_query, plain_text

RESULTS_PER_PAGE = 20
# Results a reader can page through (50 pages); more matches than this are
# neither ordered nor counted beyond it, and the page says "more than 1,000".
MAX_RESULTS = 1000


@dataclass
class SearchResult:
    article: Article
    title: SafeString
    snippet: SafeString


@public_cache
class SearchView(ListView):
    """
    GET /search/: published articles containing every part of the query
    (a phrase when typed without spaces), title matches first, then the newest. Invalid input (a query longer than
    MAX_QUERY_LENGTH, a NUL character, a bad date, a malformed topic slug)
    answers 400 with the form's messages; an unknown topic finds nothing.
    """

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = RESULTS_PER_PAGE
    allow_empty = True

    def get(self, request, *args, **kwargs):
        self.form = SearchForm(request.GET)
        self.valid = self.form.is_valid()
        self.query = parse_query(self.form.cleaned_data.get("q") if self.valid else "")
        response = super().get(request, *args, **kwargs)
        if not self.valid:
            response.status_code = 400
        return response

    def get_queryset(self):
        if not self.query:
            return []
        published_from, published_before = self.form.published_range()
        matches = matching_articles(
            self.query,
            topic_slug=self.form.cleaned_data.get("topic"),
            published_from=published_from,
            published_before=published_before,
        )
        return RankedResults(matches, self.query, limit=MAX_RESULTS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.form.data.get("q", "")
        context.update(
            form=self.form,
            query=self.form.cleaned_data.get("q", "") if self.valid else "",
            search_query=query,
            max_query_length=MAX_QUERY_LENGTH,
            searched=bool(self.query),
            results=[self.result(article) for article in context["object_list"]],
            results_capped=getattr(self.object_list, "more", False),
            feed_links=site_feed_links(),
        )
        return context

    def result(self, article):
        text = f"{article.standfirst} {plain_text(article.body)}"
        return SearchResult(
            article=article,
            title=highlight(article.title, self.query.parts),
            snippet=snippet(text, self.query.parts),
        )
