"""Tariffs and the price cap over HTTP: any signed-in person reads them; only pricing
roles put tariffs on sale or record a cap."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kilowatt.accounts import operations, queries
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.accounts.interfaces.api._shared import CustomerKind, Fuel, PaymentMethod, principal
from kilowatt.platform import clock
from kilowatt.platform.api import (
    LIST,
    READ,
    WRITE,
    PageParams,
    PenceRate,
    fields_of,
    page,
)

router = Router(tags=["tariffs"])


class UnitRate(Schema):
    band: str = Field(description="ANYTIME, DAY, NIGHT, PEAK or OFF_PEAK")
    rate: PenceRate = Field(description="Pence per kWh, as a decimal string.")


class TariffIn(Schema):
    code: str
    name: str
    fuel: Fuel
    region: str = Field(description="Distributor ID 10-23.")
    customer_kind: CustomerKind
    payment_method: PaymentMethod
    kind: Literal["FIXED", "VARIABLE"]
    standing_charge_pence_per_day: PenceRate
    unit_rates: list[UnitRate]
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    term_months: int | None = None
    exit_fee_pence: int = 0


class TariffOut(Schema):
    code: str
    name: str
    fuel: str
    region: str
    customer_kind: str
    payment_method: str
    kind: str
    term_months: int | None
    exit_fee_pence: int
    standing_charge_pence_per_day: PenceRate
    unit_rates: list[UnitRate]
    valid_from: datetime.date
    valid_to: datetime.date | None

    @staticmethod
    def resolve_unit_rates(tariff: Any) -> list[dict[str, Any]]:
        return [
            {"band": rate.band, "rate": rate.unit_rate_pence_per_kwh} for rate in tariff.rates.all()
        ]


class TariffPage(Schema):
    items: list[TariffOut]
    next_after: int | None


class TariffFilters(PageParams):
    region: str | None = None
    fuel: Fuel | None = None
    customer_kind: CustomerKind | None = None
    payment_method: PaymentMethod | None = None
    on_sale_on: datetime.date | None = Field(None, description="Only tariffs on sale that day.")


class PriceCapSchema(Schema):
    region: str = Field(description="Distributor ID 10-23.")
    fuel: Fuel
    payment_method: PaymentMethod
    standing_charge_pence_per_day: PenceRate
    unit_rate_pence_per_kwh: PenceRate
    valid_from: datetime.date
    valid_to: datetime.date | None = None


def _tariff_details(payload: TariffIn) -> TariffDetails:
    return TariffDetails(
        **fields_of(payload, exclude={"unit_rates"}),
        unit_rates=tuple((rate.band, rate.rate) for rate in payload.unit_rates),
    )


@router.get("/tariffs", response={200: TariffPage, **LIST})
def list_tariffs(request: HttpRequest, filters: Query[TariffFilters]) -> Any:
    """List tariffs with their unit rates, in id order, optionally filtered."""
    rows = queries.tariffs_page(
        **fields_of(filters, exclude={"after", "limit"}),
        after_id=filters.after,
        limit=filters.fetch(),
    )
    return page(rows, filters)


@router.get("/tariffs/{code}", response={200: TariffOut, **READ})
def read_tariff(request: HttpRequest, code: str) -> Any:
    """Read a tariff with its unit rates."""
    return queries.tariff_for(code=code)


@router.post("/tariffs", response={201: TariffOut, **WRITE})
def create_tariff(request: HttpRequest, payload: TariffIn) -> Any:
    """Put a tariff on sale (a home customer's variable tariff must be within the price cap)."""
    tariff = operations.create_tariff(
        by=principal(request), details=_tariff_details(payload), as_at=clock.now()
    )
    return Status(201, tariff)


@router.post("/price-caps", response={201: PriceCapSchema, **WRITE})
def record_price_cap(request: HttpRequest, payload: PriceCapSchema) -> Any:
    """Record Ofgem's price cap for a region, fuel and payment method from a date."""
    cap = operations.record_price_cap(
        by=principal(request), **fields_of(payload), as_at=clock.now()
    )
    return Status(201, cap)
