"""Celery tasks of comms: the email outbox sent every minute (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from kilowatt.comms import operations
from kilowatt.platform import clock


@shared_task(name="comms.send_queued_emails")
def send_queued_emails(limit: int = 200) -> int:
    """Send up to ``limit`` due emails over SMTP; return how many the server accepted."""
    return operations.send_queued_emails(as_at=clock.now(), limit=limit)
