"""Meter readings over HTTP: a customer or an agent gives one for a meter point they
may see, and reads the meter point's history. The read-exceptions queue is served by
metering's own router."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kilowatt.accounts import operations, queries
from kilowatt.accounts.interfaces.api._shared import principal
from kilowatt.metering import operations as metering_operations
from kilowatt.platform import clock
from kilowatt.platform.api import READ, WRITE

router = Router(tags=["meter reads"])
LONDON = zoneinfo.ZoneInfo("Europe/London")


class ReadIn(Schema):
    read_at: datetime.datetime = Field(
        description="When the meter was read; without an offset it is UK time. A date alone "
        "means midnight UK time."
    )
    value: Decimal = Field(
        description='What the register showed, for example "12345".',
        ge=0,
        lt=10**10,
        decimal_places=3,
    )
    meter_register: str = Field(
        "", description="The register read (1, 2 ...); needed on multi-rate meters."
    )
    meter_serial: str = Field(
        "", description="The meter's serial; empty for the meter on the meter point."
    )


class ReadOutcomeOut(Schema):
    status: str = Field(
        description="ACCEPTED, DUPLICATE (we had it already) or HELD (we will check it)."
    )
    rule: str = Field(description="Why it is held, as a stable code; empty when accepted.")
    message: str = Field(description="Why it is held, in words for the customer.")
    read_id: int | None


class ReadOut(Schema):
    id: int
    meter_point: str
    meter_serial: str
    meter_register: str = Field(alias="register")
    band: str
    read_at: datetime.datetime
    value: Decimal
    source: str = Field(description="CUSTOMER, AGENT, FIELD, SMART, INDUSTRY or ESTIMATE.")
    status: str = Field(description="ACCEPTED, HELD, REFUSED or WITHDRAWN.")
    advance: Decimal | None
    consumption_kwh: Decimal | None
    rolled_over: bool
    rule: str
    message: str


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


@router.post(
    "/meter-points/{identifier}/reads",
    response={200: ReadOutcomeOut, 201: ReadOutcomeOut, **WRITE},
)
def submit_read(request: HttpRequest, identifier: str, payload: ReadIn) -> Any:
    """Give a meter reading. 201 when kept (accepted, or held for a person to check),
    200 when we already had it, 422 naming the field and rule when it cannot be right."""
    outcome = operations.submit_read(
        by=principal(request),
        identifier=identifier,
        read=metering_operations.ReadIn(
            meter_point=identifier,
            read_at=_aware(payload.read_at),
            value=payload.value,
            register=payload.meter_register,
            meter_serial=payload.meter_serial,
        ),
        as_at=clock.now(),
    )
    return Status(200 if outcome.status == "DUPLICATE" else 201, outcome)


@router.get("/meter-points/{identifier}/reads", response={200: list[ReadOut], **READ})
def list_reads(request: HttpRequest, identifier: str) -> Any:
    """List a meter point's readings of every status, newest first (the latest 100)."""
    return queries.reads_for(principal(request), identifier=identifier)
