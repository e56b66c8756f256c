"""
How much of the page cache survives a write (issue 16, dependency keys):

    .venv/bin/python bench/survival.py [--articles 8000] [--pages 5000] [--quick]

1. Generates (or reuses) its own database of articles (bench/generate.py,
   `newsroom_bench_survival` on the BENCH_DATABASE_URL / DATABASE_URL server).
2. Warms the page cache (Redis, a key prefix of its own on BENCH_REDIS_URL,
   never flushed) with the home page and its first list pages, every topic
   page, the 20 largest tag pages, the archives, the feeds, the sitemaps and
   `--pages` article pages (5,000 by default), in this process through the
   whole middleware stack (Django's test client, production settings).
3. Publishes one new article (the workflow, as an editor would) and asks
   every warmed page again: the share that is still a hit, per kind.
4. Moves an article shown on the home page to the trash and checks that
   every warmed page that showed it is gone from the cache (a miss, without it).
5. Puts the data back as it was (the new article deleted, the trashed one
   restored), so the next run reuses the database.

Targets: ≥ 99 % of article pages survive a publication; 100 % of the pages
showing a trashed article are gone. Only ever talks to 127.0.0.1.
"""

import argparse
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_REDIS_URL, database_url, is_local, log, setup_django  # noqa: E402

SURVIVAL_TARGET = 0.99


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Page cache survival after a write (issue 16)")
    parser.add_argument("--articles", type=int, default=8000, help="articles generated (8000)")
    parser.add_argument("--pages", type=int, default=5000, help="article pages warmed (5000)")
    parser.add_argument("--quick", action="store_true", help="1,500 articles, 500 article pages")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.pages = 1500, 500
    if not is_local(args.redis_url):
        parser.error("--redis-url must be a local Redis")
    return args


def survival_database_url():
    parts = urlsplit(database_url())
    return urlunsplit(parts._replace(path="/newsroom_bench_survival"))


def main(argv=None):
    args = parse_args(argv)
    prefix = f"newsroom-survival-{uuid.uuid4().hex[:8]}"
    setup_django(
        survival_database_url(),
        REDIS_URL=args.redis_url,
        PAGE_CACHE="1",
        PAGE_CACHE_SECONDS="3600",
        ALLOWED_HOSTS="127.0.0.1",
    )
    from django.conf import settings

    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    from bench.generate import ensure_dataset

    ensure_dataset(args.articles)
    from bench.run import collect_static

    collect_static()
    try:
        report = measure(args)
    finally:
        forget(args.redis_url, prefix)
    print(report)


def forget(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)


def warm_urls(page_count):
    from django.db.models import Count

    from articles.models import Article, Tag, TaggedArticle, Topic

    published = Article.objects.published()
    urls = {"list": ["/", "/?page=2", "/?page=3", "/archive/"]}
    urls["list"] += [t.get_absolute_url() for t in Topic.objects.all()]
    top_tags = TaggedArticle.objects.values("tag_id").annotate(n=Count("pk")).order_by("-n")[:20]
    urls["list"] += [
        t.get_absolute_url() for t in Tag.objects.filter(pk__in=[r["tag_id"] for r in top_tags])
    ]
    newest = published.order_by("-published_at").first()
    if newest:
        day = newest.published_at
        urls["list"] += [f"/archive/{day:%Y}/", f"/archive/{day:%Y}/{day:%m}/"]
    urls["feed"] = ["/feeds/rss/", "/feeds/atom/", "/feeds/json/"]
    urls["sitemap"] = ["/sitemap.xml", "/sitemap-news.xml", "/sitemap-articles.xml"]
    slugs = published.order_by("-published_at", "-pk").values_list("slug", flat=True)[:page_count]
    urls["article"] = [f"/articles/{slug}/" for slug in slugs]
    return urls


def measure(args):
    from django.contrib.auth.models import User
    from django.test import Client

    from articles import workflow
    from articles.models import Article, Topic

    client = Client(HTTP_HOST="127.0.0.1")
    urls = warm_urls(args.pages)
    every = [(kind, url) for kind, group in urls.items() for url in group]
    log(f"warming {len(every)} pages ({len(urls['article'])} article pages)")
    started = time.monotonic()
    bodies = {}
    for _kind, url in every:
        response = client.get(url)
        bodies[url] = (
            response.content.decode(errors="replace") if response.status_code == 200 else ""
        )
    warm_seconds = time.monotonic() - started
    cached = [(k, u) for k, u in every if client.get(u).get("X-Page-Cache") == "hit"]
    log(f"{len(cached)} of {len(every)} pages cached in {warm_seconds:.0f} s")

    editor, _ = User.objects.get_or_create(
        username="bench-survival-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    newest = Article.objects.published().order_by("-published_at").first()
    new = Article.objects.create(
        title="存活率测试:新发布的文章",
        standfirst="导语",
        body="<p>正文</p>",
        topic=newest.topic if newest else Topic.objects.first(),
        status=Article.Status.APPROVED,
    )
    if newest is not None:
        new.tags.set(list(newest.tags.all()[:3]))
    trashed = None
    try:
        workflow.publish(new, by=editor)
        survived = Counter()
        total = Counter(kind for kind, _ in cached)
        for kind, url in cached:
            if client.get(url).get("X-Page-Cache") == "hit":
                survived[kind] += 1
        # Warm again, then take down an article the home page shows.
        for _kind, url in every:
            response = client.get(url)
            bodies[url] = (
                response.content.decode(errors="replace") if response.status_code == 200 else ""
            )
        # The home page's second article (the first is the new one).
        trashed = Article.objects.published().exclude(pk=new.pk).order_by("-published_at").first()
        showing = [url for url in bodies if trashed and f"/articles/{trashed.slug}/" in bodies[url]]
        workflow.trash(trashed, by=editor)
        still = []
        for url in showing:
            response = client.get(url)
            body = response.content.decode(errors="replace")
            if response.get("X-Page-Cache") == "hit" or f"/articles/{trashed.slug}/" in body:
                still.append(url)
    finally:
        if trashed is not None:
            Article.objects.filter(pk=trashed.pk).update(deleted_at=None, deleted_by=None)
        Article.objects.filter(pk=new.pk).delete()
        User.objects.filter(pk=editor.pk).delete()

    lines = [
        f"## Page cache survival ({len(every)} pages warmed, "
        f"{len(urls['article'])} article pages; {args.articles} articles)",
        "",
        "| pages | cached | still cached after one publication | share |",
        "|---|---:|---:|---:|",
    ]
    for kind in ("article", "list", "feed", "sitemap"):
        if total[kind]:
            share = survived[kind] / total[kind]
            lines.append(f"| {kind} | {total[kind]} | {survived[kind]} | {share:.2%} |")
    article_share = survived["article"] / total["article"] if total["article"] else 0.0
    verdict = "met" if article_share >= SURVIVAL_TARGET else "MISSED"
    lines += [
        "",
        f"Article pages surviving a publication: {article_share:.2%} "
        f"(target ≥ {SURVIVAL_TARGET:.0%}: {verdict}).",
        f"Takedown of article {trashed.pk if trashed else '-'}: {len(showing)} cached pages "
        f"showed it; {len(showing) - len(still)} gone ({'100 %' if not still else 'NOT all'}) "
        f"{'' if not still else still[:5]}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
