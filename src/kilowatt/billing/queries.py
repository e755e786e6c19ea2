"""Billing's public reads."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from kilowatt.accounts import queries as account_queries
from kilowatt.billing import models
from kilowatt.billing.domain import restatement as restatement_domain
from kilowatt.billing.domain.invoice_document import InvoiceRecord
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Permission, Principal, Reach, Role
from kilowatt.ledger import queries as ledger_queries
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit
from kilowatt.platform.errors import NotAllowed, NotFound
from kilowatt.properties import queries as property_queries

# --- paper invoices for the print bureau ------------------------------------------------

# The monthly print run reads every customer's name and address: a system job acting with
# the billing team's reach (every customer), not a person's request.
_PRINT_RUN = Principal(user_id=0, username="system:print", role=Role.BILLING)
_PRINTABLE = (models.Invoice.Status.ISSUED, models.Invoice.Status.CREDITED)


@dataclasses.dataclass(frozen=True)
class PrintItem:
    """An issued paper invoice (or credit note) as the print bureau needs it: who it goes
    to, where, and its document (``pdf`` is None while it has not been rendered)."""

    invoice_id: int
    number: str
    kind: str
    issued_at: datetime.datetime
    recipient_name: str
    address_lines: tuple[str, ...]  # the first line, the second, town, county (non-empty)
    postcode: str  # empty when the account supplies no site
    pdf: bytes | None
    pdf_sha256: str | None


def _paper(*, issued_before: datetime.datetime, issued_from: datetime.datetime | None) -> Q:
    condition = Q(
        delivery=models.Invoice.Delivery.PAPER,
        status__in=_PRINTABLE,
        issued_at__lt=issued_before,
    )
    if issued_from is not None:
        condition &= Q(issued_at__gte=issued_from)
    return condition


def print_slice_end(
    *,
    issued_before: datetime.datetime,
    size: int,
    issued_from: datetime.datetime | None = None,
    after_id: int = 0,
) -> int | None:
    """Return the id of the ``size``-th paper invoice (printed or not) issued in
    ``[issued_from, issued_before)`` with an id above ``after_id``, or of the last one when
    fewer are left; None when none are left.

    A print run sends slices ``(after_id, end]``: a slice holds the same invoices however
    many of the earlier slices' invoices have since been given archive tokens, so a slice
    sent again after a crash is the same batch."""
    ids = list(
        models.Invoice.objects.filter(
            _paper(issued_before=issued_before, issued_from=issued_from), id__gt=after_id
        )
        .order_by("id")
        .values_list("id", flat=True)[:size]
    )
    return ids[-1] if ids else None


def invoice_pdfs(*, invoice_ids: list[int]) -> dict[int, tuple[bytes, str]]:
    """Return the rendered documents of these invoices: id -> (PDF bytes, sha256)."""
    return {
        invoice_id: (bytes(content), sha256)
        for invoice_id, content, sha256 in models.InvoicePdf.objects.filter(
            invoice_id__in=invoice_ids
        ).values_list("invoice_id", "content", "sha256")
    }


def paper_invoices_to_print(
    *,
    issued_before: datetime.datetime,
    limit: int,
    issued_from: datetime.datetime | None = None,
    after_id: int = 0,
    through_id: int | None = None,
) -> list[PrintItem]:
    """Return the issued (or credited) paper invoices and credit notes issued in
    ``[issued_from, issued_before)`` that hold no archive token yet, in id order, at most
    ``limit`` of them with ids in ``(after_id, through_id]``.

    Each goes to the account's customer at the site the account supplied over the
    invoice's period (the latest such agreement; else the account's latest agreement). A
    few queries a batch, whatever its size."""
    invoices = models.Invoice.objects.filter(
        _paper(issued_before=issued_before, issued_from=issued_from),
        archive_token__isnull=True,
        id__gt=after_id,
    )
    if through_id is not None:
        invoices = invoices.filter(id__lte=through_id)
    rows = list(
        invoices.order_by("id").values_list(
            "id", "number", "kind", "issued_at", "account_id", "period_start", "period_end"
        )[:limit]
    )
    if not rows:
        return []
    accounts = {
        account.id: account
        for account in account_queries.visible_accounts(_PRINT_RUN)
        .filter(id__in={row[4] for row in rows})
        .prefetch_related("agreements")
    }
    point_ids = {
        agreement.meter_point_id
        for account in accounts.values()
        for agreement in account.agreements.all()
    }
    site_of_point = {
        point.id: point.site_id
        for point in metering_queries.meter_points_by_ids(ids=sorted(point_ids))
    }
    sites = {
        site.id: site
        for site in property_queries.sites_by_ids(ids=sorted(set(site_of_point.values())))
    }
    customers = {
        customer.id: customer
        for customer in customer_queries.customers_by_ids(
            _PRINT_RUN, ids=sorted({account.customer_id for account in accounts.values()})
        )
    }
    pdfs = invoice_pdfs(invoice_ids=[row[0] for row in rows])
    items = []
    for invoice_id, number, kind, issued_at, account_id, start, end in rows:
        account = accounts.get(account_id)
        customer = customers.get(account.customer_id) if account is not None else None
        agreements = sorted(
            account.agreements.all() if account is not None else [],
            key=lambda agreement: (
                agreement.valid_from < end
                and (agreement.valid_to is None or agreement.valid_to > start),
                agreement.valid_from,
                agreement.id,
            ),
        )
        site = (
            sites.get(site_of_point.get(agreements[-1].meter_point_id, 0)) if agreements else None
        )
        lines = (
            tuple(
                line
                for line in (site.address_line_1, site.address_line_2, site.town, site.county)
                if line
            )
            if site is not None
            else ()
        )
        pdf, sha256 = pdfs.get(invoice_id, (None, None))
        items.append(
            PrintItem(
                invoice_id=invoice_id,
                number=number or "",  # issued: always numbered (a constraint)
                kind=kind,
                issued_at=issued_at or issued_before,  # never None when issued
                recipient_name=customer.display_name if customer is not None else "",
                address_lines=lines,
                postcode=site.postcode if site is not None else "",
                pdf=pdf,
                pdf_sha256=sha256,
            )
        )
    return items


# --- bill runs ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BillRunProgress:
    """Where a bill run is: its chunks billed so far and what they made."""

    id: int
    run_date: datetime.date
    status: str
    accounts_due: int
    chunks: int
    chunks_done: int
    invoices: int
    held: int
    created_at: datetime.datetime
    created_by: str
    completed_at: datetime.datetime | None
    released_at: datetime.datetime | None
    released_by: str
    seconds: float  # the chunks' own billing time, summed

    @property
    def percent_done(self) -> int:
        return 100 if not self.chunks else (100 * self.chunks_done) // self.chunks


def _progress(runs: list[models.BillRun]) -> list[BillRunProgress]:
    figures: dict[int, dict[str, Any]] = {
        row["run_id"]: dict(row)
        for row in models.BillRunChunk.objects.filter(run_id__in=[run.id for run in runs])
        .values("run_id")
        .annotate(
            chunks=Count("id"),
            done=Count("id", filter=Q(status=models.BillRunChunk.Status.DONE)),
            invoices=Sum("invoices"),
            held=Sum("held"),
            seconds=Sum("seconds"),
        )
    }
    progress = []
    for run in runs:
        row = figures.get(run.id, {})
        progress.append(
            BillRunProgress(
                id=run.id,
                run_date=run.run_date,
                status=run.status,
                accounts_due=run.accounts_due,
                chunks=row.get("chunks") or 0,
                chunks_done=row.get("done") or 0,
                invoices=row.get("invoices") or 0,
                held=row.get("held") or 0,
                created_at=run.created_at,
                created_by=run.created_by,
                completed_at=run.completed_at,
                released_at=run.released_at,
                released_by=run.released_by,
                seconds=float(row.get("seconds") or 0.0),
            )
        )
    return progress


def bill_run_progress(*, run_id: int) -> BillRunProgress:
    """Return a run's progress.

    :raises NotFound: no such run.
    """
    run = models.BillRun.objects.filter(id=run_id).first()
    if run is None:
        raise NotFound(f"bill run {run_id}")
    return _progress([run])[0]


def bill_run_for_date(*, run_date: datetime.date) -> BillRunProgress | None:
    """Return the live (not cancelled) run of a date, if there is one."""
    run = (
        models.BillRun.objects.filter(run_date=run_date)
        .exclude(status=models.BillRun.Status.CANCELLED)
        .first()
    )
    return None if run is None else _progress([run])[0]


def recent_bill_runs(*, limit: int = 20) -> list[BillRunProgress]:
    """Return the latest runs, newest date first."""
    return _progress(list(models.BillRun.objects.order_by("-run_date", "-id")[:limit]))


# --- invoices and their documents ---------------------------------------------------------

_SEEN_BY_CUSTOMERS = ("ISSUED", "CREDITED")  # a customer never sees a draft or held bill
_INVOICE_FIELDS = (
    "id",
    "number",
    "series",
    "account_id",
    "kind",
    "status",
    "is_final",
    "period_start",
    "period_end",
    "bill_date",
    "net_pence",
    "ccl_pence",
    "vat_pence",
    "total_pence",
    "delivery",
    "replaces__number",
)


def invoice_records(*, invoice_ids: list[int]) -> dict[int, InvoiceRecord]:
    """Return these invoices as records (id -> record), for workers acting for no one."""
    return {
        row[0]: InvoiceRecord(*row)
        for row in models.Invoice.objects.filter(id__in=invoice_ids).values_list(*_INVOICE_FIELDS)
    }


def visible_invoice(*, principal: Principal, invoice_id: int) -> InvoiceRecord:
    """Return an invoice (or credit note) ``principal`` may see: one of an account they
    may see (``accounts.queries.visible_accounts``), and for a customer only once issued.

    :raises NotFound: no such invoice, or ``principal`` may not see it (alike).
    """
    is_customer = principal.role is Role.CUSTOMER
    if principal.is_anonymous or not (is_customer or principal.may(Permission.USE_BACK_OFFICE)):
        raise NotFound(f"invoice {invoice_id}")
    invoices = models.Invoice.objects.filter(
        id=invoice_id,
        account_id__in=account_queries.visible_accounts(principal).values("id"),
    )
    if is_customer:
        invoices = invoices.filter(status__in=_SEEN_BY_CUSTOMERS)
    row = invoices.values_list(*_INVOICE_FIELDS).first()
    if row is None:
        raise NotFound(f"invoice {invoice_id}")
    return InvoiceRecord(*row)


# --- the billing team: bill runs and held bills ------------------------------------------


def may_run_bills(*, principal: Principal) -> None:
    """Refuse anyone who may not run bills: the gate of the bill runs and of the held
    bills, whose pages and endpoints are the billing team's.

    :raises NotAllowed: ``principal`` does not hold ``RUN_BILLS``.
    """
    if not principal.may(Permission.RUN_BILLS):
        raise NotAllowed(f"{principal.username} may not run bills")


def bill_runs_for(*, principal: Principal, limit: int = 20) -> list[BillRunProgress]:
    """Return the latest runs, newest date first, to someone who may run bills.

    :raises NotAllowed: ``principal`` may not run bills.
    """
    may_run_bills(principal=principal)
    return recent_bill_runs(limit=limit)


@dataclasses.dataclass(frozen=True)
class ChunkRow:
    id: int
    number: int
    first_account_id: int
    last_account_id: int
    status: str
    attempts: int
    finished_at: datetime.datetime | None
    invoices: int
    held: int
    seconds: float | None


@dataclasses.dataclass(frozen=True)
class BillRunView:
    """A run as the billing team watches it: its progress, its chunks and the bills it
    holds now, counted by the rule that holds them."""

    progress: BillRunProgress
    chunks: tuple[ChunkRow, ...]
    held_by_rule: tuple[tuple[str, int], ...]  # (rule, bills held now), most first
    drafts: int  # bills waiting for the run's release


def bill_run_for(*, principal: Principal, run_id: int) -> BillRunView:
    """Return one run with its chunks and held bills by rule.

    :raises NotAllowed: ``principal`` may not run bills.
    :raises NotFound: no such run.
    """
    may_run_bills(principal=principal)
    progress = bill_run_progress(run_id=run_id)
    chunks = tuple(
        ChunkRow(*row)
        for row in models.BillRunChunk.objects.filter(run_id=run_id)
        .order_by("number")
        .values_list(
            "id",
            "number",
            "first_account_id",
            "last_account_id",
            "status",
            "attempts",
            "finished_at",
            "invoices",
            "held",
            "seconds",
        )
    )
    counts: dict[tuple[str, str], int] = {
        (status, rule): n
        for status, rule, n in models.Invoice.objects.filter(
            run_id=run_id, status__in=[models.Invoice.Status.HELD, models.Invoice.Status.DRAFT]
        )
        .values("status", "hold_rule")
        .annotate(n=Count("id"))
        .values_list("status", "hold_rule", "n")
    }
    held = [(rule, n) for (status, rule), n in counts.items() if status == "HELD"]
    return BillRunView(
        progress=progress,
        chunks=chunks,
        held_by_rule=tuple(sorted(held, key=lambda item: (-item[1], item[0]))),
        drafts=sum(n for (status, _), n in counts.items() if status == "DRAFT"),
    )


@dataclasses.dataclass(frozen=True)
class HeldInvoiceRow:
    """A held bill in the queue."""

    id: int
    run_id: int | None
    account_id: int
    account_number: str
    customer_number: str
    customer_name: str
    period_start: datetime.date
    period_end: datetime.date
    bill_date: datetime.date
    net_pence: int
    vat_pence: int
    total_pence: int
    hold_rule: str
    hold_message: str
    status: str


@dataclasses.dataclass(frozen=True)
class InvoiceLineRow:
    position: int
    kind: str
    kind_label: str
    meter_point: str
    band: str
    start_date: datetime.date | None
    end_date: datetime.date | None  # exclusive
    quantity: Decimal | None
    unit: str
    rate_pence: Decimal | None
    amount_pence: int
    vat_rate: int
    read_from: str
    read_to: str
    description: str


@dataclasses.dataclass(frozen=True)
class PreviousBill:
    id: int
    number: str | None
    status: str
    period_start: datetime.date
    period_end: datetime.date
    net_pence: int
    total_pence: int

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days


@dataclasses.dataclass(frozen=True)
class HeldInvoiceView:
    """A held (or once held) bill as the billing team decides it: its lines as they would
    print, why it was held, and the account's bill before it."""

    invoice: HeldInvoiceRow
    ccl_pence: int
    series: str
    decided_by: str
    number: str | None  # once issued
    lines: tuple[InvoiceLineRow, ...]
    previous: PreviousBill | None

    @property
    def days(self) -> int:
        return (self.invoice.period_end - self.invoice.period_start).days


