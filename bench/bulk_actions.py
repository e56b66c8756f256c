"""
How long the desk's bulk actions take per article, and how many queries
(articles/bulk.py runs each article through its workflow function in its
own transaction, so both grow linearly). A throwaway test database:

    .venv/bin/python bench/bulk_actions.py            # 50 and 200 articles, SQLite
    DATABASE_URL=postgres://… .venv/bin/python bench/bulk_actions.py --sizes 50 200

Not part of CI; the numbers go in the README or a report, never in a test.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("DATABASE_TEST_NAME", "test_newsroom_bench_bulk")
os.environ.setdefault("DESK_BULK_MAX_ARTICLES", "100000")  # measure beyond the desk's limit


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from articles import workflow
        from articles.models import Article
        from tests.factories import make_article, make_topic, make_user

        writer, editor = make_user("writer"), make_user("editor")
        topic, target = make_topic("基准"), make_topic("目标")
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
        client.force_login(editor)
        url = reverse("admin:articles_article_changelist")
        for size in args.sizes:
            articles = []
            for _ in range(size):
                article = make_article(
                    topic=topic, status=Article.Status.DRAFT, published_at=None, created_by=writer
                )
                workflow.submit_for_review(article, by=writer)
                articles.append(article.pk)
            for action, extra in (
                ("approve_selected", {}),
                ("move_to_topic", {"apply": 1, "topic": target.pk}),
                ("add_tag", {"apply": 1, "tag": "基准标签"}),
                ("publish_selected", {}),
            ):
                data = {"action": action, "_selected_action": articles, "index": 0, **extra}
                queries = []

                def count(execute, sql, params, many, context, queries=queries):
                    queries.append(1)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    start = time.perf_counter()
                    response = client.post(url, data)
                    elapsed = time.perf_counter() - start
                assert response.status_code == 302, response.status_code
                print(
                    f"{connection.vendor:10} {size:5} articles  {action:18} "
                    f"{elapsed:7.2f} s  {elapsed / size * 1000:6.1f} ms/article  "
                    f"{len(queries) / size:5.1f} queries/article"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
