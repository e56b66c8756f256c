from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles.changes import article_events_recorded

        # The e-mail job is registered by importing its module.
        from . import services

        article_events_recorded.connect(services.on_events, dispatch_uid="notifications-events")
