"""
Dependency keys (surrogate keys): what a cached page shows, and what a write touches.

While a public page renders, a request-scoped collector records the keys it
depends on:

- `article-<id>` for every article row loaded (Article.from_db): the article
  itself, list items, prev/next, related articles, feed items;
- the list a view draws from, said by the view: `list` (home), `archive`,
  `archive-YYYY`, `archive-YYYY-MM`, `archive-YYYY-MM-DD`, `topic-<id>`,
  `tag-<id>`, `author-<id>`, `feed` (site feeds), `sitemap`, and
  `neighbours-<id>` on an article page (its prev/next links);
- `site` on every page: the navigation, topic and tag names, sources and
  authors are shown everywhere, and their rare edits purge it.

A page that loads more than MAX_ARTICLE_KEYS articles (a sitemap) depends on
`all-articles` instead of each of them.

A write purges exactly the keys it touches (`keys_for_articles`): every page
showing the article (`article-<id>`), and when it is public or was, the
lists it belongs to now (home, feeds, sitemaps, its archive periods, topic,
tags and authors) and its neighbours' pages. Lists it left showed it, so
`article-<id>` already reaches them. Drafts that were never published
purge nothing. Related lists are stored and change when an article is
written (articles/related.py); another article's page showing it as
related may keep its old list for at most PAGE_CACHE_SECONDS.

The purge itself lives in articles/cache.py (our page cache) and
articles/varnish.py (Varnish instances in front).
"""

import contextvars
from contextlib import contextmanager

MAX_ARTICLE_KEYS = 200
SITE = "site"
ALL_ARTICLES = "all-articles"
# Above this many articles in one bulk write, purge the whole site instead of
# computing each article's neighbours.
BULK_SITE_PURGE = 50

_collector = contextvars.ContextVar("page_cache_keys", default=None)


class KeyCollector:
    def __init__(self):
        self.keys = {SITE}
        self.article_ids = set()

    def add(self, *keys):
        self.keys.update(keys)

    def result(self):
        if len(self.article_ids) > MAX_ARTICLE_KEYS:
            return self.keys | {ALL_ARTICLES}
        return self.keys | {article_key(pk) for pk in self.article_ids}


@contextmanager
def collecting():
    """Collect the keys of what renders inside the block: `with collecting() as keys:`."""
    collector = KeyCollector()
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)


def collect(*keys):
    """Record that the page being rendered depends on `keys` (nothing outside a request)."""
    collector = _collector.get()
    if collector is not None:
        collector.add(*keys)


def collect_article(pk):
    collector = _collector.get()
    if collector is not None and pk is not None:
        collector.article_ids.add(pk)


def article_key(pk):
    return f"article-{pk}"


def archive_keys(moment):
    """The archive periods a publication time belongs to, in the site's time zone."""
    from django.utils import timezone

    day = timezone.localtime(moment)
    return [
        "archive",
        f"archive-{day.year:04d}",
        f"archive-{day.year:04d}-{day.month:02d}",
        f"archive-{day.year:04d}-{day.month:02d}-{day.day:02d}",
    ]


def keys_for_articles(ids, *, neighbours=True):
    """
    The keys a write of the articles `ids` touches. Articles never
    published (drafts, working copies, rows in review) touch nothing.
    """
    from .models import Article, ArticleAuthor, TaggedArticle
    from .selectors import adjacent_articles

    ids = sorted({pk for pk in ids if pk is not None})
    if not ids:
        return set()
    if len(ids) > BULK_SITE_PURGE:
        return {SITE}
    rows = list(
        Article.objects.filter(pk__in=ids).values(
            "pk", "topic_id", "status", "published_at", "first_published_at"
        )
    )
    public = [
        row
        for row in rows
        if row["status"] == Article.Status.PUBLISHED or row["first_published_at"] is not None
    ]
    # A row deleted for good still showed on pages until now.
    missing = set(ids) - {row["pk"] for row in rows}
    keys = {article_key(pk) for pk in missing}
    if not public and not missing:
        return keys
    keys |= {"list", "feed", "sitemap", ALL_ARTICLES}
    public_ids = [row["pk"] for row in public]
    keys |= {article_key(pk) for pk in public_ids}
    keys |= {f"topic-{row['topic_id']}" for row in public if row["topic_id"]}
    for row in public:
        if row["published_at"]:
            keys.update(archive_keys(row["published_at"]))
    keys |= {
        f"tag-{tag_id}"
        for tag_id in TaggedArticle.objects.filter(content_object_id__in=public_ids).values_list(
            "tag_id", flat=True
        )
    }
    keys |= {
        f"author-{author_id}"
        for author_id in ArticleAuthor.objects.filter(article_id__in=public_ids).values_list(
            "author_id", flat=True
        )
    }
    if neighbours:
        live = Article.objects.published().filter(pk__in=public_ids).only("pk", "published_at")
        for article in live:
            for neighbour in adjacent_articles(article):
                if neighbour is not None:
                    keys.add(f"neighbours-{neighbour.pk}")
    return keys
