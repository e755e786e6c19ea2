"""Bills by email: paper or email by the customer's choice, and business customers are
paperless (``domain.invoice_document.delivery_for``).

After a run's release (and after a final bill or a restatement) each issued invoice or
credit note that goes by email is queued in comms' outbox with its PDF attached, under
the key ``invoice:<id>``, so queueing it again (a task delivered twice, a handler run
again) sends nothing more. comms sends it over SMTP, with retries; billing only decides
what to say and to whom: a business's billing officer if it has one with an email,
else the customer's own email. An invoice without an address is passed over, counted
and logged (its PDF is in the customer portal, /my/bills/).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from kilowatt.accounts import queries as account_queries
from kilowatt.billing import queries
from kilowatt.billing.domain.invoice_document import OUR_WEBSITE, InvoiceDocument, long_date
from kilowatt.billing.operations._documents import _DOCUMENTS, _documents, render_invoice_pdfs
from kilowatt.comms import operations as comms
from kilowatt.comms import queries as comms_queries
from kilowatt.customers import queries as customer_queries
from kilowatt.platform.errors import InvalidInput
from kilowatt.platform.money import format_pence

logger = logging.getLogger(__name__)

BATCH = 100  # invoices loaded, rendered and queued together
TEMPLATE = "billing/email/invoice"
PORTAL_BILLS_URL = f"https://{OUR_WEBSITE}/my/bills/"


def email_key(invoice_id: int) -> str:
    """Return the outbox key of an invoice's email (one email an invoice, ever)."""
    return f"invoice:{invoice_id}"


def _file_name(document: InvoiceDocument) -> str:
    kind = "credit-note" if document.is_credit_note else "invoice"
    return f"kilowatt-{kind}-{document.number}.pdf"


def _context(document: InvoiceDocument) -> dict[str, object]:
    return {
        "customer_name": document.customer_name,
        "is_business": document.is_business,
        "is_credit_note": document.is_credit_note,
        "title": document.title,
        "label": document.label,
        "number": document.number,
        "account_number": document.account_number,
        "invoice_date": long_date(document.invoice_date),
        "period_from": long_date(document.period_start),
        "period_to": long_date(document.last_day),
        "headline": document.headline,
        "amount": format_pence(document.headline_pence),
        "total": format_pence(document.total_pence),
        "due_date": long_date(document.due_date),
        "payment_text": document.payment_text,
        "portal_url": PORTAL_BILLS_URL,
        "file_name": _file_name(document),
    }


def email_issued_invoices(*, invoice_ids: Sequence[int], as_at: datetime.datetime) -> int:
    """Queue the email of each issued invoice or credit note among ``invoice_ids`` that
    goes by email (the customer chose email, or is a business), with its PDF (rendered
    now if it is not kept yet); return how many were queued.

    Ids of missing, unissued, paper or already queued invoices are passed over, so a
    task delivered twice does no harm. An invoice whose customer has no usable email
    address is passed over too, counted in a warning that lists them. Raises nothing.
    """
    wanted = sorted(set(invoice_ids))
    queued = 0
    no_address: list[str] = []
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        done = comms_queries.queued_keys(keys=[email_key(i) for i in chunk])
        records = queries.invoice_records(
            invoice_ids=[i for i in chunk if email_key(i) not in done]
        )
        # Business bills (series KWB) go by email whatever a record says: paperless.
        candidates = [
            records[i]
            for i in sorted(records)
            if records[i].is_issued
            and (records[i].delivery == "EMAIL" or records[i].series == "KWB")
        ]
        if not candidates:
            continue
        documents = _documents(candidates)
        emailed = [r for r in candidates if documents[r.id].delivery == "EMAIL"]
        customer_of = dict(
            account_queries.visible_accounts(_DOCUMENTS)
            .filter(id__in=sorted({r.account_id for r in emailed}))
            .values_list("id", "customer_id")
        )
        addresses = customer_queries.billing_email_addresses(
            customer_ids=sorted(set(customer_of.values()))
        )
        render_invoice_pdfs(invoice_ids=[r.id for r in emailed], as_at=as_at)
        pdfs = queries.invoice_pdfs(invoice_ids=[r.id for r in emailed])
        for record in emailed:
            document = documents[record.id]
            address = addresses.get(customer_of.get(record.account_id, -1), "")
            if not address or record.id not in pdfs:
                no_address.append(document.number)
                continue
            try:
                comms.queue_email(
                    key=email_key(record.id),
                    to=address,
                    template=TEMPLATE,
                    context=_context(document),
                    attachments=[
                        comms.Attachment(
                            name=_file_name(document),
                            content_type="application/pdf",
                            content=pdfs[record.id][0],
                        )
                    ],
                    as_at=as_at,
                )
            except InvalidInput as refused:
                logger.warning("invoice %s was not emailed: %s", document.number, refused)
                no_address.append(document.number)
                continue
            queued += 1
    if no_address:
        logger.warning(
            "%s invoices to email have no usable address (see them in the portal): %s",
            len(no_address),
            ", ".join(no_address),
        )
    return queued
