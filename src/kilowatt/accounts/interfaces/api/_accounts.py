"""Accounts and their agreements over HTTP."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kilowatt.accounts import operations, queries
from kilowatt.accounts.interfaces.api._shared import principal
from kilowatt.customers import operations as customer_operations
from kilowatt.ledger import queries as ledger_queries
from kilowatt.platform import clock
from kilowatt.platform.api import (
    LIST,
    READ,
    WRITE,
    PageParams,
    Patch,
    fields_of,
    page,
)

router = Router(tags=["accounts"])


class AgreementOut(Schema):
    id: int
    meter_point: str = Field(description="The MPAN core or MPRN supplied.")
    tariff: str = Field(description="The tariff's code.")
    valid_from: datetime.date
    valid_to: datetime.date | None = Field(description="Exclusive; null while open-ended.")

    @staticmethod
    def resolve_meter_point(agreement: Any) -> str:
        return agreement.meter_point.identifier

    @staticmethod
    def resolve_tariff(agreement: Any) -> str:
        return agreement.tariff.code


class AccountOut(Schema):
    number: str
    customer_number: str
    status: str
    payment_method: str
    bill_delivery: str
    created_at: datetime.datetime
    agreements: list[AgreementOut]

    @staticmethod
    def resolve_customer_number(account: Any) -> str:
        return customer_operations.customer_number(account.customer_id)


class AccountPage(Schema):
    items: list[AccountOut]
    next_after: int | None


class AccountFilters(PageParams):
    customer: str | None = Field(None, description="A customer number: that customer's accounts.")
    status: Literal["PENDING", "ACTIVE", "CLOSED"] | None = None


class AccountIn(Schema):
    customer_number: str
    payment_method: str = Field(description="DIRECT_DEBIT, ON_RECEIPT or PREPAYMENT")
    bill_delivery: str = Field(description="EMAIL or PAPER (business accounts are paperless)")


class AccountPatch(Patch):
    """Only the fields sent change (the defaults are never applied)."""

    status: str = Field("", description="PENDING, ACTIVE or CLOSED")
    payment_method: str = ""
    bill_delivery: str = ""


class AgreementIn(Schema):
    meter_point: str = Field(description="An MPAN (core or full) or an MPRN.")
    tariff: str = Field(description="The tariff's code.")
    valid_from: datetime.date
    valid_to: datetime.date | None = None


class AgreementEnd(Schema):
    valid_to: datetime.date = Field(description="The first day no longer supplied.")


@router.get("/accounts", response={200: AccountPage, **LIST})
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> Any:
    """List the accounts you may see, in id order, optionally one customer's or by status."""
    rows = queries.accounts_page(
        principal(request),
        customer_number=filters.customer,
        status=filters.status,
        after_id=filters.after,
        limit=filters.fetch(),
    )
    return page(rows, filters)


@router.get("/accounts/{number}", response={200: AccountOut, **READ})
def read_account(request: HttpRequest, number: str) -> Any:
    """Read an account with its agreements."""
    return queries.account_for(principal(request), number=number)


@router.post("/accounts", response={201: AccountOut, **WRITE})
def create_account(request: HttpRequest, payload: AccountIn) -> Any:
    """Open a pending account for a customer you may see."""
    account = operations.create_account(
        by=principal(request), **fields_of(payload), as_at=clock.now()
    )
    return Status(201, account)


@router.patch("/accounts/{number}", response={200: AccountOut, **WRITE})
def update_account(request: HttpRequest, number: str, payload: AccountPatch) -> Any:
    """Change an account's status, payment method or bill delivery."""
    return operations.update_account(
        by=principal(request),
        number=number,
        changes=fields_of(payload, sent_only=True),
        as_at=clock.now(),
    )


@router.post("/accounts/{number}/agreements", response={201: AgreementOut, **WRITE})
def add_agreement(request: HttpRequest, number: str, payload: AgreementIn) -> Any:
    """Supply a meter point on the account under a tariff from ``valid_from``."""
    agreement = operations.add_agreement(
        by=principal(request),
        account_number=number,
        meter_point_identifier=payload.meter_point,
        tariff_code=payload.tariff,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        as_at=clock.now(),
    )
    return Status(201, agreement)


@router.post("/agreements/{agreement_id}/end", response={200: AgreementOut, **WRITE})
def end_agreement(request: HttpRequest, agreement_id: int, payload: AgreementEnd) -> Any:
    """End an agreement: the meter point is no longer supplied under it from ``valid_to``."""
    return operations.end_agreement(
        by=principal(request),
        agreement_id=agreement_id,
        valid_to=payload.valid_to,
        as_at=clock.now(),
    )


class LedgerLineOut(Schema):
    id: int
    transaction_id: int
    kind: str = Field(description="CHARGE, CREDIT, PAYMENT, REFUND, WRITE_OFF, TRANSFER ...")
    reference: str
    description: str
    effective_date: datetime.date
    amount_pence: int = Field(description="Debit positive: a charge adds to what is owed.")
    document: str = Field(description="The invoice number or payment reference, if any.")
    posted_at: datetime.datetime


class LedgerOut(Schema):
    balance_pence: int = Field(description="Positive: the customer owes us; negative: in credit.")
    items: list[LedgerLineOut] = Field(description="Newest first.")
    next_after: int | None


@router.get("/accounts/{number}/ledger", response={200: LedgerOut, **READ})
def read_account_ledger(request: HttpRequest, number: str, params: Query[PageParams]) -> Any:
    """Read an account's balance and its ledger lines, newest first (pass a page's
    ``next_after`` as ``after`` for older lines)."""
    account = queries.account_for(principal(request), number=number)
    rows = ledger_queries.lines_for_account(
        holder=account.id, after=params.after or None, limit=params.fetch()
    )
    return {
        "balance_pence": ledger_queries.balance_for_account(holder=account.id),
        **page(rows, params),
    }
