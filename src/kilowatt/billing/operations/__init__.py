"""Billing's public writes. Each topic lives in a private module, re-exported here."""

from __future__ import annotations

from kilowatt.billing.operations._bill_runs import (
    bill_chunk,
    issue_invoices,
    pending_chunk_ids,
    pending_chunks_of_running_runs,
    release_bill_run,
    start_bill_run,
)
from kilowatt.billing.operations._delivery import email_issued_invoices
from kilowatt.billing.operations._documents import (
    invoice_document,
    render_invoice_pdf,
    render_invoice_pdfs,
)
from kilowatt.billing.operations._exceptions import (
    adjust_held_invoice,
    rebill_held_invoice,
    release_held_invoice,
)
from kilowatt.billing.operations._final_bills import (
    final_bill_due_by,
    issue_due_final_bills,
    issue_final_bill,
)
from kilowatt.billing.operations._legacy import import_legacy_invoices
from kilowatt.billing.operations._print import (
    documents_to_print,
    purge_expired_invoice_documents,
    record_print_tokens,
)
from kilowatt.billing.operations._restatements import restate_invoice

__all__: list[str] = [
    "bill_chunk",
    "issue_invoices",
    "pending_chunk_ids",
    "pending_chunks_of_running_runs",
    "release_bill_run",
    "restate_invoice",
    "start_bill_run",
]
__all__ += [
    "documents_to_print",
    "purge_expired_invoice_documents",
    "record_print_tokens",
]
__all__ += ["final_bill_due_by", "issue_due_final_bills", "issue_final_bill"]
__all__ += ["import_legacy_invoices"]
__all__ += ["invoice_document", "render_invoice_pdf", "render_invoice_pdfs"]
__all__ += ["email_issued_invoices"]
__all__ += ["adjust_held_invoice", "rebill_held_invoice", "release_held_invoice"]
