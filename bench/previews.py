"""
How fast is a shareable preview (previews/) against the public article page
it imitates? In-process, through Django's test client, on a throw-away test
database (SQLite, or PostgreSQL with DATABASE_URL; DATABASE_TEST_NAME names it):

    .venv/bin/python bench/previews.py [--requests 300] [--others 2000]

Prints the median and 95th percentile per page, and the queries each costs.
No page cache (it never serves previews); a rough figure on a shared machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--others", type=int, default=2000, help="other articles and links")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    logging.getLogger("previews").setLevel(logging.WARNING)
    # As Django's test cases do: keep one connection across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from articles.models import Article
        from articles.workflow import SYSTEM
        from previews.services import create_link
        from tests.factories import make_article, make_topic

        topic = make_topic("基准")
        body = "<p>" + "晶圆厂扩产，产业链上下游同步调整。" * 120 + "</p>"
        tags = ["芯片", "晶圆", "产能", "出口"]
        live = make_article(title="已发布基准文章", topic=topic, body=body, tags=tags)
        draft = make_article(
            title="未发布基准文章", topic=topic, body=body, tags=tags,
            status=Article.Status.DRAFT, published_at=None,
        )  # fmt: skip
        for n in range(args.others):
            other = make_article(title=f"其他{n}", topic=topic, status=Article.Status.DRAFT)
            create_link(other, by=SYSTEM)
        _link, token = create_link(draft, by=SYSTEM)
        pages = {"preview": f"/preview/{token}/", "article": live.get_absolute_url()}
        client = Client()
        for name, url in pages.items():
            for _ in range(20):  # warm up
                assert client.get(url).status_code == 200
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url)
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{name:8} {connection.vendor:10} median {statistics.median(times):6.2f} ms"
                f"  p95 {p95:6.2f} ms  queries {len(queries)}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
