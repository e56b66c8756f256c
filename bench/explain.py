"""
Query plans of every public page at benchmark size:

    .venv/bin/python bench/explain.py          (or: bench/run.py --explain)

Requests each page the benchmark loads, plus the sitemaps, in this process
with Django's test client against the benchmark database (bench/generate.py
must have filled it), captures the SQL the views actually run and prints
`EXPLAIN (ANALYZE, BUFFERS)` for each SELECT. The cache is emptied before
every request, so the plans include what a cache miss costs (counts, the
content epoch), not only what a warm page needs.

Each query gets a one-line verdict: `seq scan` when a plan reads a large
table (articles, tag links) sequentially, `reads ~N rows` when its scans of
those tables return or filter out more than 1,000 rows (a top-N sort over a
whole list, a COUNT), `spills` when a sort goes to disk; the full plans follow. Written to bench/results/explain.md.
"""

import re
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, database_url, log, setup_django  # noqa: E402

LARGE_TABLES = ("articles_article", "articles_taggedarticle")
# A scan node and its actual rows and loops.
SCAN = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)(?: Backward)?"
    r"(?: using \w+)? on (\w+).*?actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)"
)
REMOVED = re.compile(r"Rows Removed by (?:Filter|Join Filter|Index Recheck): (\d+)")
EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")
# More rows than this read from a large table for one page is worth a look.
ROWS_WORTH_A_LOOK = 1000


def explain_all(output=None):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.pages import pick_pages, sitemap_pages

    output = output or RESULTS_DIR / "explain.md"
    client = Client(HTTP_HOST="127.0.0.1")
    summary, details = [], []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_article")
        articles = cursor.fetchone()[0]
    for name, path in [*pick_pages(), *sitemap_pages()]:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        log(f"{name} {path}: {response.status_code}, {len(captured)} queries")
        summary.append(f"\n### {name} `{path}`: {response.status_code}, {len(captured)} queries\n")
        summary.append("| # | ms | verdict | query |\n| ---: | ---: | --- | --- |")
        for number, query in enumerate(captured.captured_queries, start=1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                summary.append(f"| {number} | | not a SELECT | `{shorten(sql)}` |")
                continue
            plan = explain(sql)
            verdict, ms = judge(plan)
            summary.append(f"| {number} | {ms} | {verdict} | `{shorten(sql)}` |")
            details.append(
                f"\n#### {name} query {number}\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```"
            )
    report = "\n".join(
        [
            f"# Query plans at {articles:,} articles",
            "",
            "Each public page requested once with an empty cache; every SELECT it ran, "
            "with `EXPLAIN (ANALYZE, BUFFERS)`. Verdict: *seq scan* = a large table "
            f"({', '.join(LARGE_TABLES)}) read sequentially; *reads ~N rows* = its scans "
            f"of those tables return or filter out more than {ROWS_WORTH_A_LOOK:,} rows.",
            *summary,
            "\n## Plans",
            *details,
            "",
        ]
    )
    output.write_text(report, encoding="utf-8")
    print(report)
    log(f"Written to {output}")


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def judge(plan):
    """(verdict, execution ms): seq scans and large reads of the big tables, spills."""
    problems, rows_read = [], 0
    for kind, table, rows, loops in SCAN.findall(plan):
        if table in LARGE_TABLES:
            rows_read += int(rows) * int(loops)
            if kind == "Seq Scan":
                problems.append(f"seq scan {table}")
    rows_read += sum(int(n) for n in REMOVED.findall(plan))
    if rows_read > ROWS_WORTH_A_LOOK:
        problems.append(f"reads ~{rows_read:,} rows")
    if "external merge" in plan or "Disk:" in plan:
        problems.append("sort spills to disk")
    match = EXECUTION.search(plan)
    verdict = "**" + ", ".join(dict.fromkeys(problems)) + "**" if problems else "ok"
    return verdict, match.group(1) if match else ""


def shorten(sql, length=160):
    sql = " ".join(sql.split()).replace("|", "\\|").replace("`", "'")
    return sql if len(sql) <= length else sql[: length - 1] + "…"


def main():
    setup_django(database_url())
    from bench.run import collect_static

    collect_static()
    explain_all()


if __name__ == "__main__":
    main()
