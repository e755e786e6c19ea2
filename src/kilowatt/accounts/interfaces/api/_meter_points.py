"""Meter points (MPAN or MPRN) with their meters and registers over HTTP, seen through
the accounts that supply them."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kilowatt.accounts import operations, queries
from kilowatt.accounts.interfaces.api._shared import Fuel, principal
from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails, RegisterDetails
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

router = Router(tags=["meter points"])


class RegisterSchema(Schema):
    identifier: str
    band: str = Field(description="ANYTIME, DAY, NIGHT, PEAK or OFF_PEAK")


class MeterIn(Schema):
    serial_number: str
    type: str = Field(description="CREDIT, PREPAYMENT or SMART")
    digits: int
    installed_date: datetime.date
    units: str = Field("", description="KWH for electricity; METRIC or IMPERIAL for gas")
    registers: list[RegisterSchema] = []


class MeterOut(Schema):
    serial_number: str
    type: str
    units: str
    digits: int
    installed_date: datetime.date
    removed_date: datetime.date | None
    registers: list[RegisterSchema]


class MeterPointIn(Schema):
    site_id: int
    fuel: Fuel
    identifier: str = Field(
        description="A full 21-character MPAN, an MPAN core with profile_class, or an MPRN."
    )
    region: str = Field("", description="Distributor ID 10-23; derived from an MPAN's core.")
    profile_class: str = ""
    meter_timeswitch_code: str = ""
    line_loss_factor_class: str = ""
    accept_mprn_check_warning: bool = Field(
        False, description="Record an MPRN whose check digits fail, once it is confirmed."
    )
    meters: list[MeterIn] = []


class MeterPointPatch(Patch):
    """Only the fields sent change (the defaults are never applied)."""

    profile_class: str = ""
    meter_timeswitch_code: str = ""
    line_loss_factor_class: str = ""
    region: str = ""


class MeterPointOut(Schema):
    identifier: str = Field(description="The MPAN core or the MPRN.")
    full_mpan: str | None = Field(description="The 21-character MPAN when its top line is known.")
    fuel: str
    region: str
    site_id: int
    profile_class: str
    meter_timeswitch_code: str
    line_loss_factor_class: str
    created_at: datetime.datetime
    meters: list[MeterOut]

    @staticmethod
    def resolve_full_mpan(point: Any) -> str | None:
        top_line = (point.profile_class, point.meter_timeswitch_code, point.line_loss_factor_class)
        if point.fuel != "ELECTRICITY" or not all(top_line):
            return None
        return "".join(top_line) + point.identifier


class MeterPointPage(Schema):
    items: list[MeterPointOut]
    next_after: int | None


class MeterPointFilters(PageParams):
    fuel: Fuel | None = None
    region: str | None = Field(None, description="Distributor ID 10-23.")
    site: int | None = Field(None, description="A site's id.")


def _meters(payload: MeterPointIn) -> tuple[MeterDetails, ...]:
    return tuple(
        MeterDetails(
            **fields_of(meter, exclude={"registers"}),
            registers=tuple(RegisterDetails(r.identifier, r.band) for r in meter.registers),
        )
        for meter in payload.meters
    )


@router.get("/meter-points", response={200: MeterPointPage, **LIST})
def list_meter_points(request: HttpRequest, filters: Query[MeterPointFilters]) -> Any:
    """List the meter points you may see, with meters and registers, in id order."""
    rows = queries.meter_points_page(
        principal(request),
        fuel=filters.fuel,
        region=filters.region,
        site_id=filters.site,
        after_id=filters.after,
        limit=filters.fetch(),
    )
    return page(rows, filters)


@router.get("/meter-points/{identifier}", response={200: MeterPointOut, **READ})
def read_meter_point(request: HttpRequest, identifier: str) -> Any:
    """Read a meter point by MPAN (core or full) or MPRN, with meters and registers."""
    return queries.meter_point_for(principal(request), identifier=identifier)


@router.post("/meter-points", response={201: MeterPointOut, **WRITE})
def register_meter_point(request: HttpRequest, payload: MeterPointIn) -> Any:
    """Record a meter point at a site, with its meters and their registers."""
    point = operations.register_meter_point(
        by=principal(request),
        site_id=payload.site_id,
        details=MeterPointDetails(**fields_of(payload, exclude={"site_id", "meters"})),
        meters=_meters(payload),
        as_at=clock.now(),
    )
    return Status(201, point)


@router.patch("/meter-points/{identifier}", response={200: MeterPointOut, **WRITE})
def update_meter_point(request: HttpRequest, identifier: str, payload: MeterPointPatch) -> Any:
    """Correct a meter point's profile class, MTC, LLFC or region."""
    return operations.update_meter_point(
        by=principal(request),
        identifier=identifier,
        changes=fields_of(payload, sent_only=True),
        as_at=clock.now(),
    )
