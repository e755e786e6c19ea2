"""Bills as people see them: a customer's own (``/my/bills/``) and an account's in the
back office (``/accounts/<number>/bills/``), each with what the account owes now, and a
restated bill as a plain difference (``.../bills/<id>/changes/``): which period, which
meter reading changed, the old and new amounts.

Each view makes one call to ``billing.queries`` (whose gate answers "not found" alike for
missing and not yours), shapes the records into plain rows and renders them. A bill's
PDF is the API's ``/api/v1/invoices/<id>/document``, which takes the signed-in session
and the same gate.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.billing import queries as billing_queries
from kilowatt.billing.domain import restatement as words
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform.errors import NotAllowed, NotFound
from kilowatt.platform.money import format_pence
from kilowatt.portals.interfaces.pages._access import customer_page, not_found, page, staff_page

_KIND_WORDS = {"INVOICE": "Bill", "CREDIT_NOTE": "Credit note"}


@dataclasses.dataclass(frozen=True)
class BillLine:
    id: int
    number: str
    kind_label: str
    is_credit_note: bool
    bill_date: datetime.date
    period: str
    amount: str
    is_restated: bool
    replaces_number: str
    document_url: str
    changes_url: str  # empty: not part of a restatement


@dataclasses.dataclass(frozen=True)
class Balance:
    owes: bool
    in_credit: bool
    amount: str  # without a sign
    to_staff: bool = False

    @property
    def sentence(self) -> str:
        if self.to_staff:
            if self.owes:
                return f"The customer owes {self.amount}"
            if self.in_credit:
                return f"The customer is {self.amount} in credit"
            return "The account is up to date: nothing owed"
        if self.owes:
            return f"You owe {self.amount}"
        if self.in_credit:
            return f"You are {self.amount} in credit"
        return "Your account is up to date: you owe nothing"


@dataclasses.dataclass(frozen=True)
class AccountBillsShape:
    account_number: str
    balance: Balance
    bills: tuple[BillLine, ...]
    older_url: str


@dataclasses.dataclass(frozen=True)
class DifferenceRow:
    meter_point: str
    fuel: str
    what: str
    old_quantity: str
    new_quantity: str
    old_amount: str
    new_amount: str
    difference: str
    changed: bool


@dataclasses.dataclass(frozen=True)
class BillFigure:
    id: int
    number: str
    period: str
    bill_date: datetime.date
    total: str
    document_url: str


@dataclasses.dataclass(frozen=True)
class ChangesShape:
    summary: str
    reason: str
    original: BillFigure
    credit_note: BillFigure
    replacement: BillFigure
    difference: str
    is_credit: bool
    reads: tuple[str, ...]
    rows: tuple[DifferenceRow, ...]
    bills_url: str


def _balance(pence: int, *, to_staff: bool) -> Balance:
    return Balance(
        owes=pence > 0, in_credit=pence < 0, amount=format_pence(abs(pence)), to_staff=to_staff
    )


def _document_url(invoice_id: int) -> str:
    return f"/api/v1/invoices/{invoice_id}/document"


def _account_bills(
    bills: billing_queries.AccountBills, *, changes_url: Any, list_url: str, to_staff: bool
) -> AccountBillsShape:
    return AccountBillsShape(
        account_number=bills.account_number,
        balance=_balance(bills.balance_pence, to_staff=to_staff),
        bills=tuple(
            BillLine(
                id=bill.id,
                number=bill.number,
                kind_label=_KIND_WORDS.get(bill.kind, bill.kind),
                is_credit_note=bill.kind == "CREDIT_NOTE",
                bill_date=bill.bill_date,
                period=words.period_words(bill.period_start, bill.period_end),
                amount=format_pence(bill.total_pence),
                is_restated=bill.is_restated,
                replaces_number=bill.replaces_number or "",
                document_url=_document_url(bill.id),
                changes_url=changes_url(bill.restatement_id) if bill.restatement_id else "",
            )
            for bill in bills.bills
        ),
        older_url=f"{list_url}?after={bills.next_after}" if bills.next_after else "",
    )


def _quantity(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    if unit == "PCT":
        return f"{text}%"
    return f"{text} {'days' if unit == 'DAY' else 'kWh' if unit == 'KWH' else unit.lower()}"


def _signed(pence: int) -> str:
    return "—" if pence == 0 else ("+" if pence > 0 else "") + format_pence(pence)


def _figure(bill: words.BillSummary) -> BillFigure:
    return BillFigure(
        id=bill.id,
        number=bill.number,
        period=words.period_words(bill.period_start, bill.period_end),
        bill_date=bill.bill_date,
        total=format_pence(bill.total_pence),
        document_url=_document_url(bill.id),
    )


def _changes(change: words.Restatement, *, bills_url: str) -> ChangesShape:
    rows = []
    for line in change.lines:
        band = "" if line.band in ("", "ANYTIME") else f" ({line.band.lower()})"
        rows.append(
            DifferenceRow(
                meter_point=line.meter_point,
                fuel=words.fuel_of(line.meter_point).capitalize() if line.meter_point else "",
                what=f"{line.kind_label}{band}",
                old_quantity=_quantity(line.old_quantity, line.unit),
                new_quantity=_quantity(line.new_quantity, line.unit),
                old_amount=format_pence(line.old_amount_pence),
                new_amount=format_pence(line.new_amount_pence),
                difference=_signed(line.difference_pence),
                changed=line.changed,
            )
        )
    return ChangesShape(
        summary=change.summary(),
        reason=change.reason,
        original=_figure(change.original),
        credit_note=_figure(change.credit_note),
        replacement=_figure(change.replacement),
        difference=words.difference_words(change.difference_pence),
        is_credit=change.difference_pence < 0,
        reads=tuple(
            f"{sentence[0].upper()}{sentence[1:]}."
            for sentence in (read.sentence() for read in change.reads)
        ),
        rows=tuple(rows),
        bills_url=bills_url,
    )


def _after(request: HttpRequest) -> int | None:
    text = request.GET.get("after", "")
    return int(text) if text.isdigit() else None


# --- a customer's own -------------------------------------------------------------------


def _my_not_found(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/my/bill_not_found.html", status=404)


@require_http_methods(["GET", "HEAD"])
@customer_page
def my_bills(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show the customer's bills, newest first, and what each account owes now."""
    try:
        accounts = billing_queries.own_bills(principal=principal)
    except NotAllowed:
        return page(request, principal, "portals/my/refused.html", status=403)
    list_url = reverse("portals:my_bills")
    return page(
        request,
        principal,
        "portals/my/bills.html",
        {
            "accounts": [
                _account_bills(
                    bills,
                    changes_url=lambda id: reverse("portals:my_bill_changes", args=[id]),
                    list_url=list_url,
                    to_staff=False,
                )
                for bills in accounts
            ]
        },
    )


