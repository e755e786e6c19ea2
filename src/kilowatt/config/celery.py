"""The Celery application. Without CELERY_BROKER_URL tasks run in process (eager).

Each context's tasks are in its ``interfaces/tasks.py``; the schedule is
``CELERY_BEAT_SCHEDULE`` in settings.
"""

from __future__ import annotations

import importlib.util
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kilowatt.config.settings")

app = Celery("kilowatt")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _contexts_with_interfaces() -> list[str]:
    # Celery looks for "<app>.interfaces.tasks" and gives up with an error on an app that
    # has no "interfaces" package at all (django.contrib.admin): ask only those that do.
    from django.conf import settings

    return [
        name
        for name in settings.INSTALLED_APPS
        if name.startswith("kilowatt.") and importlib.util.find_spec(f"{name}.interfaces")
    ]


app.autodiscover_tasks(_contexts_with_interfaces, related_name="interfaces.tasks")
