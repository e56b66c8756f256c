"""
A day in a newsroom, as a load test (issue 16): `bench/run.py --phases mixed`
(part of `make bench`), or alone against a running server:

    .venv/bin/python bench/mixed.py --port 18600 [--duration 60] [--connections 8]

Three kinds of traffic at once, against one gunicorn with the page cache on:

- readers, 80 % of requests: the home page, the topic pages and the 50
  newest articles, drawn at random;
- a crawler, 20 % of requests: up to 10,000 distinct older articles, each
  requested once (cold: no page or body of theirs is cached);
- an editor, in a separate process with the server's Redis: every
  `--edit-every` seconds it publishes an article (approve, then publish,
  through articles.workflow) or adds a correction to one of the newest,
  alternately, as the desk would.

The load generator is Python's asyncio (no third-party client), one
connection per request as gunicorn's sync workers close it, `--connections`
requests in flight; each next request is a reader's with probability 0.8,
else the crawler's. It shares the machine's 2 cores with the server, so the
numbers are a floor. Per class: requests/s, p50 and p99 latency, errors
and the cache hit ratio from the `X-Page-Cache` header (hit, or miss/off).
Only ever loads 127.0.0.1; every loop is bounded in time.
"""

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_REDIS_URL,
    ORIGINAL_ENVIRONMENT,
    ROOT,
    database_url,
    log,
    production_environment,
    setup_django,
)

HOST = "127.0.0.1"
READER_SHARE = 0.8
NEWEST = 50
CRAWLED = 10_000
EDITOR_USERNAME = "bench-editor"


def pick_urls(crawled=CRAWLED):
    """(reader paths, crawler paths): the readers' pages, older articles for the crawler."""
    from django.urls import reverse

    from articles.models import Article, Topic

    published = Article.objects.published().order_by("-published_at", "-pk")
    newest = [a.get_absolute_url() for a in published.only("slug")[:NEWEST]]
    topics = [t.get_absolute_url() for t in Topic.objects.order_by("pk")]
    readers = [reverse("articles:home"), *topics, *newest]
    older = [a.get_absolute_url() for a in published.only("slug")[NEWEST : NEWEST + crawled]]
    random.Random(16).shuffle(older)
    return readers, older


# -- the load ---------------------------------------------------------------


async def get(port, path):
    """(status, X-Page-Cache, seconds) of one GET, or (0, "", seconds) on a socket error."""
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=30)
        writer.close()
    except (OSError, TimeoutError):
        return 0, "", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1]) if head and len(head[0].split()) > 1 else 0
    cache = ""
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-page-cache":
            cache = value.strip()
    return status, cache, elapsed


async def load(port, readers, crawler, duration, connections, seed=16):
    rng = random.Random(seed)
    crawl = iter(crawler)
    samples = {"reader": [], "crawler": []}
    deadline = time.monotonic() + duration

    async def client():
        while time.monotonic() < deadline:
            kind = "reader" if rng.random() < READER_SHARE else "crawler"
            path = next(crawl, None) if kind == "crawler" else rng.choice(readers)
            if path is None:  # every older article crawled once: the crawler stops
                kind, path = "reader", rng.choice(readers)
            samples[kind].append(await get(port, path))

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(connections)))
    return samples, time.monotonic() - started


def summarise(samples, seconds):
    rows = {}
    for kind, results in samples.items():
        times = sorted(r[2] * 1000 for r in results)
        cached = [r for r in results if r[0] == 200]
        hits = sum(1 for r in cached if r[1] == "hit")
        rows[kind] = {
            "requests": len(results),
            "rps": len(results) / seconds if seconds else 0.0,
            "p50_ms": statistics.median(times) if times else 0.0,
            "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] if times else 0.0,
            "errors": sum(1 for r in results if r[0] != 200),
            "hit_ratio": hits / len(cached) if cached else 0.0,
        }
    return rows


# -- the editor -------------------------------------------------------------


