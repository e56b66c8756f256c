"""Settings of the Celery workers the queue tests start (tests/test_jobs_worker.py)."""

import os

from tests.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False

if os.environ.get("WIRE_TEST_SERVER_PORT"):
    # wire.example.com is the test's local feed server (see tests/wire_dns.py).
    from tests import wire_dns

    wire_dns.install(int(os.environ["WIRE_TEST_SERVER_PORT"]))

# The queue of the test run that started this worker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("JOBS_TEST_QUEUE", "celery")