_HELD_FIELDS = (
    "id",
    "run_id",
    "account_id",
    "period_start",
    "period_end",
    "bill_date",
    "net_pence",
    "vat_pence",
    "total_pence",
    "hold_rule",
    "hold_message",
    "status",
)


def _held_rows(principal: Principal, rows: list[tuple]) -> list[HeldInvoiceRow]:
    """Name each bill's account and customer: two queries, however many bills."""
    accounts = dict(
        (account_id, (number, customer_id))
        for account_id, number, customer_id in account_queries.visible_accounts(principal)
        .filter(id__in={row[2] for row in rows})
        .values_list("id", "number", "customer_id")
    )
    customers = {
        customer.id: customer
        for customer in customer_queries.customers_by_ids(
            principal, ids=sorted({customer_id for _, customer_id in accounts.values()})
        )
    }
    shaped = []
    for row in rows:
        fields = dict(zip(_HELD_FIELDS, row, strict=True))
        number, customer_id = accounts.get(fields["account_id"], ("", 0))
        customer = customers.get(customer_id)
        shaped.append(
            HeldInvoiceRow(
                account_number=number,
                customer_number=customer.number if customer is not None else "",
                customer_name=customer.display_name if customer is not None else "",
                **fields,
            )
        )
    return shaped


def held_invoices_page(
    *, principal: Principal, rule: str | None = None, after: int | None = None, limit: int = 50
) -> list[HeldInvoiceRow]:
    """Return one page of the held bills, newest first (keyset: ids below ``after``),
    of one hold rule if given, with each bill's account and customer.

    :raises NotAllowed: ``principal`` may not run bills.
    """
    may_run_bills(principal=principal)
    held = models.Invoice.objects.filter(status=models.Invoice.Status.HELD)
    if rule:
        held = held.filter(hold_rule=rule)
    if after:
        held = held.filter(id__lt=after)
    return _held_rows(principal, list(held.order_by("-id").values_list(*_HELD_FIELDS)[:limit]))


