"""Customers over HTTP: list, read, sign up and change, each through one query or operation.

Who may see whom is decided by ``customers.queries`` (the gate); a customer the caller
may not see answers 404 exactly as a missing one does.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kilowatt.customers import operations, queries
from kilowatt.customers.domain.customers import ContactDetails, CustomerDetails
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.api import LIST, READ, WRITE, PageParams, Patch, fields_of, page

router = Router(tags=["customers"])


def _principal(request: HttpRequest) -> Principal:
    # ``request.auth`` is the user the bearer token or the session belongs to.
    return identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]


# --- shapes ---------------------------------------------------------------------------


class ContactIn(Schema):
    role: str = Field(
        description="PRIMARY, ACCOUNT_MANAGER, BILLING_OFFICER, JOINT_HOLDER or AUTHORISED"
    )
    name: str
    email: str = ""
    phone: str = ""


class ConsentIn(Schema):
    channel: str = Field(description="EMAIL, SMS, PHONE or POST")
    granted: bool


class CustomerIn(Schema):
    kind: str = Field(description="RESIDENTIAL or BUSINESS")
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: datetime.date | None = None
    company_name: str = ""
    company_number: str = ""
    sector: str = ""
    is_micro_business: bool = False
    email: str = ""
    phone: str = ""
    consents: list[ConsentIn] = []
    priority_needs: list[str] = []
    contacts: list[ContactIn] = []


class CustomerPatch(Patch):
    """Only the fields sent change; ``consents`` and ``priority_needs`` replace the set.

    The defaults below are never applied: a field left out is left alone.
    """

    title: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: datetime.date | None = Field(None, description="null clears it")
    company_name: str = ""
    company_number: str = ""
    sector: str = ""
    is_micro_business: bool = False
    email: str = ""
    phone: str = ""
    consents: list[ConsentIn] = []
    priority_needs: list[str] = []


class ContactOut(Schema):
    id: int
    role: str
    name: str
    email: str
    phone: str


class ConsentOut(Schema):
    channel: str
    granted: bool
    recorded_at: datetime.datetime


class PriorityNeedOut(Schema):
    need: str
    recorded_at: datetime.datetime


class CustomerOut(Schema):
    number: str
    kind: str
    name: str = Field(alias="display_name")
    title: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date | None
    company_name: str
    company_number: str
    sector: str
    is_micro_business: bool
    email: str
    phone: str
    created_at: datetime.datetime
    contacts: list[ContactOut]
    consents: list[ConsentOut]
    priority_needs: list[PriorityNeedOut]


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_after: int | None


class CustomerFilters(PageParams):
    kind: Literal["RESIDENTIAL", "BUSINESS"] | None = None
    name: str | None = Field(None, description="The start of the name, surname first.")


# --- translation ----------------------------------------------------------------------


def _details(payload: CustomerIn) -> CustomerDetails:
    return CustomerDetails(
        **fields_of(payload, exclude={"consents", "priority_needs", "contacts"}),
        consents=tuple((c.channel, c.granted) for c in payload.consents),
        priority_needs=tuple(payload.priority_needs),
        contacts=tuple(ContactDetails(**fields_of(c)) for c in payload.contacts),
    )


def _changes(payload: CustomerPatch) -> dict[str, object]:
    changes: dict[str, object] = fields_of(payload, exclude={"consents"}, sent_only=True)
    if "consents" in payload.model_fields_set:
        changes["consents"] = [(c.channel, c.granted) for c in payload.consents]
    return changes


# --- endpoints ------------------------------------------------------------------------


@router.get("/customers", response={200: CustomerPage, **LIST}, summary="List customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """List the customers you may see, in id order, optionally by kind or name prefix."""
    rows = queries.customers_page(
        _principal(request),
        kind=filters.kind,
        name_starts=filters.name,
        after_id=filters.after,
        limit=filters.fetch(),
    )
    return page(rows, filters)


@router.get("/customers/{number}", response={200: CustomerOut, **READ}, summary="Read a customer")
def read_customer(request: HttpRequest, number: str) -> Any:
    """Read a customer with contacts, marketing consents and priority needs."""
    return queries.customer_for(_principal(request), number=number)


@router.post("/customers", response={201: CustomerOut, **WRITE}, summary="Sign up a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    """Sign up a customer with contacts, consents and priority needs."""
    customer = operations.create_customer(
        by=_principal(request), details=_details(payload), as_at=clock.now()
    )
    return Status(201, customer)


@router.patch(
    "/customers/{number}", response={200: CustomerOut, **WRITE}, summary="Change a customer"
)
def update_customer(request: HttpRequest, number: str, payload: CustomerPatch) -> Any:
    """Change some of a customer's details (the kind never changes)."""
    return operations.update_customer(
        by=_principal(request), number=number, changes=_changes(payload), as_at=clock.now()
    )
