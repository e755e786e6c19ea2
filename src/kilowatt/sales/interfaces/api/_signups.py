"""Sign-ups over HTTP, for partners (and any client of the API): submit, read, cancel.

An order is accepted whole or refused whole (422 naming every field and rule); the same
``Idempotency-Key`` header again answers the first order (200) instead of a second one.
Who may see an order is decided by ``sales.queries.order_for``: anything else is 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status

from kilowatt.accounts.operations import account_number
from kilowatt.customers.domain.customers import ContactDetails, CustomerDetails
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.api import READ, WRITE, fields_of
from kilowatt.properties.domain.addresses import Address
from kilowatt.sales import operations, queries
from kilowatt.sales.domain import orders as order_rules
from kilowatt.sales.domain import quotes as quote_rules

router = Router(tags=["sales"])


def _principal(request: HttpRequest) -> Principal:
    return identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]


# --- shapes ---------------------------------------------------------------------------


class ContactIn(Schema):
    role: str = Field(description="ACCOUNT_MANAGER, BILLING_OFFICER, JOINT_HOLDER or AUTHORISED")
    name: str
    email: str = ""
    phone: str = ""


class CustomerIn(Schema):
    kind: Literal["RESIDENTIAL", "BUSINESS"]
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: datetime.date | None = None
    company_name: str = ""
    company_number: str = ""
    sector: str = ""
    is_micro_business: bool = False
    email: str = Field(description="Where the contract and its signing link go.")
    phone: str = ""
    priority_needs: list[str] = []
    contacts: list[ContactIn] = []


class SiteIn(Schema):
    address_line_1: str
    address_line_2: str = ""
    town: str
    county: str = ""
    postcode: str


class SupplyIn(Schema):
    site: int = Field(0, description="Which of `sites` (from 0).")
    fuel: Literal["ELECTRICITY", "GAS"]
    identifier: str = Field(description="MPAN (13-digit core or 21-character full) or MPRN.")
    tariff_code: str
    annual_kwh: Decimal | None = Field(
        None, description='Yearly use in kWh, as a string ("2700"); or give `usage_level`.'
    )
    usage_level: Literal["LOW", "MEDIUM", "HIGH"] | None = Field(
        None, description="Ofgem's typical consumption instead of `annual_kwh`."
    )
    meter_type: Literal["STANDARD", "ECONOMY_7"] = "STANDARD"


class BankIn(Schema):
    account_holder: str
    sort_code: str
    account_number: str


class ConsentsIn(Schema):
    terms: bool = Field(description="The customer agrees to the contract's terms.")
    direct_debit_mandate: bool = False
    credit_check: bool = False
    marketing: list[Literal["EMAIL", "SMS", "PHONE", "POST"]] = []


class SignUpIn(Schema):
    customer: CustomerIn
    sites: list[SiteIn]
    supplies: list[SupplyIn]
    payment_method: Literal["DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT"]
    bank: BankIn | None = None
    consents: ConsentsIn
    bill_delivery: Literal["EMAIL", "PAPER"] = "EMAIL"
    signer_name: str = Field("", description="A business: who signs for it.")


class SupplyOut(Schema):
    identifier: str
    fuel: str
    tariff_code: str
    annual_kwh: str
    registration: str
    registration_reason: str
    supply_start_date: datetime.date | None


class SignUpOut(Schema):
    reference: str
    channel: str
    status: str
    submitted_at: datetime.datetime
    exception_rule: str
    contract_id: int | None
    contract_status: str | None
    cooling_off_ends: datetime.date | None
    account_number: str | None
    supplies: list[SupplyOut]


class CancelIn(Schema):
    reason: str = ""


# --- translation ----------------------------------------------------------------------


def _annual_kwh(supply: SupplyIn, kind: str) -> Decimal:
    if supply.annual_kwh is not None:
        return supply.annual_kwh
    return quote_rules.typical_kwh(
        customer_kind=kind,
        fuel=supply.fuel,
        meter_type=supply.meter_type,
        level=supply.usage_level or "MEDIUM",
    )


def order_request(payload: SignUpIn) -> order_rules.OrderRequest:
    """Return the order a sign-up body asks for (shared with the pages' forms)."""
    customer = payload.customer
    return order_rules.OrderRequest(
        customer=CustomerDetails(
            **fields_of(customer, exclude={"priority_needs", "contacts"}),
            priority_needs=tuple(customer.priority_needs),
            contacts=tuple(ContactDetails(**fields_of(c)) for c in customer.contacts),
        ),
        sites=tuple(Address(**fields_of(site)) for site in payload.sites),
        supplies=tuple(
            order_rules.SupplyRequest(
                site=supply.site,
                fuel=supply.fuel,
                identifier=supply.identifier,
                tariff_code=supply.tariff_code,
                annual_kwh=_annual_kwh(supply, customer.kind),
                meter_type=supply.meter_type,
            )
            for supply in payload.supplies
        ),
        payment_method=payload.payment_method,
        consents=order_rules.Consents(
            terms=payload.consents.terms,
            direct_debit_mandate=payload.consents.direct_debit_mandate,
            credit_check=payload.consents.credit_check,
            marketing=tuple(payload.consents.marketing),
        ),
        bank=order_rules.BankDetails(**fields_of(payload.bank)) if payload.bank else None,
        bill_delivery=payload.bill_delivery,
        signer_name=payload.signer_name,
    )


def _out(order: Any) -> dict[str, Any]:
    contract = order.contract if hasattr(order, "contract") else None
    return {
        "reference": order.reference,
        "channel": order.channel,
        "status": order.status,
        "submitted_at": order.submitted_at,
        "exception_rule": order.exception_rule,
        "contract_id": contract.id if contract else None,
        "contract_status": contract.status if contract else None,
        "cooling_off_ends": contract.cooling_off_ends if contract else None,
        "account_number": account_number(order.account_id) if order.account_id else None,
        "supplies": [
            {
                "identifier": s.identifier,
                "fuel": s.fuel,
                "tariff_code": s.tariff_code,
                "annual_kwh": str(s.annual_kwh),
                "registration": s.registration,
                "registration_reason": s.registration_reason,
                "supply_start_date": s.supply_start_date,
            }
            for s in order.supplies.all()
        ],
    }


# --- endpoints ------------------------------------------------------------------------


@router.post(
    "/signups",
    response={200: SignUpOut, 201: SignUpOut, **WRITE},
    summary="Sign up a customer (partners)",
)
def create_signup(
    request: HttpRequest,
    payload: SignUpIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    """Submit a sign-up: validated whole, then its contract is emailed with a signing
    link (or, stopped by an automatic rule, it waits for the admin team). 201 for a new
    order; 200 with the first order when the same `Idempotency-Key` is sent again."""
    principal = _principal(request)
    submitted = operations.submit_order(
        by=principal,
        channel="PARTNER",
        request=order_request(payload),
        idempotency_key=idempotency_key,
        as_at=clock.now(),
    )
    order = queries.order_for(principal, reference=submitted.order.reference)
    return Status(201 if submitted.created else 200, _out(order))


@router.get("/signups/{reference}", response={200: SignUpOut, **READ}, summary="Read a sign-up")
def read_signup(request: HttpRequest, reference: str) -> Any:
    """Read a sign-up: its status, contract and each meter point's registration."""
    return _out(queries.order_for(_principal(request), reference=reference))


@router.post(
    "/signups/{reference}/cancel", response={200: SignUpOut, **WRITE}, summary="Cancel a sign-up"
)
def cancel_signup(request: HttpRequest, reference: str, payload: CancelIn) -> Any:
    """Cancel for the customer: before signing at any time, after it within the
    cooling-off period. Registrations are withdrawn; the account closes."""
    principal = _principal(request)
    operations.cancel_order(
        by=principal, reference=reference, reason=payload.reason, as_at=clock.now()
    )
    return _out(queries.order_for(principal, reference=reference))
