"""
The job queue (jobs/): idempotent enqueueing, retries with backoff, failure
with the error kept, duplicate deliveries ignored, and a broker that is down
(a closed port): editors are not kept waiting, the outage is logged once, the
work waits in the database and runs when the broker is back.
"""

import logging
import socket
import time

import pytest

from jobs import Permanent, enqueue, job
from jobs import api as jobs_api
from jobs.models import Job

S = Job.Status
CALLS = []


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the desk's English texts (the site's default language is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@job("tests.record", max_attempts=3)
def record_call(*, value):
    CALLS.append(value)
    return f"recorded {value}"


@job("tests.flaky", max_attempts=4)
def flaky(*, fail_times):
    CALLS.append("try")
    if len(CALLS) <= fail_times:
        raise ConnectionError(f"endpoint down (try {len(CALLS)})")
    return "finally"


@job("tests.refused", max_attempts=4)
def refused():
    CALLS.append("try")
    raise Permanent("the endpoint refused the request: 403")


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    jobs_api.broker.down_until = 0.0
    jobs_api.broker.outage_logged = False
    yield
    jobs_api.broker.down_until = 0.0
    jobs_api.broker.outage_logged = False


def use_broker(url, *, eager):
    """Point the Celery app at another broker (its connection pools start afresh)."""
    from kombu import pools

    from jobs.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    pools.reset()  # kombu's registries of connection and producer pools
    app._pool = None
    app.amqp._producer_pool = None


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.mark.django_db
def test_enqueued_job_runs_after_commit_and_is_recorded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue("tests.record", key="k1", kwargs={"value": 1})
        assert CALLS == []  # nothing runs before the transaction commits
    first.refresh_from_db()
    assert CALLS == [1]
    assert first.status == S.SUCCEEDED and first.attempts == 1
    assert first.result == "recorded 1" and first.finished_at is not None


@pytest.mark.django_db
def test_the_same_key_is_one_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(record_call, key="same", kwargs={"value": 1})
        second = enqueue(record_call, key="same", kwargs={"value": 2})
    assert first.pk == second.pk
    assert CALLS == [1]
    assert Job.objects.count() == 1


@pytest.mark.django_db
def test_a_done_job_delivered_again_does_not_run_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        done = enqueue(record_call, key="once", kwargs={"value": 1})
    assert jobs_api.execute(done.pk) == "skipped"  # a duplicate delivery
    assert CALLS == [1]


@pytest.mark.django_db
def test_a_failing_job_is_retried_with_backoff_and_keeps_each_error(
    django_capture_on_commit_callbacks, settings
):
    settings.JOBS_RETRY_BACKOFF = 2
    with django_capture_on_commit_callbacks(execute=True):
        flaky_job = enqueue(flaky, kwargs={"fail_times": 2})
    flaky_job.refresh_from_db()
    assert CALLS == ["try", "try", "try"]
    assert flaky_job.status == S.SUCCEEDED and flaky_job.attempts == 3
    assert [h["error"] for h in flaky_job.history] == [
        "ConnectionError: endpoint down (try 1)",
        "ConnectionError: endpoint down (try 2)",
    ]
    # Exponential: 2 s after the first failure, 4 s after the second, capped.
    assert [jobs_api.backoff_seconds(n) for n in (1, 2, 3)] == [2, 4, 8]
    settings.JOBS_RETRY_BACKOFF_MAX = 5
    assert jobs_api.backoff_seconds(10) == 5


@pytest.mark.django_db
def test_a_job_that_keeps_failing_fails_with_its_error(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        doomed = enqueue(flaky, kwargs={"fail_times": 99})
    doomed.refresh_from_db()
    assert len(CALLS) == 4  # max_attempts
    assert doomed.status == S.FAILED
    assert doomed.last_error == "ConnectionError: endpoint down (try 4)"
    assert "Traceback" in doomed.error_detail


@pytest.mark.django_db
def test_a_permanent_failure_is_not_retried(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refused_job = enqueue(refused)
    refused_job.refresh_from_db()
    assert CALLS == ["try"]
    assert refused_job.status == S.FAILED
    assert refused_job.last_error == "the endpoint refused the request: 403"


@pytest.mark.django_db
def test_a_job_for_later_waits_for_the_dispatcher(django_capture_on_commit_callbacks, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        later = enqueue(
            record_call, kwargs={"value": "later"}, run_after=timezone.now() + timedelta(hours=1)
        )
    assert CALLS == [] and Job.objects.get(pk=later.pk).sent_at is None
    assert jobs_api.dispatch_due() == 0
    time_machine.move_to(timezone.now() + timedelta(hours=1, seconds=1))
    assert jobs_api.dispatch_due() == 1
    assert CALLS == ["later"]


@pytest.mark.django_db
def test_broker_down_keeps_work_and_logs_once_then_runs_when_it_returns(
    django_capture_on_commit_callbacks, settings, caplog
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    use_broker(settings.CELERY_BROKER_URL, eager=False)
    try:
        caplog.set_level(logging.ERROR, logger="jobs.api")
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            first = enqueue(record_call, kwargs={"value": 1})
        with django_capture_on_commit_callbacks(execute=True):
            second = enqueue(record_call, kwargs={"value": 2})
        elapsed = time.monotonic() - started
        outage_logs = [r for r in caplog.records if "broker unreachable" in r.getMessage()]
        assert len(outage_logs) == 1, [r.getMessage() for r in caplog.records]
        assert (
            "Connection refused" in outage_logs[0].getMessage()
            or "Error 111" in outage_logs[0].getMessage()
        )
        assert elapsed < 5  # a refused connection, once: nobody waits on retries
        for queued in (first, second):
            queued.refresh_from_db()
            assert queued.status == S.QUEUED and queued.sent_at is None
        assert jobs_api.dispatch_due() == 0  # still down: left alone until the retry time
        assert CALLS == []
    finally:
        use_broker(None, eager=True)
    # The broker is back (here: eager mode); the dispatcher's next round sends them.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    jobs_api.broker.down_until = 0.0
    assert jobs_api.dispatch_due() == 2
    assert sorted(CALLS) == [1, 2]
    assert set(Job.objects.values_list("status", flat=True)) == {S.SUCCEEDED}


@pytest.mark.django_db
def test_desk_job_list_shows_status_attempts_and_error(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(flaky, key="visible-failure", kwargs={"fail_times": 99})
    page = admin_client.get("/admin/jobs/job/").content.decode()
    assert "visible-failure" in page
    assert "4/4" in page
    assert "ConnectionError: endpoint down (try 4)" in page


@pytest.mark.django_db
def test_desk_runs_a_failed_job_again(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        failed = enqueue(flaky, kwargs={"fail_times": 4})
    assert Job.objects.get(pk=failed.pk).status == S.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/jobs/job/", {"action": "run_again", "_selected_action": [failed.pk]}
        )
    failed.refresh_from_db()
    assert failed.status == S.SUCCEEDED and failed.attempts == 1
