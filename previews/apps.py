from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreviewsConfig(AppConfig):
    name = "previews"
    verbose_name = _("Shareable previews")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles.changes import article_events_recorded

        from . import receivers

        # An article moved to the trash takes its preview links with it.
        article_events_recorded.connect(receivers.on_events, dispatch_uid="previews-events")
