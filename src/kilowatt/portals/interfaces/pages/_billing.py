"""The billing team's pages (``RUN_BILLS``): bill runs started, watched and released, and
the held bills (bill exceptions) released, adjusted or re-billed.

A run's page refreshes its progress by itself while the run is billing: HTMX asks the
same address for the progress fragment every two seconds, and the fragment stops asking
once the run is complete.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from celery import current_app
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from kilowatt.billing import operations as billing_operations
from kilowatt.billing import queries as billing_queries
from kilowatt.billing.domain import bill_exceptions as hold_rules
from kilowatt.billing.domain import held_bills
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import audit, clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.platform.money import format_pence
from kilowatt.portals.interfaces.pages._access import is_htmx, not_found, page, staff_page

RUNS_LIMIT = 30
QUEUE_LIMIT = 50
POLL_SECONDS = 2
# Billing's task, by its registered name: the portal meets billing only through its
# queries, operations and domain (the walls), so it queues the task without importing it.
BILL_CHUNK_TASK = "billing.bill_chunk"


def _refused(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/refused.html", status=403)


def _queue(task_name: str, *args: object) -> None:
    """Queue a registered Celery task (run here and now when there is no broker)."""
    current_app.tasks[task_name].delay(*args)


def rule_label(rule: str) -> str:
    """Return a hold rule as a person reads it: ``never_billed`` -> "Never billed"."""
    return rule.replace("_", " ").capitalize()


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


# --- shapes ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunShape:
    id: int
    run_date: datetime.date
    status: str
    status_label: str
    is_running: bool
    is_complete: bool
    accounts_due: int
    chunks: int
    chunks_done: int
    percent: int
    invoices: int
    held: int
    created_at: datetime.datetime
    created_by: str
    completed_at: datetime.datetime | None
    released_at: datetime.datetime | None
    released_by: str
    seconds: str


def _run(progress: billing_queries.BillRunProgress) -> RunShape:
    return RunShape(
        id=progress.id,
        run_date=progress.run_date,
        status=progress.status.lower(),
        status_label=progress.status.title(),
        is_running=progress.status == "RUNNING",
        is_complete=progress.status == "COMPLETE",
        accounts_due=progress.accounts_due,
        chunks=progress.chunks,
        chunks_done=progress.chunks_done,
        percent=progress.percent_done,
        invoices=progress.invoices,
        held=progress.held,
        created_at=progress.created_at,
        created_by=progress.created_by,
        completed_at=progress.completed_at,
        released_at=progress.released_at,
        released_by=progress.released_by,
        seconds=f"{progress.seconds:,.1f}",
    )


@dataclasses.dataclass(frozen=True)
class ChunkShape:
    number: int
    accounts: str  # "1 to 5,000" by id
    status: str
    status_label: str
    attempts: int
    finished_at: datetime.datetime | None
    invoices: int
    held: int
    seconds: str


@dataclasses.dataclass(frozen=True)
class RuleCount:
    rule: str
    label: str
    count: int


@dataclasses.dataclass(frozen=True)
class HeldRow:
    id: int
    account_number: str
    customer_number: str
    customer_name: str
    period: str  # "1 Feb 2026 to 28 Feb 2026" (the last day billed)
    days: int
    total: str
    rule: str
    rule_label: str
    message: str
    bill_date: datetime.date


def _last_day(end: datetime.date) -> datetime.date:
    return end - datetime.timedelta(days=1)


def _period(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%-d %b %Y} to {_last_day(end):%-d %b %Y}"


def _held(row: billing_queries.HeldInvoiceRow) -> HeldRow:
    return HeldRow(
        id=row.id,
        account_number=row.account_number,
        customer_number=row.customer_number,
        customer_name=row.customer_name,
        period=_period(row.period_start, row.period_end),
        days=(row.period_end - row.period_start).days,
        total=format_pence(row.total_pence),
        rule=row.hold_rule,
        rule_label=rule_label(row.hold_rule),
        message=row.hold_message,
        bill_date=row.bill_date,
    )


@dataclasses.dataclass(frozen=True)
class LineShape:
    kind: str
    kind_label: str
    meter_point: str
    band: str
    dates: str
    quantity: str  # with its unit: "300 kWh", "28 days", "5%"
    rate: str  # pence, "24.86p"
    amount: str
    vat_rate: str
    reads: str  # "Customer → Customer"
    description: str
    is_adjustment: bool


def _quantity(quantity: Decimal | None, unit: str) -> str:
    if quantity is None:
        return ""
    if unit == "PCT":
        return f"{_number(quantity)}%"
    return f"{_number(quantity)} {_UNITS.get(unit, unit.lower())}".strip()


_UNITS = {"DAY": "days", "KWH": "kWh"}


def _line(line: billing_queries.InvoiceLineRow) -> LineShape:
    dates = ""
    if line.start_date is not None and line.end_date is not None:
        dates = _period(line.start_date, line.end_date)
    reads = " → ".join(part.title() for part in (line.read_from, line.read_to) if part)
    return LineShape(
        kind=line.kind,
        kind_label=line.kind_label,
        meter_point=line.meter_point,
        band=line.band.replace("_", "-").title(),
        dates=dates,
        quantity=_quantity(line.quantity, line.unit),
        rate=f"{_number(line.rate_pence)}p" if line.rate_pence is not None else "",
        amount=format_pence(line.amount_pence),
        vat_rate=f"{line.vat_rate}%" if line.kind not in ("VAT", "ADJUSTMENT") else "",
        reads=reads,
        description=line.description,
        is_adjustment=line.kind == "ADJUSTMENT",
    )


@dataclasses.dataclass(frozen=True)
class PreviousShape:
    id: int
    number: str
    period: str
    days: int
    net: str
    total: str
    may_restate: bool  # issued and not credited: its period can be billed again


@dataclasses.dataclass(frozen=True)
class BillShape:
    id: int
    status: str
    status_label: str
    is_held: bool
    run_id: int | None
    account_number: str
    customer_number: str
    customer_name: str
    period: str
    days: int
    bill_date: datetime.date
    net: str
    ccl: str
    vat: str
    total: str
    has_ccl: bool
    rule: str
    rule_label: str
    message: str
    decided_by: str
    lines: tuple[LineShape, ...]
    previous: PreviousShape | None


def _bill(view: billing_queries.HeldInvoiceView) -> BillShape:
    invoice, previous = view.invoice, view.previous
    return BillShape(
        id=invoice.id,
        status=invoice.status.lower(),
        status_label=invoice.status.title(),
        is_held=invoice.status == "HELD",
        run_id=invoice.run_id,
        account_number=invoice.account_number,
        customer_number=invoice.customer_number,
        customer_name=invoice.customer_name,
        period=_period(invoice.period_start, invoice.period_end),
        days=view.days,
        bill_date=invoice.bill_date,
        net=format_pence(invoice.net_pence),
        ccl=format_pence(view.ccl_pence),
        vat=format_pence(invoice.vat_pence),
        total=format_pence(invoice.total_pence),
        has_ccl=view.ccl_pence != 0,
        rule=invoice.hold_rule,
        rule_label=rule_label(invoice.hold_rule),
        message=invoice.hold_message,
        decided_by=view.decided_by,
        lines=tuple(_line(line) for line in view.lines),
        previous=PreviousShape(
            id=previous.id,
            number=previous.number or "",
            period=_period(previous.period_start, previous.period_end),
            days=previous.days,
            net=format_pence(previous.net_pence),
            total=format_pence(previous.total_pence),
            may_restate=previous.status == "ISSUED"
            and not (previous.number or "").startswith("ERP"),
        )
        if previous is not None
        else None,
    )


def _problems(error: InvalidInput, *, rename: dict[str, str] | None = None) -> dict[str, str]:
    names = rename or {}
    return {names.get(p.field, p.field): p.message for p in error.problems}


# --- bill runs ------------------------------------------------------------------------


def _run_date(text: str) -> tuple[datetime.date | None, dict[str, str]]:
    if not text.strip():
        return None, {"run_date": "Choose the date to bill."}
    try:
        return datetime.date.fromisoformat(text.strip()), {}
    except ValueError:
        return None, {"run_date": "Enter a date like 2026-12-01."}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def bill_runs(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the latest bill runs; POST starts the run of a date and queues its chunks."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            billing_queries.may_run_bills(principal=principal)
        except NotAllowed:
            return _refused(request, principal)
        run_date, problems = _run_date(request.POST.get("run_date", ""))
        if run_date is not None:
            try:
                run_id = billing_operations.start_bill_run(
                    run_date=run_date, started_by=principal.username, as_at=clock.now()
                )
            except InvalidInput as error:
                problems = _problems(error)
            else:
                # Queued as tasks: workers bill them; without a broker they run here.
                for chunk_id in billing_operations.pending_chunk_ids(run_id=run_id):
                    _queue(BILL_CHUNK_TASK, chunk_id)
                messages.success(request, f"Bill run of {run_date:%-d %B %Y} started.")
                return redirect("portals:bill_run", run_id=run_id)
    try:
        runs = billing_queries.bill_runs_for(principal=principal, limit=RUNS_LIMIT)
    except NotAllowed:
        return _refused(request, principal)
    today = clock.today()
    return page(
        request,
        principal,
        "portals/billing/runs.html",
        {
            "runs": [_run(run) for run in runs],
            "problems": problems,
            "run_date": request.POST.get("run_date", "") or today.isoformat(),
        },
        status=422 if problems else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def bill_run(request: HttpRequest, principal: Principal, run_id: int) -> HttpResponse:
    """Show a run: its progress (an HTMX request gets the progress fragment alone, which
    asks again every two seconds while the run is billing), its chunks, and its held
    bills by rule; POST releases a complete run."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            billing_queries.may_run_bills(principal=principal)
            issued = billing_operations.release_bill_run(
                run_id=run_id, released_by=principal.username, as_at=clock.now()
            )
        except NotAllowed:
            return _refused(request, principal)
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problems = _problems(error)
        else:
            messages.success(request, f"Run released: {issued:,} bills issued.")
            return redirect("portals:bill_run", run_id=run_id)
    try:
        view = billing_queries.bill_run_for(principal=principal, run_id=run_id)
    except NotAllowed:
        return _refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    context = {
        "run": _run(view.progress),
        "chunks": [
            ChunkShape(
                number=chunk.number,
                accounts=f"{chunk.first_account_id:,} to {chunk.last_account_id:,}",
                status=chunk.status.lower(),
                status_label=chunk.status.title(),
                attempts=chunk.attempts,
                finished_at=chunk.finished_at,
                invoices=chunk.invoices,
                held=chunk.held,
                seconds=f"{chunk.seconds:,.2f}" if chunk.seconds is not None else "",
            )
            for chunk in view.chunks
        ],
        "held_by_rule": [
            RuleCount(rule=rule, label=rule_label(rule), count=count)
            for rule, count in view.held_by_rule
        ],
        "drafts": view.drafts,
        "poll_seconds": POLL_SECONDS,
        "problems": problems,
    }
    if is_htmx(request) and request.method != "POST":
        return page(request, principal, "portals/billing/_run_progress.html", context)
    return page(
        request,
        principal,
        "portals/billing/run.html",
        context,
        status=422 if problems else 200,
    )


