from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The web process sends through the same Celery app the workers run.
        from . import (
            celery,  # noqa: F401
            checks,  # noqa: F401
        )
