"""Quotes over HTTP: ``POST /quotes`` prices every tariff on sale for a customer's sites.

Public (``auth=None``): tariffs are public prices, and a quote reads no one's data and
writes nothing but, when an ``email`` is given, the quote's own email to that address.
Pence with fractions are decimal strings; whole pence are integers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kilowatt.platform import clock
from kilowatt.platform.api import PenceRate, ValidationErrors
from kilowatt.platform.periods import london_date
from kilowatt.sales import operations, queries
from kilowatt.sales.domain import quotes as quote_rules

router = Router(tags=["sales"])

Fuel = Literal["ELECTRICITY", "GAS"]
Level = Literal["LOW", "MEDIUM", "HIGH"]


class FuelIn(Schema):
    fuel: Fuel
    annual_kwh: PenceRate | None = Field(
        None, description='kWh used in a year, as a decimal string ("3100"); or give level.'
    )
    level: Level | None = Field(
        None,
        description="A typical year instead of annual_kwh: Ofgem's typical domestic "
        "consumption values for homes, small-business figures for businesses.",
    )


class SiteIn(Schema):
    postcode: str
    mpan: str = Field("", description="Optional: its distributor ID wins over the postcode.")
    meter_type: Literal["STANDARD", "ECONOMY_7"] = Field(
        "STANDARD", description="Of the electricity meter; gas is always single rate."
    )
    fuels: list[FuelIn]


class QuoteIn(Schema):
    customer_kind: Literal["RESIDENTIAL", "BUSINESS"]
    payment_method: Literal["DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT"]
    sites: list[SiteIn] = Field(description="One for a home; up to 200 for a business.")
    email: str | None = Field(None, description="Also send the quote to this address.")


class RateOut(Schema):
    band: str
    rate: PenceRate = Field(description="p/kWh: with VAT for homes, without for businesses.")
    kwh: PenceRate = Field(description="The year's kWh charged at this rate.")

    @staticmethod
    def resolve_rate(line: quote_rules.RateLine) -> Decimal:
        return line.rate_pence_per_kwh


class OfferOut(Schema):
    tariff_code: str
    tariff_name: str
    kind: str
    term_months: int | None
    exit_fee_pence: int
    prices_include_vat: bool
    standing_charge_pence_per_day: PenceRate
    unit_rates: list[RateOut]
    vat_rate: int = Field(description="Percent.")
    net_pence: int = Field(description="Standing charges and energy, before levy and VAT.")
    ccl_pence: int = Field(description="Climate Change Levy (business supply only).")
    vat_pence: int
    total_pence: int
    estimated_annual_cost_pence: int = Field(
        description="The headline: with VAT for homes, without for businesses."
    )


class FuelOut(Schema):
    fuel: str
    annual_kwh: PenceRate
    estimated: bool = Field(description="From a usage level, not the customer's figure.")
    offers: list[OfferOut] = Field(description="Cheapest first.")


class SiteOut(Schema):
    postcode: str
    region: str
    meter_type: str
    fuels: list[FuelOut]


class QuoteOut(Schema):
    customer_kind: str
    payment_method: str
    quoted_on: datetime.date
    prices_include_vat: bool
    sites: list[SiteOut]
    email_id: int | None = Field(None, description="The queued email, when one was asked for.")


def _request(payload: QuoteIn) -> quote_rules.QuoteRequest:
    return quote_rules.QuoteRequest(
        customer_kind=payload.customer_kind,
        payment_method=payload.payment_method,
        sites=tuple(
            quote_rules.SiteRequest(
                postcode=site.postcode,
                mpan=site.mpan,
                meter_type=site.meter_type,
                fuels=tuple(
                    quote_rules.FuelUsage(
                        fuel=usage.fuel,
                        annual_kwh=Decimal(usage.annual_kwh)
                        if usage.annual_kwh is not None
                        else None,
                        level=usage.level,
                    )
                    for usage in site.fuels
                ),
            )
            for site in payload.sites
        ),
    )


@router.post("/quotes", response={200: QuoteOut, 422: ValidationErrors}, auth=None)
def create_quote(request: HttpRequest, payload: QuoteIn) -> Any:
    """Quote every tariff on sale today for each site and fuel, with its standing
    charge, unit rates, estimated annual cost, term and exit fee, cheapest first.

    Public: tariffs are public prices, so no sign-in is needed. With ``email``, the quote
    is also queued to that address (once per request, day and address).
    """
    as_at = clock.now()
    today = london_date(as_at)
    wanted = _request(payload)
    email_id = None
    if payload.email is not None:
        email_id = operations.email_quote(
            to=payload.email, request=wanted, today=today, as_at=as_at
        )
    result = queries.quote(request=wanted, today=today)
    return {**vars(result), "email_id": email_id}