@require_http_methods(["GET", "HEAD"])
@customer_page
def my_bill_changes(request: HttpRequest, principal: Principal, invoice_id: int) -> HttpResponse:
    """Show what changed when one of the customer's bills was restated."""
    try:
        change = billing_queries.restatement_for(principal=principal, invoice_id=invoice_id)
    except NotFound:
        return _my_not_found(request, principal)
    return page(
        request,
        principal,
        "portals/my/bill_changes.html",
        {"change": _changes(change, bills_url=reverse("portals:my_bills"))},
    )


# --- the back office ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@staff_page
def account_bills(request: HttpRequest, principal: Principal, number: str) -> HttpResponse:
    """Show an account's bills, newest first (``?after=`` for older), and its balance."""
    try:
        bills = billing_queries.bills_for_account(
            principal=principal, account_number=number, limit=50, after=_after(request)
        )
    except NotFound:
        return not_found(request, principal)
    number = bills.account_number
    return page(
        request,
        principal,
        "portals/customer/account_bills.html",
        {
            "account": _account_bills(
                bills,
                changes_url=lambda id: reverse(
                    "portals:account_bill_changes", kwargs={"number": number, "invoice_id": id}
                ),
                list_url=reverse("portals:account_bills", kwargs={"number": number}),
                to_staff=True,
            ),
        },
    )


@require_http_methods(["GET", "HEAD"])
@staff_page
def account_bill_changes(
    request: HttpRequest, principal: Principal, number: str, invoice_id: int
) -> HttpResponse:
    """Show a restated bill of an account as a plain difference."""
    try:
        change = billing_queries.restatement_for(
            principal=principal, invoice_id=invoice_id, account_number=number
        )
    except NotFound:
        return not_found(request, principal)
    number = number.upper()
    return page(
        request,
        principal,
        "portals/customer/bill_changes.html",
        {
            "number": number,
            "staff": True,
            "change": _changes(
                change, bills_url=reverse("portals:account_bills", kwargs={"number": number})
            ),
        },
    )
