"""Invoice documents: each issued invoice's PDF, rendered once and kept (``InvoicePdf``).

Rendering stays out of the bill run: workers render a released run's invoices
(``render_invoice_pdfs``, the ``billing.render_invoice_pdfs`` task), and anything not yet
rendered is rendered on first request (``render_invoice_pdf``: the API, the print run).
A batch is loaded in a fixed number of queries (invoices, lines, the accounts' history,
accounts with agreements and tariffs, customers, meter points, sites) plus three ledger
reads an invoice; the layout is ``domain.invoice_pdf`` (why fpdf2, and its figures, are
in its docstring).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from typing import Any

from kilowatt.accounts import queries as account_queries
from kilowatt.billing import models, queries
from kilowatt.billing.domain import invoice_pdf
from kilowatt.billing.domain.invoice_document import (
    AccountFacts,
    InvoiceDocument,
    InvoiceRecord,
    LedgerFacts,
    LineRecord,
    SupplyFacts,
    UsageRecord,
    build_invoice_document,
)
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.ledger import queries as ledger_queries
from kilowatt.metering import queries as metering_queries
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.properties import queries as property_queries

# Documents are made for every customer by workers acting for no one: the billing team's
# reach (every customer), as the print run reads them.
_DOCUMENTS = Principal(user_id=0, username="system:invoice-documents", role=Role.BILLING)
_ISSUED = ("ISSUED", "CREDITED")
BATCH = 100  # invoices loaded, rendered and stored together
_LINE_FIELDS = (
    "invoice_id",
    "position",
    "kind",
    "meter_point",
    "band",
    "start_date",
    "end_date",
    "quantity",
    "unit",
    "rate_pence",
    "amount_pence",
    "vat_rate",
    "read_from",
    "read_to",
    "description",
)


def _address(site: object | None) -> tuple[str, ...]:
    if site is None:
        return ()
    parts = ("address_line_1", "address_line_2", "town", "county", "postcode")
    return tuple(text for part in parts if (text := getattr(site, part, "")))


def _in_period(agreement: Any, invoice: InvoiceRecord) -> bool:
    return agreement.valid_from < invoice.period_end and (
        agreement.valid_to is None or agreement.valid_to > invoice.period_start
    )


def _documents(invoices: Sequence[InvoiceRecord]) -> dict[int, InvoiceDocument]:
    """Build the documents of these invoices in a fixed number of queries (and three
    ledger reads each)."""
    if not invoices:
        return {}
    ids = [invoice.id for invoice in invoices]
    lines: dict[int, list[LineRecord]] = {invoice_id: [] for invoice_id in ids}
    for invoice_id, *fields in (
        models.InvoiceLine.objects.filter(invoice_id__in=ids)
        .order_by("invoice_id", "position")
        .values_list(*_LINE_FIELDS)
    ):
        lines[invoice_id].append(LineRecord(*fields))

    account_ids = sorted({invoice.account_id for invoice in invoices})
    earliest = min(invoice.period_end for invoice in invoices) - datetime.timedelta(days=400)
    # Every bill of these accounts over the last year or so: the previous bill's date and
    # the energy billed, month by month, for the chart.
    history = list(
        models.Invoice.objects.filter(
            account_id__in=account_ids,
            kind=models.Invoice.Kind.INVOICE,
            status__in=_ISSUED,
            period_end__gt=earliest,
        ).values_list("id", "account_id", "bill_date", "status")
    )
    usage_by_invoice: dict[int, list[UsageRecord]] = {}
    for invoice_id, point, start, end, quantity in models.InvoiceLine.objects.filter(
        invoice_id__in=[row[0] for row in history if row[3] == "ISSUED"] + ids,
        kind=models.InvoiceLine.Kind.ENERGY,
        unit="KWH",
        start_date__isnull=False,
        end_date__isnull=False,
    ).values_list("invoice_id", "meter_point", "start_date", "end_date", "quantity"):
        if quantity is not None and start is not None and end is not None:
            usage_by_invoice.setdefault(invoice_id, []).append(
                UsageRecord(point, start, end, quantity)
            )

    accounts = {
        account.id: account
        for account in account_queries.visible_accounts(_DOCUMENTS)
        .filter(id__in=account_ids)
        .prefetch_related("agreements__tariff")
    }
    customers = {
        customer.id: customer
        for customer in customer_queries.customers_by_ids(
            _DOCUMENTS, ids=sorted({account.customer_id for account in accounts.values()})
        )
    }
    point_ids = sorted(
        {
            agreement.meter_point_id
            for account in accounts.values()
            for agreement in account.agreements.all()
        }
    )
    points = {point.id: point for point in metering_queries.meter_points_by_ids(ids=point_ids)}
    sites = {
        site.id: site
        for site in property_queries.sites_by_ids(
            ids=sorted({point.site_id for point in points.values()})
        )
    }

    documents = {}
    for invoice in invoices:
        account = accounts.get(invoice.account_id)
        if account is None:
            raise NotFound(f"account {invoice.account_id} of invoice {invoice.id}")
        customer = customers.get(account.customer_id)
        agreements = sorted(
            account.agreements.all(),
            key=lambda a: (_in_period(a, invoice), a.valid_from, a.id),
        )
        supplies: dict[str, SupplyFacts] = {}
        for agreement in agreements:  # the latest agreement of a meter point wins
            supplied = points.get(agreement.meter_point_id)
            if supplied is None:
                continue
            supplies[supplied.identifier] = SupplyFacts(
                identifier=supplied.identifier,
                fuel=supplied.fuel,
                tariff_name=agreement.tariff.name,
                address=", ".join(_address(sites.get(supplied.site_id))),
            )
        billed_at = (
            sites.get(points[agreements[-1].meter_point_id].site_id)
            if agreements and agreements[-1].meter_point_id in points
            else None
        )
        earlier = [
            row
            for row in history
            if row[1] == invoice.account_id and row[2] <= invoice.bill_date and row[0] != invoice.id
        ]
        usage = [
            record
            for row in earlier
            if row[3] == "ISSUED"
            for record in usage_by_invoice.get(row[0], [])
        ] + (usage_by_invoice.get(invoice.id, []) if invoice.kind == "INVOICE" else [])
        last_bill = max((row[2] for row in earlier if row[2] < invoice.bill_date), default=None)
        documents[invoice.id] = build_invoice_document(
            invoice=invoice,
            lines=lines[invoice.id],
            account=AccountFacts(
                number=account.number,
                customer_kind=getattr(customer, "kind", "RESIDENTIAL"),
                customer_name=customer.display_name if customer is not None else "",
                address_lines=_address(billed_at),
                payment_method=account.payment_method,
                email=getattr(customer, "email", ""),
            ),
            supplies=tuple(supplies.values()),
            usage=usage,
            ledger=_ledger(invoice, last_bill),
        )
    return documents


def _ledger(invoice: InvoiceRecord, last_bill: datetime.date | None) -> LedgerFacts:
    """The account's balance at the last bill (or before this period, for a first bill),
    the payments since, and its balance on this bill's date."""
    before_on = last_bill or invoice.period_start - datetime.timedelta(days=1)
    return LedgerFacts(
        balance_before_pence=ledger_queries.balance_for_account(
            holder=invoice.account_id, on=before_on
        ),
        payments_pence=ledger_queries.payments_since(
            holder=invoice.account_id, since=before_on + datetime.timedelta(days=1)
        ),
        balance_after_pence=ledger_queries.balance_for_account(
            holder=invoice.account_id, on=invoice.bill_date
        ),
        last_bill_date=last_bill,
    )


