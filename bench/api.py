"""
Content API benchmark on PostgreSQL: the list endpoint's p50/p95 at N articles.

    .venv/bin/python bench/api.py [--articles 100000] [--requests 300] [--search-index]

Works in its own database, `newsroom_bench_api` on the local server
(BENCH_API_DATABASE_URL to choose another; created if missing, reused by the
next run, dropped with --drop), filled by bench/generate.py. Requests go
through the whole Django stack in this process (Django's test client: every
middleware, the rate limits counted in Redis db 13, JSON rendering, ETag),
with production settings and one database connection kept open (production
keeps a pool); no HTTP server, so add about a millisecond for
gunicorn. Each case is warmed up, then timed over `--requests` requests
spread over different cursors, and reported as p50 / p95 / max in ms with
the number of queries per request. The issue's target: p95 under 20 ms for
a list page of 20 at 100,000 articles. Results: bench/results/api.md.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, log, setup_django  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench_api"
REDIS_URL = "redis://127.0.0.1:6379/13"
TARGET_P95_MS = 20.0
SEED = 14


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cases(rng, requests):
    """{name: [url, ...]}: each list is timed in turn."""
    from django.db.models import Count

    from api.endpoints import ARTICLE_ORDER
    from articles.models import Article, Tag, Topic

    published = Article.objects.published()
    ids = list(published.values_list("pk", flat=True))
    sample = list(published.filter(pk__in=rng.sample(ids, requests)).only("pk", "published_at"))
    cursors = [ARTICLE_ORDER.encode(article) for article in sample]
    topics = list(Topic.objects.annotate(n=Count("articles")).order_by("n"))
    topic = topics[len(topics) // 2]
    tags = list(Tag.objects.annotate(n=Count("tagged_articles")).order_by("n"))
    tag = tags[len(tags) // 2]
    log(f"median topic {topic.slug} ({topic.n} articles), median tag {tag.slug} ({tag.n})")
    # Cursors inside the topic and tag, so deep pages there are real pages.
    in_topic = list(published.filter(topic=topic).values_list("pk", flat=True))
    topic_cursors = [
        ARTICLE_ORDER.encode(a)
        for a in published.filter(pk__in=rng.sample(in_topic, min(requests, len(in_topic))))
    ]
    in_tag = list(published.filter(tagged_items__tag=tag).values_list("pk", flat=True))
    tag_cursors = [
        ARTICLE_ORDER.encode(a)
        for a in published.filter(pk__in=rng.sample(in_tag, min(requests, len(in_tag))))
    ]
    slugs = list(published.filter(pk__in=rng.sample(ids, requests)).values_list("slug", flat=True))
    years = [rng.randint(2022, 2025) for _ in range(requests)]
    result = {
        # The floor on this machine: a page without database, template or API.
        "reference: /robots.txt": ["/robots.txt"] * requests,
        "list, first page": ["/api/v1/articles"] * requests,
        "list, any page (cursor)": [f"/api/v1/articles?cursor={c}" for c in cursors],
        "list, partner key (full text)": [f"/api/v1/articles?cursor={c}&key" for c in cursors],
        "list, topic": [f"/api/v1/articles?topic={topic.slug}&cursor={c}" for c in topic_cursors],
        "list, tag": [f"/api/v1/articles?tag={tag.slug}&cursor={c}" for c in tag_cursors],
        "list, since/until (a month)": [
            f"/api/v1/articles?since={y}-03-01&until={y}-03-31" for y in years
        ],
        "list, page_size=100": [f"/api/v1/articles?page_size=100&cursor={c}" for c in cursors],
        "detail": [f"/api/v1/articles/{slug}" for slug in slugs],
        "tags": ["/api/v1/tags"] * requests,
    }
    if published.exclude(search_text="").exists():
        words = ["人工智能", "半导体", "新能源汽车", "数据中心", "政策", "赞比亚", "芯片 出口"]
        result["list, q (search)"] = [
            f"/api/v1/articles?q={rng.choice(words)}" for _ in ids[:requests]
        ]
    return result


def measure(client, key, urls, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(url):
        headers = {}
        if url.endswith("&key"):
            url, headers = url.removesuffix("&key"), {"X-API-Key": key}
        return client.get(url, headers=headers)

    for url in urls[:warmup]:
        assert get(url).status_code == 200, url
    timings, cpu = [], []
    for url in urls:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.content[:200])
    with CaptureQueriesContext(connection) as queries:
        response = get(urls[0])
    results = None
    if "/api/v1/articles?" in urls[0] or urls[0].endswith("/articles"):
        results = len(response.json()["results"])
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        # This process's CPU time: what the request costs Django, less the
        # waits for PostgreSQL, Redis and for a core on a busy machine.
        "cpu p50": statistics.median(cpu),
        "cpu p95": percentile(cpu, 0.95),
        "queries": len(queries),
        "bytes": len(response.content),
        "results": results,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--search-index", action="store_true", help="also time q= (minutes)")
    parser.add_argument("--drop", action="store_true", help="drop the database and stop")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_API_DATABASE_URL", DEFAULT_DATABASE_URL)
    if args.drop:
        import psycopg
        from psycopg import sql

        parts = urlsplit(db_url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            name = parts.path.lstrip("/")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        log(f"Dropped {name}")
        return

    setup_django(
        db_url,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="newsroom-bench-api",
        # Measure the work, not the limit: counted, never reached.
        API_RATE_LIMIT_ANONYMOUS="100000000/min",
        API_RATE_LIMIT_PARTNER="100000000/min",
    )
    from bench.generate import ensure_dataset

    ensure_dataset(args.articles, regenerate=args.regenerate, search_index=args.search_index)

    from django.core import signals
    from django.db import close_old_connections, connection
    from django.test import Client

    # Production keeps connections in a pool; this process has one and keeps it
    # (the bench settings turn the pool off, and the test client would close
    # the connection after every request).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)

    from api.keys import issue_key
    from api.models import PartnerKey
    from articles.models import Article

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    partner_key = PartnerKey(name="bench")
    key = issue_key(partner_key, by=None)
    rng = random.Random(SEED)
    client = Client(SERVER_NAME="127.0.0.1")
    published = Article.objects.published().count()
    log(f"{Article.objects.count()} articles, {published} published")
    rows = {}
    try:
        for name, urls in cases(rng, args.requests).items():
            rows[name] = measure(client, key, urls, args.warmup)
            r = rows[name]
            log(
                f"{name:32} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                f"cpu {r['cpu p50']:5.1f}/{r['cpu p95']:5.1f} ms  queries {r['queries']}"
            )
    finally:
        partner_key.delete()
    load = os.getloadavg()
    lines = [
        f"# API benchmark: {published:,} published of {Article.objects.count():,} articles",
        "",
        f"PostgreSQL {connection.pg_version // 10000}, in-process Django test client, "
        f"{args.requests} timed requests per case after {args.warmup} warm-up requests; "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(1 / 5 / 15 min) at the end.",
        "",
        "| case | p50 ms | p95 ms | max ms | Django CPU p50 / p95 ms | queries | results | bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} "
            f"| {r['cpu p50']:.1f} / {r['cpu p95']:.1f} | {r['queries']} "
            f"| {r['results'] if r['results'] is not None else ''} | {r['bytes']:,} |"
        )
    first = rows["list, any page (cursor)"]
    verdict = "met" if first["p95"] < TARGET_P95_MS else "NOT met"
    lines += ["", f"Target p95 < {TARGET_P95_MS:.0f} ms for a list page of 20: {verdict}."]
    report = "\n".join(lines)
    print(report)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "api.md").write_text(report + "\n")
    (RESULTS_DIR / "api.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
