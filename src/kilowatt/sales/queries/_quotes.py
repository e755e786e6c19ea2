"""Quotes: the tariffs on sale priced for a customer's sites. Public prices, so no
principal: anyone may ask."""

from __future__ import annotations

import datetime
from typing import Any

from kilowatt.accounts import queries as account_queries
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.platform.errors import raise_if
from kilowatt.sales.domain import quotes as quote_rules


def _details(tariff: Any) -> TariffDetails:  # an accounts Tariff row
    return TariffDetails(
        code=tariff.code,
        name=tariff.name,
        fuel=tariff.fuel,
        region=tariff.region,
        customer_kind=tariff.customer_kind,
        payment_method=tariff.payment_method,
        kind=tariff.kind,
        standing_charge_pence_per_day=tariff.standing_charge_pence_per_day,
        unit_rates=tuple((rate.band, rate.unit_rate_pence_per_kwh) for rate in tariff.rates.all()),
        valid_from=tariff.valid_from,
        valid_to=tariff.valid_to,
        term_months=tariff.term_months,
        exit_fee_pence=tariff.exit_fee_pence,
    )


def offers_on_sale(
    *,
    customer_kind: str,
    payment_method: str,
    regions: set[str],
    fuels: set[str],
    on: datetime.date,
) -> list[TariffDetails]:
    """Return the tariffs on sale on ``on`` for a customer kind and payment method in the
    regions and fuels asked, with their unit rates: one query, whatever the number of
    sites."""
    return account_queries.tariffs_on_sale(
        customer_kind=customer_kind,
        payment_method=payment_method,
        regions=regions,
        fuels=fuels,
        on=on,
    )


def quote(*, request: quote_rules.QuoteRequest, today: datetime.date) -> quote_rules.Quote:
    """Quote every eligible tariff on sale ``today`` for each site and fuel asked, priced
    for a year, cheapest first.

    :raises InvalidInput: the request breaks a rule (``quote_problems``: a postcode that is
        malformed or in no region, a bad MPAN, fuels empty or repeated, kWh negative or
        absurd or missing, more than one site for a home); nothing is read.
    """
    raise_if(quote_rules.quote_problems(request))
    regions = {region for site in request.sites if (region := quote_rules.region_of(site))}
    fuels = {usage.fuel for site in request.sites for usage in site.fuels}
    offers = offers_on_sale(
        customer_kind=request.customer_kind,
        payment_method=request.payment_method,
        regions=regions,
        fuels=fuels,
        on=today,
    )
    return quote_rules.price(request, offers=offers, today=today)


def tariff_details(*, code: str) -> TariffDetails:
    """Return one tariff with its unit rates, as the pricing rules take it.

    :raises NotFound: no such tariff.
    """
    return _details(account_queries.tariff_for(code=code))
