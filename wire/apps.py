from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WireConfig(AppConfig):
    name = "wire"
    verbose_name = _("Wire desk and distribution")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles.changes import article_events_recorded

        # The jobs this app runs (registered by importing their modules).
        from . import licences, polling, push, receivers  # noqa: F401

        article_events_recorded.connect(receivers.on_events, dispatch_uid="wire-events")
