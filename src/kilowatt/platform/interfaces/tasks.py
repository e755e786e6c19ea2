"""Celery tasks of the shared kernel: delivering the outbox's events to their handlers."""

from __future__ import annotations

from celery import shared_task

from kilowatt.platform import clock, events


@shared_task(name="platform.dispatch_events")
def dispatch_events(limit: int = 500) -> int:
    """Deliver up to ``limit`` waiting events to the handlers wired to them."""
    return events.dispatch(as_at=clock.now(), limit=limit)