def held_invoice_for(*, principal: Principal, invoice_id: int) -> HeldInvoiceView:
    """Return a bill a run made (held, or decided since) with its lines, its account and
    customer and the account's previous bill.

    :raises NotAllowed: ``principal`` may not run bills.
    :raises NotFound: no such bill of a run.
    """
    may_run_bills(principal=principal)
    found = (
        models.Invoice.objects.filter(id=invoice_id, kind=models.Invoice.Kind.INVOICE)
        .exclude(hold_rule="")
        .values_list(*_HELD_FIELDS, "ccl_pence", "series", "decided_by", "number")
        .first()
    )
    if found is None:
        raise NotFound(f"invoice {invoice_id}")
    (invoice,) = _held_rows(principal, [found[: len(_HELD_FIELDS)]])
    labels = dict(models.InvoiceLine.Kind.choices)
    lines = tuple(
        InvoiceLineRow(
            position=line.position,
            kind=line.kind,
            kind_label=labels.get(line.kind, line.kind),
            meter_point=line.meter_point,
            band=line.band,
            start_date=line.start_date,
            end_date=line.end_date,
            quantity=line.quantity,
            unit=line.unit,
            rate_pence=line.rate_pence,
            amount_pence=line.amount_pence,
            vat_rate=line.vat_rate,
            read_from=line.read_from,
            read_to=line.read_to,
            description=line.description,
        )
        for line in models.InvoiceLine.objects.filter(invoice_id=invoice_id).order_by("position")
    )
    previous = (
        models.Invoice.objects.filter(
            account_id=invoice.account_id,
            kind=models.Invoice.Kind.INVOICE,
            status__in=[models.Invoice.Status.ISSUED, models.Invoice.Status.CREDITED],
            period_end__lte=invoice.period_start,
        )
        .order_by("-period_end", "-id")
        .values_list(
            "id", "number", "status", "period_start", "period_end", "net_pence", "total_pence"
        )
        .first()
    )
    return HeldInvoiceView(
        invoice=invoice,
        ccl_pence=found[len(_HELD_FIELDS)],
        series=found[len(_HELD_FIELDS) + 1],
        decided_by=found[len(_HELD_FIELDS) + 2],
        number=found[len(_HELD_FIELDS) + 3],
        lines=lines,
        previous=PreviousBill(*previous) if previous is not None else None,
    )


