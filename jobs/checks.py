from django.conf import settings
from django.core.checks import Warning, register


@register()
def broker_configured(app_configs, **kwargs):
    """
    Without a broker (and outside eager mode) jobs wait in the database and
    never run: a warning when pushes are configured (they would never go
    out). Feeds polled without a worker show as waiting in the desk.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL:
        return []
    if not (settings.WEBSUB_HUB_URLS or settings.INDEXNOW_KEY or settings.BAIDU_PUSH_TOKEN):
        return []
    return [
        Warning(
            "No job broker is configured (JOBS_BROKER_URL): background jobs (feed polling, "
            "push notifications) wait in the database and do not run.",
            hint="Set JOBS_BROKER_URL=redis://127.0.0.1:6379/1 and run `celery -A jobs worker` "
            "and `celery -A jobs beat` (see README, Jobs).",
            id="jobs.W001",
        )
    ]
