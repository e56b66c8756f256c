"""
Enqueueing, running and dispatching jobs.

- `enqueue` writes a Job row in the caller's transaction and, once that
  commits, hands the job's id to the broker (Celery on Redis or RabbitMQ).
  The key makes it idempotent: the same key twice is one job.
- The broker may be down: then the row simply waits (sent_at empty), the
  failure is logged once per outage, editors are never kept waiting (no
  retry loop, a short connect timeout, and no further attempts from this
  process for JOBS_BROKER_RETRY_SECONDS), and the dispatcher
  (`dispatch_due`, run by the scheduler) sends it when the broker is back.
  Jobs with a future `run_after` wait the same way until they are due.
- `execute` runs a job in a worker: it claims the row (a job already done,
  or running elsewhere within its lease, is not run again), calls the
  registered function, and records success, a retry with exponential
  backoff, or failure with the error.

Delivery is at least once: messages are acknowledged after the job ran
(acks_late), so a job whose worker was killed runs again; job functions are
idempotent.
"""

import logging
import socket
import time
import traceback
import uuid
from datetime import timedelta

from celery.exceptions import Reject
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import registry
from .models import Job

logger = logging.getLogger(__name__)
S = Job.Status

ERROR_DETAIL_MAX = 10_000
HISTORY_MAX = 20


class _Broker:
    """This process's view of the broker: when it last failed, and whether that was logged."""

    down_until = 0.0
    outage_logged = False


broker = _Broker()


def enqueue(name, *, key=None, kwargs=None, run_after=None, max_attempts=None):
    """
    Ask for the job `name` (a registered name or a @job function) to run with
    `kwargs`, not before `run_after`. Returns the Job (the existing one when
    `key` was used before). Sent to the broker when the current transaction
    commits; never raises because the broker is down.
    """
    name = registry.name_of(name)
    spec = registry.get(name)
    if spec is None:
        raise LookupError(f"no job is registered as {name!r}")
    key = key or f"{name}:{uuid.uuid4().hex}"
    job, created = Job.objects.get_or_create(
        key=key[:200],
        defaults={
            "name": name,
            "kwargs": kwargs or {},
            "run_after": run_after or timezone.now(),
            "max_attempts": max_attempts or spec.max_attempts,
        },
    )
    if created and job.run_after <= timezone.now():
        transaction.on_commit(lambda: send(job.pk), robust=True)
    return job


