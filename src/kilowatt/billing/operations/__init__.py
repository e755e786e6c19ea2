"""Billing's public writes. Each topic lives in a private module, re-exported here."""

from __future__ import annotations

from kilowatt.billing.operations._bill_runs import (
    bill_chunk,
    issue_invoices,
    pending_chunk_ids,
    release_bill_run,
    start_bill_run,
)

__all__: list[str] = [
    "bill_chunk",
    "issue_invoices",
    "pending_chunk_ids",
    "release_bill_run",
    "start_bill_run",
]
