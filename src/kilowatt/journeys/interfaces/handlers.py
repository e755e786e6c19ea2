"""How the journeys react to what lower contexts announce (wired in ``config/events.py``)."""

from __future__ import annotations

import datetime

from kilowatt.journeys import operations
from kilowatt.platform import events
from kilowatt.platform.errors import NotFound


def loss_notified(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``integrations.supply.loss_notified.v1``: start the loss journey of the meter
    point and offer the customer a reason to stay (idempotent: the same notice twice is
    one journey and one email)."""
    payload = event.payload
    operations.record_loss(
        meter_point_id=int(payload["meter_point_id"]),
        identifier=str(payload["identifier"]),
        supply_end_date=datetime.date.fromisoformat(payload["supply_end_date"]),
        registration_id=str(payload.get("registration_id") or ""),
        gaining_supplier=str(payload.get("gaining_supplier") or ""),
        as_at=as_at,
    )


def loss_cancelled(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``integrations.supply.loss_cancelled.v1``: the other supplier's switch was
    cancelled before its date; the loss journey stops and nothing ends. A loss we never
    recorded (not ours) is nothing to stop."""
    try:
        operations.cancel_loss(registration_id=str(event.payload["registration_id"]), as_at=as_at)
    except NotFound:
        return


def final_bill_issued(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``billing.invoice.final_issued.v1``: a move out or loss waiting for the account's
    final bill closes the account."""
    operations.note_final_bill(
        account_id=int(event.payload["account_id"]),
        invoice_id=int(event.payload["invoice_id"]),
        as_at=as_at,
    )