def held_invoice_counts(*, principal: Principal) -> dict[str, int]:
    """Return how many bills are held now, by the rule that holds them (one query).

    :raises NotAllowed: ``principal`` may not run bills.
    """
    may_run_bills(principal=principal)
    return dict(
        models.Invoice.objects.filter(status=models.Invoice.Status.HELD)
        .values("hold_rule")
        .annotate(n=Count("id"))
        .values_list("hold_rule", "n")
    )


def issued_invoice_ids(*, run_id: int, delivery: str | None = None) -> list[int]:
    """Return the ids of a run's issued bills, in order; only those sent by ``delivery``
    (EMAIL, PAPER) if given."""
    invoices = models.Invoice.objects.filter(run_id=run_id, status=models.Invoice.Status.ISSUED)
    if delivery is not None:
        invoices = invoices.filter(delivery=delivery)
    return list(invoices.order_by("id").values_list("id", flat=True))


def issued_invoices_covering(*, meter_point_id: int, day: datetime.date) -> list[int]:
    """Return the issued bills (not credited) of the accounts supplying a meter point
    whose period a read of ``day`` falls in: after the period's start, up to its end."""
    accounts = account_queries.account_ids_supplying(meter_point_id=meter_point_id, on=day)
    return list(
        models.Invoice.objects.filter(
            account_id__in=accounts,
            kind=models.Invoice.Kind.INVOICE,
            status=models.Invoice.Status.ISSUED,
            period_start__lt=day,
            period_end__gte=day,
        )
        .exclude(series="ERP")  # the legacy ERP's bills were not made from our reads
        .order_by("id")
        .values_list("id", flat=True)
    )


