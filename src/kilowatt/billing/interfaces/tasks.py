"""Celery tasks of billing: a bill run's chunks (each one task, so more workers on more
machines bill faster), and the invoice documents rendered after a run's release."""

from __future__ import annotations

import datetime

from celery import shared_task

from kilowatt.billing import operations
from kilowatt.platform import clock


@shared_task(name="billing.bill_chunk", acks_late=True)
def bill_chunk(chunk_id: int) -> int:
    """Bill one chunk of a run (harmless if it is done already); return its invoices."""
    return operations.bill_chunk(chunk_id=chunk_id, as_at=clock.now())


@shared_task(name="billing.render_invoice_pdfs", acks_late=True)
def render_invoice_pdfs(invoice_ids: list[int]) -> int:
    """Render and keep the documents of these issued invoices (those kept already are
    passed over); return how many were rendered."""
    return operations.render_invoice_pdfs(invoice_ids=invoice_ids, as_at=clock.now())


@shared_task(name="billing.email_invoices", acks_late=True)
def email_invoices(invoice_ids: list[int]) -> int:
    """Queue the emails (with their PDFs) of these issued invoices that go by email
    (those queued already, or going by post, are passed over); return how many."""
    return operations.email_issued_invoices(invoice_ids=invoice_ids, as_at=clock.now())


@shared_task(name="billing.start_due_run")
def start_due_run() -> int:
    """Start (or resume) the run of the accounts whose bill day was yesterday and queue
    its chunks not billed yet; return how many were queued. It runs once the bill day is
    over, so every read dated that day (the bills' closing reads) is in."""
    run_id = operations.start_bill_run(
        run_date=clock.today() - datetime.timedelta(days=1),
        started_by="scheduled",
        as_at=clock.now(),
    )
    pending = operations.pending_chunk_ids(run_id=run_id)
    for chunk_id in pending:
        bill_chunk.delay(chunk_id)
    return len(pending)


@shared_task(name="billing.issue_due_final_bills")
def issue_due_final_bills() -> int:
    """Issue the final bill of every account whose supply ended; return how many."""
    return len(operations.issue_due_final_bills(as_at=clock.now()))


@shared_task(name="billing.resume_running_runs")
def resume_running_runs() -> int:
    """Queue again the chunks not billed yet of every run still running (a chunk whose
    worker died, or whose task was passed over while another worker held it); a chunk
    billed meanwhile is left alone. Return how many were queued."""
    pending = operations.pending_chunks_of_running_runs()
    for chunk_id in pending:
        bill_chunk.delay(chunk_id)
    return len(pending)
