"""The composition root. Loading it loads the Celery app, so every ``shared_task`` binds
to it (and runs in process when no broker is configured)."""

from kilowatt.config.celery import app as celery_app

__all__ = ["celery_app"]
