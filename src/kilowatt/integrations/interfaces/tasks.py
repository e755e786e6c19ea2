"""Celery tasks of integrations: messages to and from the Central Switching Service, every
minute on beat (``CELERY_BEAT_SCHEDULE`` in settings)."""

from __future__ import annotations

from celery import shared_task

from kilowatt.integrations import operations
from kilowatt.platform import clock


@shared_task(name="integrations.send_switching_messages")
def send_switching_messages() -> int:
    """Post the queued messages that are due to the CSS; return how many it took."""
    return operations.send_switching_messages(as_at=clock.now(), limit=500)


@shared_task(name="integrations.fetch_switching_messages")
def fetch_switching_messages() -> int:
    """Fetch, keep and apply the CSS's messages for us; return how many were applied."""
    return operations.fetch_switching_messages(as_at=clock.now())


@shared_task(name="integrations.retry_credit_checks")
def retry_credit_checks() -> int:
    """Ask the credit agency again about the business credit checks that are due; return
    how many were decided."""
    return operations.retry_pending_credit_checks(as_at=clock.now())
