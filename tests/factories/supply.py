"""Meter points with meters and registers, straight through metering's operations, for
tests of reads and settlement (no accounts: the supply start is set directly)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kilowatt.metering import models, operations
from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails, RegisterDetails
from kilowatt.platform import audit
from kilowatt.properties import operations as property_operations
from kilowatt.properties.domain.addresses import Address
from tests.factories import book

AS_AT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
SUPPLY_START = datetime.date(2025, 1, 1)
INSTALLED = datetime.date(2024, 6, 1)


def meter_point(
    *,
    fuel: str = "ELECTRICITY",
    profile_class: str = "01",
    units: str = "",
    digits: int = 5,
    bands: tuple[str, ...] = ("ANYTIME",),
    annual_kwh: tuple[str, ...] = ("2900",),
    supply_start: datetime.date | None = SUPPLY_START,
    serial: str = "",
) -> models.MeterPoint:
    """Record a meter point at a new site with one meter, its registers numbered from 1,
    each with an EAC or AQ."""
    site = property_operations.create_site(
        address=Address(address_line_1="1 Read Street", town="Leeds", postcode="LS1 4AP"),
        actor=audit.SYSTEM,
        as_at=AS_AT,
    )
    electricity = fuel == "ELECTRICITY"
    identifier = book.mpan_core("23") if electricity else book.mprn()
    point = operations.register_meter_point(
        site_id=site.id,
        details=MeterPointDetails(
            fuel=fuel,
            identifier=identifier,
            region="23",
            profile_class=profile_class if electricity else "",
            meter_timeswitch_code="801" if electricity else "",
            line_loss_factor_class="A10" if electricity else "",
        ),
        meters=(
            MeterDetails(
                serial_number=serial or f"S{identifier[-8:]}",
                type="CREDIT",
                digits=digits,
                installed_date=INSTALLED,
                units=units or ("KWH" if electricity else "METRIC"),
                registers=tuple(
                    RegisterDetails(identifier=str(number), band=band)
                    for number, band in enumerate(bands, start=1)
                ),
            ),
        ),
        actor=audit.SYSTEM,
        as_at=AS_AT,
    )
    models.MeterPoint.objects.filter(id=point.id).update(supply_start_date=supply_start)
    for register, kwh in zip(
        models.Register.objects.filter(meter__meter_point=point).order_by("identifier"),
        annual_kwh,
        strict=False,
    ):
        register.estimated_annual_kwh = Decimal(kwh)
        register.save(update_fields=["estimated_annual_kwh"])
    point.refresh_from_db()
    return point
