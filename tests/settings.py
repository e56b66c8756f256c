"""Settings for the test suite: production settings with a throwaway secret."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from newsroom.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Templates use {% static %}; the manifest only exists after collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Most tests render pages fresh; tests/test_cache.py turns these on.
PAGE_CACHE = False
COUNT_CACHE = False

# Jobs run in the test process when their transaction commits, as in the demo
# (tests/test_jobs_worker.py starts real Celery workers against Redis).
CELERY_TASK_ALWAYS_EAGER = True

# SQLite tests use a database file (in memory-backed /dev/shm where there is
# one), so that the Celery workers of tests/test_jobs_worker.py can open it.
_default = DATABASES["default"]  # noqa: F405
if _default["ENGINE"] == "django.db.backends.sqlite3":
    import tempfile

    _folder = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    _default["TEST"] = {"NAME": os.path.join(_folder, f"newsroom-test-{os.getpid()}.sqlite3")}
    _default.setdefault("OPTIONS", {})["timeout"] = 30

# Roles need no second factor in most tests; tests/security/test_login.py turns it on.
TWO_FACTOR_REQUIRED_GROUPS = []
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = False
