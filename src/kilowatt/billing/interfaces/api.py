"""Billing over HTTP: an invoice's document; bill runs and held bills.

``GET /invoices/{invoice_id}/document`` answers the invoice's PDF (rendered on first
request, then kept). A customer sees the issued invoices of their own accounts; staff
those of the customers they reach. Anything else is 404, alike for missing and not yours.

``/bill-runs`` (list, start, one, ``/release``) and ``/bill-exceptions`` (the held bills;
``/release``, ``/adjustment``, ``/rebill``) are the billing team's (``RUN_BILLS``):
anyone else is refused with 403 and nothing changes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from kilowatt.billing import operations, queries
from kilowatt.billing.domain import bill_exceptions
from kilowatt.billing.interfaces import tasks
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import audit, clock
from kilowatt.platform.api import LIST, READ, WRITE, Error, PageParams, page, rule_broken

router = Router(tags=["billing"])

_PDF = {
    "responses": {
        "200": {
            "description": "The invoice's document, a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _who(request: HttpRequest) -> Principal:
    return identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]


@router.get("/invoices/{invoice_id}/document", response=READ, openapi_extra=_PDF)
def invoice_document(request: HttpRequest, invoice_id: int) -> Any:
    """Return an invoice's (or credit note's) PDF."""
    invoice = queries.visible_invoice(principal=_who(request), invoice_id=invoice_id)
    content = operations.render_invoice_pdf(invoice_id=invoice.id, as_at=clock.now())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number or invoice.id}.pdf"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- bill runs and held bills: the billing team's (RUN_BILLS) -----------------------------


class BillRunOut(Schema):
    id: int
    run_date: datetime.date
    status: str = Field(description="RUNNING, COMPLETE, RELEASED or CANCELLED")
    accounts_due: int
    chunks: int
    chunks_done: int
    percent_done: int = Field(description="Chunks billed, in whole percent.")
    invoices: int = Field(description="Bills made so far (drafts and held).")
    held: int = Field(description="Bills held by a bill-exception rule when billed.")
    created_at: datetime.datetime
    created_by: str
    completed_at: datetime.datetime | None
    released_at: datetime.datetime | None
    released_by: str
    seconds: float = Field(description="The chunks' own billing time, summed.")


class BillRunsOut(Schema):
    items: list[BillRunOut]


class ChunkOut(Schema):
    number: int
    first_account_id: int
    last_account_id: int
    status: str = Field(description="PENDING or DONE")
    attempts: int
    finished_at: datetime.datetime | None
    invoices: int
    held: int
    seconds: float | None


class HeldCountOut(Schema):
    rule: str
    count: int


class BillRunDetailOut(BillRunOut):
    chunk_list: list[ChunkOut]
    held_by_rule: list[HeldCountOut] = Field(description="Bills held now, by rule.")
    drafts: int = Field(description="Bills waiting for the run's release.")


class BillRunIn(Schema):
    run_date: datetime.date = Field(description="The bill date: accounts of that bill day.")


class ReleasedOut(BillRunOut):
    issued: int = Field(description="Bills issued by this release.")


class HeldBillOut(Schema):
    id: int
    status: str = Field(description="HELD; DRAFT, ISSUED or CANCELLED once decided")
    run_id: int | None
    account_number: str
    customer_number: str
    customer_name: str
    period_start: datetime.date
    period_end: datetime.date = Field(description="Exclusive: the day after the last billed.")
    bill_date: datetime.date
    net_pence: int
    vat_pence: int
    total_pence: int
    hold_rule: str
    hold_message: str


class HeldBillPage(Schema):
    items: list[HeldBillOut]
    next_after: int | None = Field(description="Pass as `after` for the next (older) page.")


class LineOut(Schema):
    position: int
    kind: str
    meter_point: str
    band: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    quantity: str | None = Field(description="Decimal text.")
    unit: str
    rate_pence: str | None = Field(description="Decimal text.")
    amount_pence: int
    vat_rate: int
    description: str


class PreviousBillOut(Schema):
    id: int
    number: str | None
    period_start: datetime.date
    period_end: datetime.date
    net_pence: int
    total_pence: int


class HeldBillDetailOut(HeldBillOut):
    number: str | None = Field(description="Set once issued.")
    ccl_pence: int
    decided_by: str
    lines: list[LineOut]
    previous: PreviousBillOut | None


class HeldBillParams(PageParams):
    rule: str | None = Field(None, description=f"One of: {', '.join(bill_exceptions.RULES)}.")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str | None) -> str | None:
        if value and value not in bill_exceptions.RULES:
            raise rule_broken("choice", f"rule is one of {', '.join(bill_exceptions.RULES)}")
        return value or None


class AdjustmentIn(Schema):
    amount_pence: int = Field(description="Negative for a credit; outside the scope of VAT.")
    reason: str = Field("", description="Required, 3 to 200 characters; printed on the bill.")


def _run_out(progress: queries.BillRunProgress, **extra: Any) -> dict[str, Any]:
    fields = {name: getattr(progress, name) for name in BillRunOut.model_fields}
    return {**fields, **extra}


def _held_out(view: queries.HeldInvoiceView) -> dict[str, Any]:
    invoice = view.invoice
    return {
        **{name: getattr(invoice, name) for name in HeldBillOut.model_fields if name != "status"},
        "status": invoice.status,
        "number": view.number,
        "ccl_pence": view.ccl_pence,
        "decided_by": view.decided_by,
        "lines": [
            {
                **{name: getattr(line, name) for name in LineOut.model_fields},
                "quantity": None if line.quantity is None else str(line.quantity),
                "rate_pence": None if line.rate_pence is None else str(line.rate_pence),
            }
            for line in view.lines
        ],
        "previous": None
        if view.previous is None
        else {name: getattr(view.previous, name) for name in PreviousBillOut.model_fields},
    }


@router.get("/bill-runs", response={200: BillRunsOut, 403: Error, **LIST})
def list_bill_runs(request: HttpRequest) -> Any:
    """List the latest bill runs, newest date first."""
    runs = queries.bill_runs_for(principal=_who(request), limit=50)
    return {"items": [_run_out(run) for run in runs]}


@router.post("/bill-runs", response={201: BillRunOut, **WRITE})
def start_bill_run(request: HttpRequest, payload: BillRunIn) -> Any:
    """Start the bill run of a date (or return the run it has) and queue its chunks."""
    who = _who(request)
    queries.may_run_bills(principal=who)
    run_id = operations.start_bill_run(
        run_date=payload.run_date, started_by=who.username, as_at=clock.now()
    )
    for chunk_id in operations.pending_chunk_ids(run_id=run_id):
        tasks.bill_chunk.delay(chunk_id)
    return Status(201, _run_out(queries.bill_run_progress(run_id=run_id)))


@router.get("/bill-runs/{run_id}", response={200: BillRunDetailOut, 403: Error, **READ})
def get_bill_run(request: HttpRequest, run_id: int) -> Any:
    """Return a run's progress, its chunks, and the bills it holds now by rule."""
    view = queries.bill_run_for(principal=_who(request), run_id=run_id)
    return _run_out(
        view.progress,
        chunk_list=[
            {name: getattr(chunk, name) for name in ChunkOut.model_fields} for chunk in view.chunks
        ],
        held_by_rule=[{"rule": rule, "count": count} for rule, count in view.held_by_rule],
        drafts=view.drafts,
    )


