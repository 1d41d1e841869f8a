"""The Celery application: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings.dev")

app = Celery("coordination")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The regional core keeps its jobs by noun (coordination/notifications/tasks.py).
app.autodiscover_tasks(["coordination.notifications", "coordination.outbox", "coordination.jobs"])
