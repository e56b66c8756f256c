"""The pages the benchmark loads, picked from the generated data (typical, not extreme)."""

from datetime import timedelta

PER_PAGE = 20
DEEP_PAGE = 500


def pick_pages():
    """[(name, path)]: one URL per public page type, in the order they are measured."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from articles.models import Article, Tag, Topic

    now = timezone.now()
    published = Article.objects.published(now)
    total = published.count()
    if total < PER_PAGE * 2:
        raise SystemExit(f"Only {total} published articles: generate more (--articles).")
    home = reverse("articles:home")
    deep = min(DEEP_PAGE, -(-total // PER_PAGE))

    median_article, largest_article, smallest_article = pick_articles(published)
    published_filter = Q(
        articles__status=Article.Status.PUBLISHED, articles__deleted_at__isnull=True
    )
    topics = list(
        Topic.objects.annotate(n=Count("articles", filter=published_filter)).order_by("n")
    )
    topic = topics[len(topics) // 2]
    # Tags are ranked by use; the median tag is an ordinary one, neither the
    # biggest nor one with a handful of articles.
    tags = list(Tag.objects.annotate(n=Count("tagged_articles")).order_by("n", "pk"))
    tag = tags[len(tags) // 2]
    # Archives of a day and a month that have articles (empty ones answer 404).
    day = timezone.localtime(
        published.filter(published_at__lte=now - timedelta(days=30)).latest().published_at
    )
    month = timezone.localtime(
        published.filter(published_at__lte=now - timedelta(days=200)).latest().published_at
    )
    return [
        ("latest", home),
        (f"latest-p{deep}", f"{home}?page={deep}"),
        ("article", median_article.get_absolute_url()),
        ("article-big-tags", largest_article.get_absolute_url()),
        # Only long-tail tags: a related query counted per view had to walk
        # the whole archive to fill its pool.
        ("article-small-tags", smallest_article.get_absolute_url()),
        ("topic", topic.get_absolute_url()),
        ("tag", tag.get_absolute_url()),
        (
            "archive-month",
            reverse("articles:archive-month", kwargs={"year": month.year, "month": f"{month:%m}"}),
        ),
        (
            "archive-day",
            reverse(
                "articles:archive-day",
                kwargs={"year": day.year, "month": f"{day:%m}", "day": f"{day:%d}"},
            ),
        ),
        ("rss", reverse("articles:feed-rss")),
    ]


def pick_articles(published):
    """
    (median, largest, smallest): published articles ranked by the summed
    sizes of their tags; the median one and those whose tags are the largest
    and the smallest. Ties go to the lower id.
    """
    from django.db.models import Count

    from articles.models import Tag, TaggedArticle

    sizes = dict(Tag.objects.annotate(n=Count("tagged_articles")).values_list("pk", "n"))
    weight = {}
    links = TaggedArticle.objects.filter(content_object__in=published).values_list(
        "content_object_id", "tag_id"
    )
    for article_id, tag_id in links:
        weight[article_id] = weight.get(article_id, 0) + sizes[tag_id]
    ranked = sorted(weight, key=lambda pk: (weight[pk], -pk))
    median, largest, smallest = ranked[len(ranked) // 2], ranked[-1], ranked[0]
    found = published.in_bulk([median, largest, smallest])
    return found[median], found[largest], found[smallest]


def sitemap_pages():
    """The sitemaps, for bench/explain.py (not loaded by wrk)."""
    from django.urls import reverse

    return [
        ("sitemap-index", reverse("sitemap")),
        ("sitemap-articles", reverse("sitemap-section", kwargs={"section": "articles"})),
        ("sitemap-news", reverse("sitemap-news")),
    ]
