"""How integrations reacts to what lower contexts announce (wired in ``config/events.py``)."""

from __future__ import annotations

import datetime

from kilowatt.integrations import operations
from kilowatt.platform import events


def meter_exchanged(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``metering.meter.exchanged.v1``: queue the flows that tell the industry of the
    exchange (idempotent: the same event twice queues nothing more)."""
    payload = event.payload
    operations.queue_meter_exchange_flows(
        exchange=operations.MeterExchanged(
            meter_point_id=int(payload["meter_point_id"]),
            old_meter_id=int(payload["old_meter_id"]),
            new_meter_id=int(payload["new_meter_id"]),
            exchanged_on=datetime.date.fromisoformat(payload["exchanged_on"]),
            final_read_ids=tuple(int(i) for i in payload.get("final_read_ids", ())),
            first_read_ids=tuple(int(i) for i in payload.get("first_read_ids", ())),
        ),
        as_at=as_at,
    )


def order_signed(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``sales.order.signed.v1``: queue a switch request at the CSS for each of the
    order's meter points (idempotent: the same event twice queues nothing more)."""
    operations.request_registrations(order_id=int(event.payload["order_id"]), as_at=as_at)


def order_cancelled(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``sales.order.cancelled.v1``: withdraw the order's registrations that are
    requested or accepted (the customer cancelled within cooling-off)."""
    operations.withdraw_registrations(order_id=int(event.payload["order_id"]), as_at=as_at)


def order_transfer_disputed(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``sales.order.transfer_disputed.v1``: ask the CSS to annul the order's
    registrations (an erroneous transfer: the customer never agreed)."""
    operations.request_annulment(
        order_id=int(event.payload["order_id"]),
        reason=str(event.payload.get("reason") or "erroneous transfer"),
        as_at=as_at,
    )


def order_submitted(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``sales.order.submitted.v1``: ask the credit reference agency about a business
    sign-up that waits for its credit check (``status`` ``CREDIT_CHECK``; other orders
    are not ours to act on). Idempotent: the same event twice asks once; an agency that
    cannot be reached is asked again by the ``integrations.retry_credit_checks`` task."""
    if event.payload.get("status") != "CREDIT_CHECK":
        return
    operations.check_business_credit(order_reference=str(event.payload["reference"]), as_at=as_at)
