"""Invoices brought from the previous billing system: kept as issued invoices of the
``ERP`` series so statements, debt work and customers see what they still owe."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from kilowatt.billing import models
from kilowatt.billing.domain import legacy
from kilowatt.platform import bulk
from kilowatt.platform.errors import InvalidInput, Problem


@transaction.atomic
def import_legacy_invoices(
    *, invoices: Sequence[legacy.LegacyInvoice], imported_at: datetime.datetime
) -> int:
    """Record open invoices of the previous billing system as ``ISSUED`` invoices of the
    ``ERP`` series, numbered ``ERP`` + their legacy number, each with one ``ADJUSTMENT``
    line (the net amount) and its VAT and levy as the previous system gave them.
    Idempotent by number: an invoice already recorded is skipped. Returns how many were
    written.

    Nothing is posted to the ledger: what these invoices charged is already in the
    account's opening balance brought from the previous system.

    :raises InvalidInput: an invoice's number is too long, its period is empty or its
        delivery unknown (``invoices.N.<field>``; nothing is written).
    """
    problems = [
        Problem(f"invoices.{index}.{field}", rule, f"{invoice.legacy_number}: {message}")
        for index, invoice in enumerate(invoices)
        for field, rule, message in legacy.problems(invoice)
    ]
    if problems:
        raise InvalidInput(problems)
    numbers = [invoice.number for invoice in invoices]
    recorded = set(
        models.Invoice.objects.filter(number__in=numbers).values_list("number", flat=True)
    )
    new: dict[str, legacy.LegacyInvoice] = {}
    for invoice in invoices:  # the same number twice in one call: the first one counts
        if invoice.number not in recorded:
            new.setdefault(invoice.number, invoice)
    invoice_ids = bulk.reserve_id_blocks(models.Invoice, len(new)).to_list()
    rows = [
        models.Invoice(
            id=invoice_id,
            number=invoice.number,
            series=legacy.SERIES,
            account_id=invoice.account_id,
            kind=models.Invoice.Kind.INVOICE,
            status=models.Invoice.Status.ISSUED,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            bill_date=invoice.bill_date,
            net_pence=invoice.net_pence,
            ccl_pence=invoice.ccl_pence,
            vat_pence=invoice.vat_pence,
            total_pence=invoice.total_pence,
            delivery=invoice.delivery,
            created_at=imported_at,
            issued_at=datetime.datetime.combine(invoice.bill_date, datetime.time(), datetime.UTC),
        )
        for invoice_id, invoice in zip(invoice_ids, new.values(), strict=True)
    ]
    created = models.Invoice.objects.bulk_create(rows)
    lines: list[models.InvoiceLine] = []
    for row, invoice in zip(created, new.values(), strict=True):
        lines.append(
            models.InvoiceLine(
                invoice_id=row.pk,
                position=1,
                kind=models.InvoiceLine.Kind.ADJUSTMENT,
                start_date=invoice.period_start,
                end_date=invoice.period_end,
                amount_pence=invoice.net_pence,
                description=legacy.DESCRIPTION,
            )
        )
        extra = ((models.InvoiceLine.Kind.CCL, invoice.ccl_pence, "Climate Change Levy"),
                 (models.InvoiceLine.Kind.VAT, invoice.vat_pence, "VAT"))  # fmt: skip
        position = 2
        for kind, amount, description in extra:
            if amount:
                lines.append(
                    models.InvoiceLine(
                        invoice_id=row.pk,
                        position=position,
                        kind=kind,
                        amount_pence=amount,
                        description=f"{description} as charged by the previous billing system",
                    )
                )
                position += 1
    line_ids = bulk.reserve_id_blocks(models.InvoiceLine, len(lines)).to_list()
    for line_id, line in zip(line_ids, lines, strict=True):
        line.id = line_id
    models.InvoiceLine.objects.bulk_create(lines)
    return len(created)