def send(job_id):
    """Hand the job to the broker (or run it here in eager mode). True if handed over."""
    if not (settings.CELERY_BROKER_URL or settings.CELERY_TASK_ALWAYS_EAGER):
        return False  # no broker configured: jobs wait (check jobs.W001 says so)
    if time.monotonic() < broker.down_until:
        return False  # down a moment ago: leave it to the dispatcher
    from .tasks import run_job

    spec = registry.get(Job.objects.filter(pk=job_id).values_list("name", flat=True).first())
    options = {"time_limit": spec.time_limit} if spec else {}
    # Mark first: in eager mode the job runs inside apply_async.
    updated = Job.objects.filter(pk=job_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not updated:
        return False  # another dispatcher sent it
    try:
        run_job.apply_async(args=[job_id], **options)
    except Exception as exc:  # kombu raises OperationalError and friends
        Job.objects.filter(pk=job_id).update(sent_at=None)
        _broker_failed(exc)
        return False
    if broker.outage_logged:
        logger.warning("Job broker reachable again; queued jobs are being sent.")
        broker.outage_logged = False
    return True


def _broker_failed(exc):
    broker.down_until = time.monotonic() + settings.JOBS_BROKER_RETRY_SECONDS
    if not broker.outage_logged:
        broker.outage_logged = True
        logger.error(
            "Job broker unreachable (%s: %s). Jobs wait in the database and are sent when it "
            "is back; the site and the desk keep working.",
            type(exc).__name__,
            exc,
        )


def dispatch_due(*, limit=500):
    """
    Send what waits in the database: jobs not handed to the broker (it was
    down, or they were due later) and jobs stuck as running long after their
    worker should have finished (a message the broker lost). Returns the
    number sent. Run by the scheduler every JOBS_DISPATCH_SECONDS.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=2 * settings.JOBS_VISIBILITY_TIMEOUT)
    Job.objects.filter(status=S.RUNNING, started_at__lt=stale).update(
        status=S.RETRYING, sent_at=None, last_error="the worker running it stopped answering"
    )
    Job.objects.filter(status=S.QUEUED, sent_at__lt=stale).update(sent_at=None)
    due = list(
        Job.objects.filter(
            sent_at__isnull=True, status__in=[S.QUEUED, S.RETRYING], run_after__lte=now
        )
        .order_by("run_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for job_id in due:
        if not send(job_id):
            if time.monotonic() < broker.down_until:
                break
            continue
        sent += 1
    return sent


def run_again(job):
    """The desk's "run again" for a failed job: a fresh round of attempts."""
    Job.objects.filter(pk=job.pk).update(
        status=S.QUEUED, attempts=0, sent_at=None, run_after=timezone.now(), finished_at=None
    )
    transaction.on_commit(lambda: send(job.pk), robust=True)


# Running ------------------------------------------------------------------------


def lease_seconds():
    """How long a running job is presumed alive: a broker redelivers only after its visibility timeout."""
    return settings.JOBS_VISIBILITY_TIMEOUT * 0.8


def claim(job_id):
    """Mark the job running and return it, or None when it must not run (done, or running elsewhere)."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Job %s is gone; its message is dropped.", job_id)
            return None
        if job.status in (S.SUCCEEDED, S.FAILED):
            logger.info(
                "Job %s (%s) already %s; duplicate delivery ignored.", job.pk, job.key, job.status
            )
            return None
        if (
            job.status == S.RUNNING
            and job.started_at
            and (now - job.started_at).total_seconds() < lease_seconds()
        ):
            logger.info(
                "Job %s (%s) is running elsewhere; duplicate delivery ignored.", job.pk, job.key
            )
            return None
        job.status = S.RUNNING
        job.attempts += 1
        job.started_at = now
        job.finished_at = None
        job.worker = f"{socket.gethostname()}:{_pid()}"
        job.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "finished_at",
                "worker",
                "updated_at",
            ]
        )
    return job


def _pid():
    import os

    return os.getpid()


def backoff_seconds(attempt):
    return get_exponential_backoff_interval(
        factor=settings.JOBS_RETRY_BACKOFF,
        retries=attempt - 1,
        maximum=settings.JOBS_RETRY_BACKOFF_MAX,
        full_jitter=False,
    )


def execute(job_id, *, task=None):
    """Run the job `job_id` once (called by the Celery task). Returns a short outcome."""
    job = claim(job_id)
    if job is None:
        return "skipped"
    spec = registry.get(job.name)
    if spec is None:
        _finish(job, S.FAILED, error=f"no job is registered as {job.name!r}")
        return "failed"
    try:
        result = spec.function(**job.kwargs)
    except registry.Permanent as exc:
        _finish(job, S.FAILED, error=str(exc))
        return "failed"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        detail = traceback.format_exc()[-ERROR_DETAIL_MAX:]
        if job.attempts >= job.max_attempts:
            logger.exception(
                "Job %s (%s) failed for good after %d attempts", job.pk, job.key, job.attempts
            )
            _finish(job, S.FAILED, error=error, detail=detail)
            return "failed"
        delay = backoff_seconds(job.attempts)
        _finish(
            job,
            S.RETRYING,
            error=error,
            detail=detail,
            run_after=timezone.now() + timedelta(seconds=delay),
        )
        logger.warning(
            "Job %s (%s) attempt %d failed (%s); retrying in %ss",
            job.pk,
            job.key,
            job.attempts,
            error,
            delay,
        )
        if task is not None:
            try:
                # Celery sends the retry with its countdown; Retry propagates to it.
                raise task.retry(exc=exc, countdown=delay, max_retries=job.max_attempts)
            except (task.MaxRetriesExceededError, Reject) as not_sent:
                logger.warning(
                    "Retry of job %s not sent (%s); the dispatcher will", job.pk, not_sent
                )
        # Without a task (or when the retry could not be sent) the dispatcher sends it when due.
        Job.objects.filter(pk=job.pk, status=S.RETRYING).update(sent_at=None)
        return "retrying"
    _finish(job, S.SUCCEEDED, result=_jsonable(result))
    return "succeeded"


def _finish(job, status, *, error="", detail="", result=None, run_after=None):
    now = timezone.now()
    job.status = status
    fields = ["status", "updated_at"]
    if status in (S.SUCCEEDED, S.FAILED):
        job.finished_at = now
        fields.append("finished_at")
    if error:
        job.last_error = error[:2000]
        job.error_detail = detail or error
        job.history = [
            *job.history,
            {"attempt": job.attempts, "at": now.isoformat(), "error": error[:500]},
        ][-HISTORY_MAX:]
        fields += ["last_error", "error_detail", "history"]
    if result is not None:
        job.result = result
        fields.append("result")
    if run_after is not None:
        job.run_after = run_after
        fields.append("run_after")
    Job.objects.filter(pk=job.pk).update(
        **{f: getattr(job, f) for f in fields if f != "updated_at"}, updated_at=now
    )


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)
