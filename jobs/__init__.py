"""
Background jobs: a Job row per piece of work, run by Celery workers.

The API other apps call (see README, "Jobs"):

    from jobs import job, enqueue, Permanent

    @job("desk.send_mail", max_attempts=5)
    def send_mail(*, notification_id):
        ...                      # raise Permanent("why") to fail without retrying

    enqueue("desk.send_mail", key=f"mail:{notification.pk}", kwargs={"notification_id": notification.pk})

`enqueue` writes the Job row in the caller's transaction and hands it to the
broker when that transaction commits; a `key` makes it idempotent (a second
enqueue with the same key returns the first job). The details are in
jobs/api.py.
"""

from .registry import Permanent, job


def enqueue(name, **options):
    """See jobs.api.enqueue (imported lazily: this module loads before the models)."""
    from .api import enqueue as _enqueue

    return _enqueue(name, **options)


__all__ = ["Permanent", "enqueue", "job"]
