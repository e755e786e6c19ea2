"""Paper invoices and the print bureau: what to print, the archive tokens it answers
with, and the end of our copies of invoice documents after five years.

The bureau prints and posts each issued paper invoice, and keeps it in its archive for
five years, retrievable by the archive token it gave. We keep the token on the invoice
(``archive_token``, ``sent_to_print_at``) for good; our own rendered copy (``InvoicePdf``)
goes when its five years are up, so a question after that is asked of the archive.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from kilowatt.accounts import queries as account_queries
from kilowatt.billing import models, queries
from kilowatt.billing.operations._documents import render_invoice_pdfs
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, Problem

RETENTION_YEARS = 5


def documents_to_print(
    *,
    issued_before: datetime.datetime,
    limit: int,
    as_at: datetime.datetime,
    issued_from: datetime.datetime | None = None,
    after_id: int = 0,
    through_id: int | None = None,
) -> list[queries.PrintItem]:
    """Return the paper invoices waiting to be printed (``queries.paper_invoices_to_print``
    with the same arguments), each with its document: those not rendered yet are rendered
    now (``render_invoice_pdfs`` at ``as_at``) and kept."""
    items = queries.paper_invoices_to_print(
        issued_before=issued_before,
        limit=limit,
        issued_from=issued_from,
        after_id=after_id,
        through_id=through_id,
    )
    missing = [item.invoice_id for item in items if item.pdf is None]
    if not missing:
        return items
    render_invoice_pdfs(invoice_ids=missing, as_at=as_at)
    pdfs = queries.invoice_pdfs(invoice_ids=missing)
    return [
        dataclasses.replace(item, pdf=pdfs[item.invoice_id][0], pdf_sha256=pdfs[item.invoice_id][1])
        if item.pdf is None
        else item
        for item in items
    ]


def record_print_tokens(*, tokens: Mapping[str, str], sent_at: datetime.datetime) -> int:
    """Record the archive token the print bureau gave each invoice (invoice number ->
    token) and when it was sent to print, in one transaction; return how many invoices
    took a token now. An invoice that already holds the same token is left as it is, so
    the same answer recorded twice changes nothing.

    :raises InvalidInput: a number is no issued paper invoice (``tokens.<number>``, rule
        ``not_a_paper_invoice``), an invoice already holds another token
        (``token_differs``), or a token is another invoice's (``token_taken``); nothing is
        recorded.
    """
    if not tokens:
        return 0
    with transaction.atomic():
        invoices = list(
            models.Invoice.objects.select_for_update()
            .filter(number__in=list(tokens))
            .order_by("id")
            .only("id", "number", "account_id", "status", "delivery", "archive_token")
        )
        found = {invoice.number: invoice for invoice in invoices}
        taken = dict(
            models.Invoice.objects.filter(archive_token__in=list(tokens.values()))
            .exclude(number__in=list(tokens))
            .values_list("archive_token", "number")
        )
        problems = []
        for number, token in sorted(tokens.items()):
            invoice = found.get(number)
            field = f"tokens.{number}"
            if (
                invoice is None
                or invoice.delivery != models.Invoice.Delivery.PAPER
                or invoice.status
                not in (models.Invoice.Status.ISSUED, models.Invoice.Status.CREDITED)
            ):
                problems.append(
                    Problem(field, "not_a_paper_invoice", f"{number} is no issued paper invoice")
                )
            elif invoice.archive_token not in (None, token):
                problems.append(
                    Problem(field, "token_differs", f"{number} already holds another token")
                )
            elif token in taken:
                problems.append(
                    Problem(field, "token_taken", f"the token is invoice {taken[token]}'s")
                )
        if problems:
            raise InvalidInput(problems)
        changed = [invoice for invoice in invoices if invoice.archive_token is None]
        for invoice in changed:
            invoice.archive_token = tokens[invoice.number or ""]
            invoice.sent_to_print_at = sent_at
        models.Invoice.objects.bulk_update(
            changed, ["archive_token", "sent_to_print_at"], batch_size=1000
        )
        audit.record_many(
            entries=[
                audit.Entry(
                    trail=account_queries.trail_key(invoice.account_id),
                    entity="invoice",
                    entity_id=invoice.number,
                    action="UPDATED",
                    changes={
                        "archive_token": [None, invoice.archive_token],
                        "sent_to_print_at": [None, sent_at.isoformat()],
                    },
                )
                for invoice in changed
            ],
            actor=audit.SYSTEM,
            at=sent_at,
        )
    return len(changed)


def retention_cutoff(as_at: datetime.datetime) -> datetime.datetime:
    """Return the moment five calendar years before ``as_at`` (29 February -> 28)."""
    try:
        return as_at.replace(year=as_at.year - RETENTION_YEARS)
    except ValueError:
        return as_at.replace(year=as_at.year - RETENTION_YEARS, day=28)


def purge_expired_invoice_documents(*, as_at: datetime.datetime) -> int:
    """Delete our rendered copies (``InvoicePdf``) of the invoices printed (or, never
    printed, issued) more than five years before ``as_at``; return how many. The invoice,
    its lines and its archive token stay: the bureau's archive answers for the document
    until its own retention ends."""
    cutoff = retention_cutoff(as_at)
    expired = (
        models.Invoice.objects.annotate(kept_from=Coalesce("sent_to_print_at", "issued_at"))
        .filter(Q(kept_from__lt=cutoff))
        .values("id")
    )
    with transaction.atomic():
        deleted, _ = models.InvoicePdf.objects.filter(invoice_id__in=expired).delete()
    return deleted