# --- bill exceptions ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@staff_page
def bill_exceptions(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the held bills, newest first, of one rule if asked (``?rule=``)."""
    rule = request.GET.get("rule", "")
    rule = rule if rule in hold_rules.RULES else ""
    after_text = request.GET.get("after", "")
    try:
        counts = billing_queries.held_invoice_counts(principal=principal)
        rows = billing_queries.held_invoices_page(
            principal=principal,
            rule=rule or None,
            after=int(after_text) if after_text.isdigit() else None,
            limit=QUEUE_LIMIT,
        )
    except NotAllowed:
        return _refused(request, principal)
    return page(
        request,
        principal,
        "portals/billing/exceptions.html",
        {
            "rows": [_held(row) for row in rows],
            "rule": rule,
            "rule_label": rule_label(rule),
            "total": sum(counts.values()),
            "filters": [
                RuleCount(rule=name, label=rule_label(name), count=counts[name])
                for name in hold_rules.RULES
                if counts.get(name)
            ],
            "next_after": rows[-1].id if len(rows) == QUEUE_LIMIT else None,
        },
    )


_ACTIONS = ("release", "adjust", "rebill")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def bill_exception(request: HttpRequest, principal: Principal, invoice_id: int) -> HttpResponse:
    """Show a held bill as it would print, why it was held and the bill before it; POST
    releases it, adjusts it (an amount in pounds and a reason) or re-bills it."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        by, by_id = principal.username, principal.user_id
        try:
            billing_queries.may_run_bills(principal=principal)
            if action == "release":
                released = billing_operations.release_held_invoice(
                    invoice_id=invoice_id, decided_by=by, decided_by_id=by_id, as_at=clock.now()
                )
                said = (
                    f"Bill {invoice_id} issued as {released.number}."
                    if released.number
                    else f"Bill {invoice_id} released: it goes out with its run."
                )
            elif action == "adjust":
                pence, found = held_bills.pence_from_pounds(request.POST.get("amount", ""))
                if pence is None:
                    raise InvalidInput(found)
                billing_operations.adjust_held_invoice(
                    invoice_id=invoice_id,
                    amount_pence=pence,
                    reason=request.POST.get("reason", ""),
                    decided_by=by,
                    decided_by_id=by_id,
                    as_at=clock.now(),
                )
                said = f"Bill {invoice_id} adjusted by {format_pence(pence)}; it is still held."
            elif action == "restate_previous":
                # A late or changed read in the bill before: bill that period again first.
                previous = billing_queries.held_invoice_for(
                    principal=principal, invoice_id=invoice_id
                ).previous
                if previous is None:
                    raise NotFound(f"no bill before {invoice_id}")
                replacement = billing_operations.restate_invoice(
                    invoice_id=previous.id,
                    reason=request.POST.get("restate_reason", ""),
                    actor=audit.Actor(id=by_id, name=by),
                    as_at=clock.now(),
                )
                said = (
                    f"Bill {previous.number} restated: credited and replaced."
                    if replacement
                    else f"Bill {previous.number} is right as it is: nothing changed."
                )
            elif action == "rebill":
                billing_operations.rebill_held_invoice(
                    invoice_id=invoice_id, decided_by=by, decided_by_id=by_id, as_at=clock.now()
                )
                said = f"Bill {invoice_id} cancelled: the next run bills its period afresh."
            else:
                problems = {"action": "Choose release, adjust or re-bill."}
                said = ""
        except NotAllowed:
            return _refused(request, principal)
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problems = _problems(
                error,
                rename={"amount_pence": "amount"}
                if action != "restate_previous"
                else {"reason": "restate_reason", "invoice": "restate_reason"},
            )
        else:
            if not problems:
                messages.success(request, said)
                if action in ("adjust", "restate_previous"):
                    return redirect("portals:bill_exception", invoice_id=invoice_id)
                return redirect("portals:bill_exceptions")
    try:
        view = billing_queries.held_invoice_for(principal=principal, invoice_id=invoice_id)
    except NotAllowed:
        return _refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    return page(
        request,
        principal,
        "portals/billing/exception.html",
        {
            "bill": _bill(view),
            "problems": problems,
            "amount": request.POST.get("amount", ""),
            "reason": request.POST.get("reason", ""),
            "restate_reason": request.POST.get("restate_reason", ""),
        },
        status=422 if problems else 200,
    )