@router.post("/bill-runs/{run_id}/release", response={200: ReleasedOut, **WRITE})
def release_bill_run(request: HttpRequest, run_id: int) -> Any:
    """Issue a complete run's drafts (numbers, ledger); held bills stay held. 422
    ``run``/``not_complete`` or ``run``/``already_released``."""
    who = _who(request)
    queries.may_run_bills(principal=who)
    issued = operations.release_bill_run(run_id=run_id, released_by=who.username, as_at=clock.now())
    return _run_out(queries.bill_run_progress(run_id=run_id), issued=issued)


@router.get("/bill-exceptions", response={200: HeldBillPage, 403: Error, **LIST})
def list_held_bills(request: HttpRequest, params: Query[HeldBillParams]) -> Any:
    """List the held bills, newest first, of one hold rule if given."""
    rows = queries.held_invoices_page(
        principal=_who(request),
        rule=params.rule,
        after=params.after or None,
        limit=params.fetch(),
    )
    return page(rows, params)


@router.get("/bill-exceptions/{invoice_id}", response={200: HeldBillDetailOut, 403: Error, **READ})
def get_held_bill(request: HttpRequest, invoice_id: int) -> Any:
    """Return a held (or once held) bill with its lines and the account's bill before."""
    return _held_out(queries.held_invoice_for(principal=_who(request), invoice_id=invoice_id))


