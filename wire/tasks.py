"""The wire desk's periodic tick (sent by the scheduler, see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .licences import enforce_licences
from .polling import poll_due_feeds


@shared_task(name="wire.tick", ignore_result=True)
def tick():
    polls = poll_due_feeds()
    licences = enforce_licences()
    return {"polls": len(polls), "licences": len(licences)}