def invoice_document(*, invoice_id: int) -> InvoiceDocument:
    """Return what an invoice's document says (its view model, without rendering it).

    :raises NotFound: no such invoice.
    """
    invoice = queries.invoice_records(invoice_ids=[invoice_id]).get(invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id}")
    return _documents([invoice])[invoice_id]


def _kept(content: bytes, *, invoice_id: int, as_at: datetime.datetime) -> models.InvoicePdf:
    return models.InvoicePdf(
        invoice_id=invoice_id,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        rendered_at=as_at,
        renderer=invoice_pdf.RENDERER,
    )


def render_invoice_pdf(*, invoice_id: int, as_at: datetime.datetime) -> bytes:
    """Return an issued invoice's PDF: the kept one, or rendered now (its creation date
    ``as_at``), kept with its sha256 and renderer, and returned. Two first requests at
    once keep one document and both answer with it.

    :raises NotFound: no such invoice.
    :raises InvalidInput: the invoice is not issued yet (``invoice_id``/``not_issued``):
        a draft or held bill has no number and no document.
    """
    kept = (
        models.InvoicePdf.objects.filter(invoice_id=invoice_id)
        .values_list("content", flat=True)
        .first()
    )
    if kept is not None:
        return bytes(kept)
    invoice = queries.invoice_records(invoice_ids=[invoice_id]).get(invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id}")
    if not invoice.is_issued:
        raise InvalidInput.one(
            field="invoice_id",
            rule="not_issued",
            message="An invoice has a document once it is issued.",
        )
    content = invoice_pdf.render_invoice_pdf(_documents([invoice])[invoice_id], as_at=as_at)
    models.InvoicePdf.objects.bulk_create(
        [_kept(content, invoice_id=invoice_id, as_at=as_at)], ignore_conflicts=True
    )
    stored = (
        models.InvoicePdf.objects.filter(invoice_id=invoice_id)
        .values_list("content", flat=True)
        .first()
    )
    return bytes(stored) if stored is not None else content


def render_invoice_pdfs(*, invoice_ids: Sequence[int], as_at: datetime.datetime) -> int:
    """Render and keep the documents of these invoices that are issued and not rendered
    yet, ``BATCH`` at a time; return how many were rendered. Ids of missing, unissued or
    already rendered invoices are passed over, so a task delivered twice does no harm."""
    wanted = sorted(set(invoice_ids))
    rendered = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        done = set(
            models.InvoicePdf.objects.filter(invoice_id__in=chunk).values_list(
                "invoice_id", flat=True
            )
        )
        records = queries.invoice_records(invoice_ids=[i for i in chunk if i not in done])
        issued = [records[i] for i in sorted(records) if records[i].is_issued]
        documents = _documents(issued)
        pdfs = [
            _kept(
                invoice_pdf.render_invoice_pdf(documents[invoice.id], as_at=as_at),
                invoice_id=invoice.id,
                as_at=as_at,
            )
            for invoice in issued
        ]
        models.InvoicePdf.objects.bulk_create(pdfs, ignore_conflicts=True)
        rendered += len(pdfs)
    return rendered
