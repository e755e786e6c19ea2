"""Smart meters that stop sending data: found in one query, announced for cases to react."""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.metering import queries
from kilowatt.platform import events
from kilowatt.platform.errors import InvalidInput

SMART_METERS_SILENT = "metering.smart_meter.silent.v1"
SILENT_DAYS = 3
# Meter points an event carries at most: a run that finds more announces several.
EVENT_CHUNK = 1000


@transaction.atomic
def detect_silent_smart_meters(
    *, today: datetime.date, as_at: datetime.datetime, silent_days: int = SILENT_DAYS
) -> list[queries.SilentMeterPoint]:
    """Find the supplied meter points whose smart meter has sent no half-hourly data and
    no accepted smart read for ``silent_days`` before ``today``
    (``queries.silent_smart_meter_points``), announce them as
    ``metering.smart_meter.silent.v1`` (one event a run, split every 1,000 meter points;
    none when nothing is silent) and return them.

    Set-based: one query finds them, one insert an event writes them. Running again
    announces the same meter points again; those who react are idempotent.

    :raises InvalidInput: ``silent_days`` is below 1 (field ``silent_days``, rule ``min``).
    """
    if silent_days < 1:
        raise InvalidInput.one(field="silent_days", rule="min", message="must be at least 1 day")
    silent = queries.silent_smart_meter_points(today=today, silent_days=silent_days)
    for start in range(0, len(silent), EVENT_CHUNK):
        events.publish(
            name=SMART_METERS_SILENT,
            payload={
                "detected_on": today.isoformat(),
                "silent_days": silent_days,
                "meter_points": [
                    {
                        "id": point.meter_point_id,
                        "last_heard_on": point.last_heard_on.isoformat()
                        if point.last_heard_on
                        else None,
                    }
                    for point in silent[start : start + EVENT_CHUNK]
                ],
            },
            at=as_at,
        )
    return silent
