"""
What every benchmark script shares: where the data lives, the production-like
environment (set before Django starts) and a few small helpers.

The database is BENCH_DATABASE_URL (or DATABASE_URL), by default
postgres://postgres@127.0.0.1:5432/newsroom_bench.
"""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The caller's environment, before setup_django() adjusts this process's own.
ORIGINAL_ENVIRONMENT = dict(os.environ)


def database_url():
    return (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


def is_local(url):
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def production_environment(db_url):
    """
    The environment of a production deployment on this machine, with HTTPS
    redirects and secure cookies off because wrk speaks plain HTTP to
    127.0.0.1. A fresh SECRET_KEY each run; DEBUG always off.
    """
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": db_url,
        "BENCH_STATIC_ROOT": str(RESULTS_DIR / "staticfiles"),
        "LOG_LEVEL": "WARNING",
    }


def setup_django(db_url, **extra):
    """Configure this process like the benchmarked servers and start Django."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.update(production_environment(db_url))
    # This process opens one connection at a time; without a pool it can also
    # drop and recreate the database (the servers keep production's pool).
    os.environ["DATABASE_POOL"] = "0"
    os.environ.update({key: str(value) for key, value in extra.items()})
    # This process never needs a shared cache; never touch someone else's Redis.
    for name in ("REDIS_URL", "CACHE_URL"):
        if name not in extra:
            os.environ.pop(name, None)
    import django

    django.setup()


def log(message):
    print(message, file=sys.stderr, flush=True)
