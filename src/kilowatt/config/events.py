"""Event wiring: which higher context's handlers react to which lower context's events.

``platform.events.dispatch`` reads this mapping (named by the ``KILOWATT_EVENT_HANDLERS``
setting) and hands each undelivered outbox event to the handlers listed for its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kilowatt.billing.interfaces import handlers as billing_handlers
from kilowatt.cases.interfaces import handlers as case_handlers
from kilowatt.integrations.interfaces import handlers as integration_handlers
from kilowatt.journeys.interfaces import handlers as journey_handlers
from kilowatt.platform.events import Handler

HANDLERS: Mapping[str, Sequence[Handler]] = {
    "metering.smart_meter.silent.v1": (case_handlers.smart_meters_silent,),
    # The industry is told of a meter exchange: D0150 + D0010, or the gas agency's record.
    "metering.meter.exchanged.v1": (integration_handlers.meter_exchanged,),
    # A released run's bills are rendered by workers, after the run, never inside it.
    "billing.bill_run.released.v1": (billing_handlers.bill_run_released,),
    # A read a bill charged changed: the bill is restated (credited and replaced).
    "metering.read.withdrawn.v1": (billing_handlers.read_changed,),
    "metering.read.restated.v1": (billing_handlers.read_changed,),
    # Bills issued outside a run are emailed too (if they go by email).
    # ... and a move out or loss waiting for the final bill closes the account.
    "billing.invoice.final_issued.v1": (
        billing_handlers.invoice_issued_alone,
        journey_handlers.final_bill_issued,
    ),
    "billing.invoice.restated.v1": (billing_handlers.invoice_issued_alone,),
    # A signed order's meter points are registered at the CSS; a cancellation within
    # cooling-off withdraws them; an erroneous transfer is annulled.
    "sales.order.signed.v1": (integration_handlers.order_signed,),
    "sales.order.cancelled.v1": (integration_handlers.order_cancelled,),
    "sales.order.transfer_disputed.v1": (integration_handlers.order_transfer_disputed,),
    # A business sign-up waits for the credit reference agency's decision.
    "sales.order.submitted.v1": (integration_handlers.order_submitted,),
    # Another supplier takes one of our meter points: a retention offer, then the final bill.
    "integrations.supply.loss_notified.v1": (journey_handlers.loss_notified,),
    # ... and its switch cancelled before the date: nothing ends.
    "integrations.supply.loss_cancelled.v1": (journey_handlers.loss_cancelled,),
}
