"""How billing reacts to what is announced (wired in ``config/events.py``)."""

from __future__ import annotations

import datetime

from kilowatt.billing import operations, queries
from kilowatt.billing.interfaces import tasks
from kilowatt.platform import audit, events

RENDER_BATCH = 500
EMAIL_BATCH = 500


def bill_run_released(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``billing.bill_run.released.v1``: queue the documents of the run's issued bills
    for rendering, a batch a task, so workers render them after release and never inside
    the run (rendering again is harmless: kept documents are passed over)."""
    ids = queries.issued_invoice_ids(run_id=int(event.payload["run_id"]))
    for start in range(0, len(ids), RENDER_BATCH):
        tasks.render_invoice_pdfs.delay(ids[start : start + RENDER_BATCH])
    # Then those that go by email are emailed with their PDF (business bills always).
    emailed = queries.issued_invoice_ids(run_id=int(event.payload["run_id"]), delivery="EMAIL")
    for start in range(0, len(emailed), EMAIL_BATCH):
        tasks.email_invoices.delay(emailed[start : start + EMAIL_BATCH])


def invoice_issued_alone(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``billing.invoice.final_issued.v1`` and ``billing.invoice.restated.v1``: a bill
    issued outside a run (a final bill; a restatement's credit note and replacement) is
    emailed with its PDF if it goes by email (those going by post are passed over)."""
    payload = event.payload
    keys = ("credit_note_id", "replacement_id") if "replacement_id" in payload else ("invoice_id",)
    tasks.email_invoices.delay([int(payload[key]) for key in keys if payload.get(key)])


def read_changed(event: events.Event, *, as_at: datetime.datetime) -> None:
    """``metering.read.withdrawn.v1`` and ``metering.read.restated.v1``: a read an issued
    bill may have charged changed, so each bill whose period holds its day is restated
    (credited and replaced, if the charge changed; a second event for the same change
    finds nothing to do)."""
    payload = event.payload
    day = datetime.date.fromisoformat(payload["read_date"])
    what = "withdrawn" if event.name.startswith("metering.read.withdrawn") else "corrected"
    for invoice_id in queries.issued_invoices_covering(
        meter_point_id=int(payload["meter_point_id"]), day=day
    ):
        operations.restate_invoice(
            invoice_id=invoice_id,
            reason=f"The read of {day:%-d %B %Y} was {what}",
            actor=audit.SYSTEM,
            as_at=as_at,
        )
