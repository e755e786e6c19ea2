"""Celery tasks of the journeys: every journey's due step, daily."""

from __future__ import annotations

import dataclasses

from celery import shared_task

from kilowatt.journeys import operations
from kilowatt.platform import clock


@shared_task(name="journeys.advance_journeys")
def advance_journeys() -> dict[str, int]:
    """End lost supplies on their day, remind for final readings and sign-ups, close
    accounts whose final bill is out."""
    return dataclasses.asdict(operations.advance_journeys(as_at=clock.now()))
