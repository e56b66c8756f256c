"""The Celery tasks: one that runs any job by id, and the dispatcher's tick."""

from celery import shared_task

from . import api


@shared_task(
    bind=True, name="jobs.run", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def run_job(self, job_id):
    return api.execute(job_id, task=self)


@shared_task(name="jobs.dispatch", ignore_result=True)
def dispatch():
    """Periodic (the scheduler): send jobs that wait in the database."""
    return api.dispatch_due()
