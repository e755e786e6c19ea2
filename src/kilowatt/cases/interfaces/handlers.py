"""How cases reacts to what lower contexts announce (wired in ``config/events.py``)."""

from __future__ import annotations

import datetime

from kilowatt.cases import operations
from kilowatt.cases.domain import cases
from kilowatt.platform import audit, events


def smart_meters_silent(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``metering.smart_meter.silent.v1``: open a case on each silent meter point that
    has none open (idempotent: the same event twice opens nothing more)."""
    payload = event.payload
    operations.open_cases_for_silent_meters(
        silent=[
            cases.SilentMeterPoint(
                meter_point_id=int(point["id"]),
                last_heard_on=datetime.date.fromisoformat(point["last_heard_on"])
                if point.get("last_heard_on")
                else None,
            )
            for point in payload["meter_points"]
        ],
        silent_days=int(payload["silent_days"]),
        actor=audit.SYSTEM,
        as_at=as_at,
    )