def _decided(request: HttpRequest, invoice_id: int, decide: Any, **arguments: Any) -> Any:
    who = _who(request)
    queries.may_run_bills(principal=who)
    decide(
        invoice_id=invoice_id,
        decided_by=who.username,
        decided_by_id=who.user_id,
        as_at=clock.now(),
        **arguments,
    )
    return _held_out(queries.held_invoice_for(principal=who, invoice_id=invoice_id))


@router.post("/bill-exceptions/{invoice_id}/release", response={200: HeldBillDetailOut, **WRITE})
def release_held_bill(request: HttpRequest, invoice_id: int) -> Any:
    """Release a held bill as it stands: a draft again while its run is not released,
    else issued now. 422 ``invoice``/``not_held``."""
    return _decided(request, invoice_id, operations.release_held_invoice)


@router.post("/bill-exceptions/{invoice_id}/adjustment", response={200: HeldBillDetailOut, **WRITE})
def adjust_held_bill(request: HttpRequest, invoice_id: int, payload: AdjustmentIn) -> Any:
    """Add an adjustment line (outside the scope of VAT) to a held bill; it stays held.
    422 names ``amount_pence`` (``not_zero``, ``too_large``, ``total_negative``),
    ``reason`` (``required``, ``too_short``, ``too_long``) or ``invoice``/``not_held``."""
    return _decided(
        request,
        invoice_id,
        operations.adjust_held_invoice,
        amount_pence=payload.amount_pence,
        reason=payload.reason,
    )


@router.post("/bill-exceptions/{invoice_id}/rebill", response={200: HeldBillDetailOut, **WRITE})
def rebill_held_bill(request: HttpRequest, invoice_id: int) -> Any:
    """Cancel a held bill and free its reads: the next run bills its period afresh.
    422 ``invoice``/``not_held``."""
    return _decided(request, invoice_id, operations.rebill_held_invoice)


# --- an account's bills, and a restated bill as a plain difference ----------------------


class BillOut(Schema):
    id: int
    number: str
    kind: str = Field(description="INVOICE or CREDIT_NOTE")
    status: str = Field(description="ISSUED, or CREDITED once restated (credited and replaced)")
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date = Field(description="Exclusive: the day after the last billed.")
    total_pence: int = Field(description="Negative for a credit note.")
    restated: bool = Field(description="Credited and replaced by a new bill for its period.")
    replaces_number: str | None = Field(description="A credit note's or replacement's bill.")
    document_url: str = Field(description="The bill's PDF.")
    restatement_url: str | None = Field(
        description="The restatement this bill is part of, as a plain difference."
    )


class AccountBillsOut(Schema):
    account_number: str
    balance_pence: int = Field(description="Positive: the customer owes us; negative: in credit.")
    items: list[BillOut] = Field(description="Newest first.")
    next_after: int | None = Field(description="Pass as `after` for the next (older) page.")


class BillSummaryOut(Schema):
    id: int
    number: str
    period_start: datetime.date
    period_end: datetime.date = Field(description="Exclusive.")
    bill_date: datetime.date
    total_pence: int


class LineDifferenceOut(Schema):
    meter_point: str = Field(description="MPAN core or MPRN; empty for a bill-wide line.")
    kind: str = Field(description="STANDING_CHARGE, ENERGY, CCL, VAT, ...")
    band: str
    unit: str = Field(description="DAY, KWH, PCT or empty.")
    old_quantity: str | None = Field(description="Decimal text.")
    new_quantity: str | None = Field(description="Decimal text.")
    old_amount_pence: int
    new_amount_pence: int
    difference_pence: int


class ReadChangeOut(Schema):
    meter_point: str
    band: str
    read_date: datetime.date
    change: str = Field(description="CORRECTED, ADDED (new bill only) or REMOVED (old only).")
    old_source: str
    new_source: str
    old_kwh: str | None = Field(description="Energy since the read before, decimal text.")
    new_kwh: str | None = Field(description="Energy since the read before, decimal text.")
    description: str = Field(description="The change in plain words.")


