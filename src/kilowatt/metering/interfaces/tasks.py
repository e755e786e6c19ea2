"""Celery tasks of metering: the daily look for smart meters that stopped sending data."""

from __future__ import annotations

from celery import shared_task

from kilowatt.metering import operations
from kilowatt.platform import clock


@shared_task(name="metering.detect_silent_smart_meters")
def detect_silent_smart_meters(silent_days: int = 3) -> int:
    """Announce the smart meters silent for ``silent_days``; return how many."""
    return len(
        operations.detect_silent_smart_meters(
            today=clock.today(), as_at=clock.now(), silent_days=silent_days
        )
    )
