"""
Settings for the benchmark's gunicorn runs and in-process measurements
(bench/run.py, bench/explain.py): the production settings, plus

- the bare reference view (bench/urls.py), which production urls never carry;
- an `X-Query-Count` header on every response (bench/middleware.py);
- a throw-away STATIC_ROOT, so collectstatic never touches the project's.
"""

import os

from newsroom import settings as production
from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Outermost, so it counts every query a request costs, middleware included.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *production.MIDDLEWARE]

STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(production.STATIC_ROOT))

# The reference view is measured bare: never stored in, nor served from, the page cache.
PAGE_CACHE_EXCLUDE_PREFIXES = (
    *getattr(production, "PAGE_CACHE_EXCLUDE_PREFIXES", ()),
    "/_bench/",
)