class RestatementOut(Schema):
    original: BillSummaryOut
    credit_note: BillSummaryOut
    replacement: BillSummaryOut
    difference_pence: int = Field(description="Replacement minus original: negative, credited.")
    reason: str
    summary: str = Field(description="The restatement in plain sentences, as customers read it.")
    lines: list[LineDifferenceOut] = Field(description="Per meter point and kind of line.")
    reads: list[ReadChangeOut] = Field(description="The meter reads the two bills differ on.")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _bill_out(bill: queries.BillRow) -> dict[str, Any]:
    restatement = bill.restatement_id
    return {
        **{name: getattr(bill, name) for name in ("id", "number", "kind", "status")},
        **{name: getattr(bill, name) for name in ("bill_date", "period_start", "period_end")},
        "total_pence": bill.total_pence,
        "restated": bill.is_restated,
        "replaces_number": bill.replaces_number,
        "document_url": f"/api/v1/invoices/{bill.id}/document",
        "restatement_url": None
        if restatement is None
        else f"/api/v1/invoices/{restatement}/restatement",
    }


def _summary_out(bill: Any) -> dict[str, Any]:
    return {name: getattr(bill, name) for name in BillSummaryOut.model_fields}


@router.get("/accounts/{number}/bills", response={200: AccountBillsOut, **READ})
def list_account_bills(request: HttpRequest, number: str, params: Query[PageParams]) -> Any:
    """List an account's issued bills and credit notes, newest first, with its balance."""
    bills = queries.bills_for_account(
        principal=_who(request),
        account_number=number,
        limit=params.limit,
        after=params.after or None,
    )
    return {
        "account_number": bills.account_number,
        "balance_pence": bills.balance_pence,
        "items": [_bill_out(bill) for bill in bills.bills],
        "next_after": bills.next_after,
    }


class RestateIn(Schema):
    reason: str = Field(description="Why the bill's period is billed again (kept on the trail)")


class RestatedOut(Schema):
    restated: bool = Field(description="False when re-rating found nothing changed")
    replacement_id: int | None


@router.post("/invoices/{invoice_id}/restatement", response={200: RestatedOut, **WRITE})
def restate_bill(request: HttpRequest, invoice_id: int, payload: RestateIn) -> Any:
    """Bill an issued bill's period again with the reads as they are now (the billing
    team: a read arrived late or changed). When anything changed, a credit note for the
    bill and a replacement are issued and ``restated`` is true. 422 ``invoice``/
    ``not_issued`` or ``legacy``, ``reason``/``required``; 403 without ``RUN_BILLS``."""
    who = _who(request)
    queries.may_run_bills(principal=who)
    queries.visible_invoice(principal=who, invoice_id=invoice_id)  # 404 alike if not seen
    replacement = operations.restate_invoice(
        invoice_id=invoice_id,
        reason=payload.reason,
        actor=audit.Actor(id=who.user_id, name=who.username),
        as_at=clock.now(),
    )
    return {"restated": replacement is not None, "replacement_id": replacement}


@router.get("/invoices/{invoice_id}/restatement", response={200: RestatementOut, **READ})
def get_restatement(request: HttpRequest, invoice_id: int) -> Any:
    """Return a restated bill (or its credit note's, or its replacement's restatement)
    as a plain difference: the old and new amounts, and which reads changed. 404 when the
    bill was not restated."""
    change = queries.restatement_for(principal=_who(request), invoice_id=invoice_id)
    return {
        "original": _summary_out(change.original),
        "credit_note": _summary_out(change.credit_note),
        "replacement": _summary_out(change.replacement),
        "difference_pence": change.difference_pence,
        "reason": change.reason,
        "summary": change.summary(),
        "lines": [
            {
                **{name: getattr(line, name) for name in ("meter_point", "kind", "band", "unit")},
                "old_quantity": _text(line.old_quantity),
                "new_quantity": _text(line.new_quantity),
                "old_amount_pence": line.old_amount_pence,
                "new_amount_pence": line.new_amount_pence,
                "difference_pence": line.difference_pence,
            }
            for line in change.lines
        ],
        "reads": [
            {
                **{name: getattr(read, name) for name in ("meter_point", "band", "change")},
                "read_date": read.day,
                "old_source": read.old_source,
                "new_source": read.new_source,
                "old_kwh": _text(read.old_kwh),
                "new_kwh": _text(read.new_kwh),
                "description": read.sentence(),
            }
            for read in change.reads
        ],
    }