def editor_process(db_url, redis_url, duration, every):
    """The editor, in its own process with the server's cache (its writes must reach it)."""
    env = {
        **ORIGINAL_ENVIRONMENT,
        **production_environment(db_url),
        "REDIS_URL": redis_url,
        "DATABASE_POOL": "0",
    }
    command = [
        sys.executable,
        str(ROOT / "bench" / "mixed.py"),
        "--editor",
        "--duration",
        str(duration),
        "--edit-every",
        str(every),
        "--redis-url",
        redis_url,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def run_editor(duration, every):
    """Publish or correct an article every `every` seconds for `duration`; print a JSON summary."""
    from django.contrib.auth import get_user_model

    from articles import workflow
    from articles.models import Article

    user, created = get_user_model().objects.get_or_create(
        username=EDITOR_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:  # acts through the workflow functions only, never logs in
        user.set_unusable_password()
        user.save(update_fields=["password"])
    S = Article.Status
    actions = {"publish": 0, "correct": 0, "failed": 0}
    seconds = []
    deadline = time.monotonic() + duration
    turn = 0
    while time.monotonic() + every <= deadline:
        time.sleep(every)
        started = time.perf_counter()
        try:
            if turn % 2 == 0:
                article = (
                    Article.objects.not_trashed()
                    .filter(status__in=[S.REVIEW, S.APPROVED], working_copy_of__isnull=True)
                    .order_by("pk")
                    .first()
                )
                if article.status == S.REVIEW:
                    workflow.approve(article, by=user)
                workflow.publish(article, by=user)
                actions["publish"] += 1
            else:
                article = Article.objects.published().order_by("-published_at")[turn % 10]
                workflow.add_correction(article, by=user, text="更正：数据来源已更新。")
                actions["correct"] += 1
        except Exception as error:  # noqa: BLE001 - reported, the load goes on
            actions["failed"] += 1
            log(f"  editor: {type(error).__name__}: {error}")
        seconds.append(time.perf_counter() - started)
        turn += 1
    print(json.dumps({**actions, "ms": [round(s * 1000, 1) for s in seconds]}))


# -- the phase --------------------------------------------------------------


def run_mixed(port, db_url, redis_url, *, duration, connections, edit_every):
    readers, crawler = pick_urls()
    log(f"  mixed: {len(readers)} reader URLs, {len(crawler)} crawler URLs, {duration:g} s")
    # Readers start warm, as in a newsroom's day: one pass over their pages.
    for path in readers:
        asyncio.run(get(port, path))
    # --edit-every 0: no editor, to see what the writes cost the readers.
    editor = editor_process(db_url, redis_url, duration, edit_every) if edit_every > 0 else None
    out = ""
    try:
        samples, seconds = asyncio.run(load(port, readers, crawler, duration, connections))
    finally:
        if editor is not None:
            out, _ = editor.communicate(timeout=duration + 120)
    result = {
        "edit_every": edit_every,
        "classes": summarise(samples, seconds),
        "seconds": seconds,
        "connections": connections,
        "crawler_urls": len(crawler),
        "editor": json.loads(out.strip().splitlines()[-1]) if out.strip() else {},
    }
    return result


def render_mixed(result):
    editor = result.get("editor", {})
    lines = [
        "## Mixed: readers, a crawler and an editor (page cache on)",
        "",
        f"{result['seconds']:.0f} s, {result['connections']} requests in flight "
        f"(Python asyncio on the same 2 cores), readers 80 % / crawler 20 % of requests; "
        + (
            f"the editor published {editor.get('publish', 0)} and corrected "
            f"{editor.get('correct', 0)} articles ({editor.get('failed', 0)} failed), "
            f"one every ~{result['edit_every']:g} s."
            if result["edit_every"] > 0
            else "no editor."
        ),
        "",
        "| class | requests | req/s | p50 ms | p99 ms | cache hits | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, row in result["classes"].items():
        lines.append(
            f"| {kind} | {row['requests']} | {row['rps']:.0f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['hit_ratio']:.1%} | {row['errors']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, help="a running server on 127.0.0.1")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--edit-every", type=float, default=10, help="seconds between edits; 0: no editor"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--editor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    db_url = database_url()
    if args.editor:
        setup_django(db_url, REDIS_URL=args.redis_url)
        run_editor(args.duration, args.edit_every)
        return
    if not args.port:
        parser.error("--port of a running server (or run it through bench/run.py)")
    setup_django(db_url)
    result = run_mixed(
        args.port,
        db_url,
        args.redis_url,
        duration=args.duration,
        connections=args.connections,
        edit_every=args.edit_every,
    )
    print(render_mixed(result))


if __name__ == "__main__":
    main()
