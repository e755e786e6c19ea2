"""Moves over HTTP: a move out (the customer, or staff for them), its final reading, a
move in (staff), and an account's journeys. Each endpoint parses, makes one call and
lets ``config/api.py`` map the context's errors (422 naming the field and rule, 404 alike
for missing and not yours, 403 for staff without the permission)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kilowatt.accounts.operations import account_number
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.journeys import models, operations, queries
from kilowatt.platform import clock
from kilowatt.platform.api import READ, WRITE
from kilowatt.properties.domain.addresses import Address

router = Router(tags=["journeys"])


def _principal(request: HttpRequest) -> Principal:
    return identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]


class AddressIn(Schema):
    address_line_1: str
    address_line_2: str = ""
    town: str
    county: str = ""
    postcode: str


class ReadingIn(Schema):
    identifier: str = Field(description="The meter point's MPAN (core) or MPRN.")
    register_identifier: str = Field(
        "1", alias="register", description="The register's identifier on the meter."
    )
    value: Decimal = Field(description='The numbers on the meter, as a string ("12345").')


class MoveOutIn(Schema):
    moving_out_on: datetime.date = Field(
        description="The day you move: the first day no longer yours (your supply ends then)."
    )
    forwarding_address: AddressIn
    final_reading: list[ReadingIn] = Field(
        [], description="Only on or after the moving day; else we email a link that day."
    )


class FinalReadingIn(Schema):
    readings: list[ReadingIn]


class MoveOutOut(Schema):
    id: int
    account_number: str
    moving_out_on: datetime.date
    origin: str
    status: str
    reading_requested: bool
    final_reading_given: bool
    reminded: bool
    final_invoice_id: int | None


class MoveInIn(Schema):
    meter_point_identifiers: list[str] = Field(description="The site's MPAN and/or MPRN.")
    moving_in_on: datetime.date = Field(description="The occupier's first day there.")
    occupier_name: str = Field("", description='Blank: "The Occupier".')
    email: str = ""


class MoveInOut(Schema):
    id: int
    account_number: str
    moving_in_on: datetime.date
    occupier_name: str
    status: str
    invited: bool
    reminded: bool


class LossOut(Schema):
    id: int
    identifier: str
    supply_end_date: datetime.date
    status: str
    offer_tariff_code: str
    offer_annual_pence: int | None
    current_annual_pence: int | None


class JourneysOut(Schema):
    account_number: str
    account_status: str
    move_outs: list[MoveOutOut]
    move_ins: list[MoveInOut]
    losses: list[LossOut]


def _readings(rows: list[ReadingIn]) -> list[operations.FinalReading]:
    return [
        operations.FinalReading(
            identifier=r.identifier, register=r.register_identifier, value=r.value
        )
        for r in rows
    ]


def _move_out(row: models.MoveOut, number: str) -> MoveOutOut:
    return MoveOutOut(
        id=row.id,
        account_number=number,
        moving_out_on=row.moving_out_on,
        origin=row.origin,
        status=row.status,
        reading_requested=row.reading_requested_at is not None,
        final_reading_given=row.final_reading_at is not None,
        reminded=row.reading_reminded_at is not None,
        final_invoice_id=row.final_invoice_id,
    )


def _move_in(row: models.MoveIn, number: str) -> MoveInOut:
    return MoveInOut(
        id=row.id,
        account_number=number,
        moving_in_on=row.moving_in_on,
        occupier_name=row.occupier_name,
        status=row.status,
        invited=row.invited_at is not None,
        reminded=row.reminded_at is not None,
    )


@router.post(
    "/accounts/{number}/move-out",
    response={201: MoveOutOut, **WRITE},
    summary="Record a move out",
)
def record_move_out(request: HttpRequest, number: str, payload: MoveOutIn):
    """End the account's supply on the moving day and ask for the final reading (a
    customer for their own account; staff need EDIT_CUSTOMERS)."""
    row = operations.record_move_out(
        by=_principal(request),
        account_number=number,
        moving_out_on=payload.moving_out_on,
        forwarding_address=Address(**payload.forwarding_address.dict()),
        final_reading=_readings(payload.final_reading),
        as_at=clock.now(),
    )
    return Status(201, _move_out(row, number.upper()))


@router.post(
    "/accounts/{number}/move-out/final-reading",
    response={200: MoveOutOut, **WRITE},
    summary="Give the final reading of a move out",
)
def record_final_reading(request: HttpRequest, number: str, payload: FinalReadingIn):
    """Record the final reading, on or after the moving day (dated the moving day)."""
    row = operations.record_final_reading(
        by=_principal(request),
        account_number=number,
        readings=_readings(payload.readings),
        as_at=clock.now(),
    )
    return _move_out(row, number.upper())


@router.post("/move-ins", response={201: MoveInOut, **WRITE}, summary="Record a move in")
def record_move_in(request: HttpRequest, payload: MoveInIn):
    """Open an occupier account on the deemed tariff for a new occupier (staff with
    EDIT_CUSTOMERS), ending the previous occupier's supply there on the day."""
    row = operations.record_move_in(
        by=_principal(request),
        meter_point_identifiers=payload.meter_point_identifiers,
        moving_in_on=payload.moving_in_on,
        occupier_name=payload.occupier_name,
        email=payload.email,
        as_at=clock.now(),
    )
    return Status(201, _move_in(row, account_number(row.account_id)))


@router.get(
    "/accounts/{number}/journeys",
    response={200: JourneysOut, **READ},
    summary="An account's moves and losses",
)
def account_journeys(request: HttpRequest, number: str):
    found = queries.journeys_for_account(_principal(request), account_number=number)
    return JourneysOut(
        account_number=found.account_number,
        account_status=found.account_status,
        move_outs=[_move_out(m, found.account_number) for m in found.move_outs],
        move_ins=[_move_in(m, found.account_number) for m in found.move_ins],
        losses=[
            LossOut(
                id=loss.id,
                identifier=loss.identifier,
                supply_end_date=loss.supply_end_date,
                status=loss.status,
                offer_tariff_code=loss.offer_tariff_code,
                offer_annual_pence=loss.offer_annual_pence,
                current_annual_pence=loss.current_annual_pence,
            )
            for loss in found.losses
        ],
    )