# --- bills as customers and staff see them, and restatements as a plain difference --------


@dataclasses.dataclass(frozen=True)
class BillRow:
    """An issued (or credited) bill or credit note in an account's list of bills."""

    id: int
    number: str
    kind: str  # INVOICE or CREDIT_NOTE
    status: str  # ISSUED or CREDITED (an invoice restated since)
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date  # exclusive
    total_pence: int
    replaces_id: int | None  # a credit note's or replacement's original bill
    replaces_number: str | None

    @property
    def last_day(self) -> datetime.date:
        return self.period_end - datetime.timedelta(days=1)

    @property
    def is_restated(self) -> bool:
        """Whether this bill was credited and replaced by a new bill for its period."""
        return self.kind == models.Invoice.Kind.INVOICE and self.status == "CREDITED"

    @property
    def restatement_id(self) -> int | None:
        """The id ``restatement_for`` answers for: the restated bill's own, or the
        original's for a credit note or replacement; None when there is none."""
        if self.is_restated:
            return self.id
        return self.replaces_id


@dataclasses.dataclass(frozen=True)
class AccountBills:
    """An account's bills, newest first, and what it owes now."""

    account_id: int
    account_number: str
    balance_pence: int  # positive: the customer owes; negative: in credit
    bills: tuple[BillRow, ...]
    next_after: int | None  # pass as ``after`` for the next (older) page


