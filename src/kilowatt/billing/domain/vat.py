"""VAT and the Climate Change Levy's reach, decided per supply (meter point).

Domestic supply (a home) is charged VAT at 5% and no levy. Business supply is charged
20% and the levy, unless it is de minimis: its charged kWh over the bill's days is at
most 33 kWh a day (electricity) or 145 kWh a day (gas), in which case it is treated like
domestic supply (5%, no levy). The comparison is exact: ``kwh <= limit x days``.
Pure: no Django, no clock.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

REDUCED_RATE = 5  # percent: domestic and de minimis supply
STANDARD_RATE = 20  # percent
OUTSIDE_SCOPE = 0  # credits, compensation: no VAT
DE_MINIMIS_KWH_PER_DAY = {"ELECTRICITY": Decimal(33), "GAS": Decimal(145)}


@dataclasses.dataclass(frozen=True)
class TaxTreatment:
    vat_rate: int  # percent
    charges_ccl: bool


def is_de_minimis(*, fuel: str, charged_kwh: Decimal, days: int) -> bool:
    """Say whether a business supply's use over ``days`` is at most the de minimis."""
    if fuel not in DE_MINIMIS_KWH_PER_DAY:
        raise ValueError(f"unknown fuel {fuel!r}")
    return charged_kwh <= DE_MINIMIS_KWH_PER_DAY[fuel] * days


def tax_treatment(
    *, customer_kind: str, fuel: str, charged_kwh: Decimal, days: int
) -> TaxTreatment:
    """Return the VAT rate and whether the levy is due on one supply of one bill.

    :raises ValueError: unknown customer kind or fuel.
    """
    if customer_kind == "RESIDENTIAL":
        return TaxTreatment(vat_rate=REDUCED_RATE, charges_ccl=False)
    if customer_kind != "BUSINESS":
        raise ValueError(f"unknown customer kind {customer_kind!r}")
    if is_de_minimis(fuel=fuel, charged_kwh=charged_kwh, days=days):
        return TaxTreatment(vat_rate=REDUCED_RATE, charges_ccl=False)
    return TaxTreatment(vat_rate=STANDARD_RATE, charges_ccl=True)
