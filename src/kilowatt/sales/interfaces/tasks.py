"""Celery tasks of sales: unsigned contracts chased and lapsed, daily."""

from __future__ import annotations

from celery import shared_task

from kilowatt.platform import clock
from kilowatt.sales import operations


@shared_task(name="sales.chase_unsigned_contracts")
def chase_unsigned_contracts() -> list[int]:
    """Email the reminders due and lapse the sign-ups whose signing link expired."""
    reminded, lapsed = operations.chase_unsigned_contracts(as_at=clock.now())
    return [reminded, lapsed]
