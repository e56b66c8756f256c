"""
The Celery application: `celery -A jobs worker` and `celery -A jobs beat`.

Configuration comes from Django's settings (the CELERY_* names in
newsroom/settings.py); tasks are found in each app's tasks.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