_BILL_FIELDS = (
    "id",
    "number",
    "kind",
    "status",
    "bill_date",
    "period_start",
    "period_end",
    "total_pence",
    "replaces_id",
    "replaces__number",
)


def _may_see_bills(principal: Principal) -> bool:
    return not principal.is_anonymous and (
        principal.role is Role.CUSTOMER or principal.may(Permission.USE_BACK_OFFICE)
    )


def _account_bills(
    *, account_id: int, account_number: str, limit: int, after: int | None
) -> AccountBills:
    bills = models.Invoice.objects.filter(account_id=account_id, status__in=_SEEN_BY_CUSTOMERS)
    if after:
        bills = bills.filter(id__lt=after)
    rows = [BillRow(*row) for row in bills.order_by("-id").values_list(*_BILL_FIELDS)[: limit + 1]]
    more = len(rows) > limit
    rows = rows[:limit]
    return AccountBills(
        account_id=account_id,
        account_number=account_number,
        balance_pence=ledger_queries.balance_for_account(holder=account_id),
        bills=tuple(rows),
        next_after=rows[-1].id if more and rows else None,
    )


def bills_for_account(
    *, principal: Principal, account_number: str, limit: int = 50, after: int | None = None
) -> AccountBills:
    """Return an account's issued (and credited) bills and credit notes, newest first
    (keyset: ids below ``after``), at most ``limit``, with its balance from the ledger.

    :raises NotFound: no such account, or ``principal`` may not see it (alike).
    """
    if not _may_see_bills(principal):
        raise NotFound(f"account {account_number}")
    found = (
        account_queries.visible_accounts(principal)
        .filter(number=account_number.upper())
        .values_list("id", "number")
        .first()
    )
    if found is None:
        raise NotFound(f"account {account_number}")
    return _account_bills(account_id=found[0], account_number=found[1], limit=limit, after=after)


def own_bills(*, principal: Principal, limit: int = 24) -> list[AccountBills]:
    """Return each of a customer's own accounts (in the order they were opened) with its
    newest bills (at most ``limit``) and its balance.

    :raises NotAllowed: ``principal`` is not a customer.
    """
    if principal.is_anonymous or principal.reach is not Reach.OWN:
        raise NotAllowed(f"{principal.username} has no bills of their own")
    accounts = (
        account_queries.visible_accounts(principal).order_by("id").values_list("id", "number")
    )
    return [
        _account_bills(account_id=account_id, account_number=number, limit=limit, after=None)
        for account_id, number in accounts
    ]


