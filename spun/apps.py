from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpunConfig(AppConfig):
    name = "spun"
    verbose_name = _("Spun copy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .checks import connect_signals

        # Every article's verdict follows its saves and bulk writes.
        connect_signals()
