"""The Celery application.

With ``CELERY_BROKER_URL`` unset, tasks run inline in the calling process
(``task_always_eager``), so the application needs no broker to run.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("proposal_replies")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