_SUMMARY_FIELDS = (
    "id",
    "number",
    "kind",
    "period_start",
    "period_end",
    "bill_date",
    "total_pence",
)
_COMPARED_LINE_FIELDS = (
    "kind",
    "meter_point",
    "band",
    "start_date",
    "end_date",
    "quantity",
    "unit",
    "amount_pence",
    "read_from",
    "read_to",
    "read_id",
    "description",
)


def _restated_reason(*, account_id: int, invoice_id: int) -> str:
    for record in audit.trail_for(trails=[account_queries.trail_key(account_id)]):
        if (record.entity, record.entity_id, record.action) == (
            "invoice",
            str(invoice_id),
            "RESTATED",
        ):
            return str(record.changes.get("reason", ""))
    return ""


def restatement_for(
    *, principal: Principal, invoice_id: int, account_number: str | None = None
) -> restatement_domain.Restatement:
    """Return a restated bill beside its credit note and replacement, as a plain
    difference: per meter point and kind of line the old and new quantity and amount,
    which reads differ, and why it was restated. ``invoice_id`` may be the restated bill,
    its credit note or its replacement; ``account_number``, when given, must be its
    account's.

    :raises NotFound: no such invoice, ``principal`` may not see it, it is not of
        ``account_number``, or it was not restated (alike).
    """
    seen = visible_invoice(principal=principal, invoice_id=invoice_id)
    if account_number is not None and not (
        account_queries.visible_accounts(principal)
        .filter(id=seen.account_id, number=account_number.upper())
        .exists()
    ):
        raise NotFound(f"invoice {invoice_id}")
    original_id = invoice_id
    if not (seen.kind == models.Invoice.Kind.INVOICE and seen.status == "CREDITED"):
        replaces = models.Invoice.objects.filter(id=invoice_id).values_list("replaces_id").first()
        if replaces is None or replaces[0] is None:
            raise NotFound(f"restatement of invoice {invoice_id}")
        original_id = replaces[0]
    invoices = (
        models.Invoice.objects.filter(
            Q(id=original_id, kind=models.Invoice.Kind.INVOICE, status="CREDITED")
            | Q(replaces_id=original_id, status__in=_SEEN_BY_CUSTOMERS),
            account_id=seen.account_id,
        )
        .order_by("id")
        .values_list(*_SUMMARY_FIELDS, "replaces_id")
    )
    original = credit_note = replacement = None
    for *fields, replaces_id in invoices:
        summary = restatement_domain.BillSummary(*fields)
        if replaces_id is None or summary.id == original_id:
            original = summary
        elif summary.kind == models.Invoice.Kind.CREDIT_NOTE:
            credit_note = summary
        else:
            replacement = summary
    if original is None or credit_note is None or replacement is None:
        raise NotFound(f"restatement of invoice {invoice_id}")
    lines: dict[int, list[restatement_domain.Line]] = {original.id: [], replacement.id: []}
    for invoice, *fields, description in (
        models.InvoiceLine.objects.filter(invoice_id__in=[original.id, replacement.id])
        .order_by("invoice_id", "position")
        .values_list("invoice_id", *_COMPARED_LINE_FIELDS)
    ):
        lines[invoice].append(
            restatement_domain.Line(
                **dict(zip(_COMPARED_LINE_FIELDS, fields, strict=False)),
                part_of=restatement_domain.piece_of(description),
            )
        )
    return restatement_domain.compare(
        original=original,
        credit_note=credit_note,
        replacement=replacement,
        old_lines=lines[original.id],
        new_lines=lines[replacement.id],
        reason=_restated_reason(account_id=seen.account_id, invoice_id=original.id),
    )


def held_invoice_ids(*, run_id: int) -> list[int]:
    """Return the ids of a run's held bills, in order (for batch work, not people)."""
    return list(
        models.Invoice.objects.filter(run_id=run_id, status=models.Invoice.Status.HELD)
        .order_by("id")
        .values_list("id", flat=True)
    )


def any_invoices() -> bool:
    """Whether any invoice exists at all (the demo bills only an empty book)."""
    return models.Invoice.objects.exists()
