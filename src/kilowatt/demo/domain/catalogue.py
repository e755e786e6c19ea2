"""The demo tariff catalogue and the price cap it sits under. Pure: no Django.

For each of the 14 regions, each fuel, home and business customers, direct debit and
pay on receipt: a variable tariff priced at the cap, a 12-month fix with an exit fee,
and (electricity) an Economy 7 variable with DAY and NIGHT rates. The cap is recorded
for the current quarter, per region, fuel and payment method.

Prices are in pence, as Decimals, shaped like Ofgem's 2025 caps with a small regional
spread; they are illustrative, not Ofgem's figures.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from kilowatt.validation import REGIONS

FUELS = ("ELECTRICITY", "GAS")
CUSTOMER_KINDS = ("RESIDENTIAL", "BUSINESS")
PAYMENT_METHODS = ("DIRECT_DEBIT", "ON_RECEIPT")
CAPPED_PAYMENT_METHODS = ("DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT")

VARIABLE = "VARIABLE"
FIXED_12 = "FIXED_12"
ECONOMY_7 = "ECONOMY_7"
PRODUCTS = (VARIABLE, FIXED_12, ECONOMY_7)

_PENNY = Decimal("0.0001")
# A typical direct-debit cap (p/day standing charge, p/kWh unit rate) before the spread.
_BASE_CAP = {
    "ELECTRICITY": (Decimal("53.68"), Decimal("26.35")),
    "GAS": (Decimal("34.03"), Decimal("6.29")),
}
_PAYMENT_UPLIFT = {
    "DIRECT_DEBIT": Decimal("1.00"),
    "ON_RECEIPT": Decimal("1.05"),
    "PREPAYMENT": Decimal("1.00"),
}
EXIT_FEE_PENCE = {"RESIDENTIAL": 7_500, "BUSINESS": 15_000}


@dataclasses.dataclass(frozen=True)
class CapPrice:
    region: str
    fuel: str
    payment_method: str
    standing_charge_pence_per_day: Decimal
    unit_rate_pence_per_kwh: Decimal
    valid_from: datetime.date
    valid_to: datetime.date


@dataclasses.dataclass(frozen=True)
class TariffOffer:
    code: str
    name: str
    fuel: str
    region: str
    customer_kind: str
    payment_method: str
    product: str  # VARIABLE, FIXED_12 or ECONOMY_7
    kind: str  # the tariff's kind: VARIABLE or FIXED
    term_months: int | None
    exit_fee_pence: int
    standing_charge_pence_per_day: Decimal
    unit_rates: tuple[tuple[str, Decimal], ...]  # (band, p/kWh)
    valid_from: datetime.date

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Return what an agreement chooses a tariff by."""
        return (self.region, self.fuel, self.customer_kind, self.payment_method, self.product)


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the first day of ``day``'s calendar quarter and of the next one."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end = (
        datetime.date(day.year + 1, 1, 1)
        if first_month == 10
        else datetime.date(day.year, first_month + 3, 1)
    )
    return start, end


def on_sale_from(today: datetime.date) -> datetime.date:
    """Return when the demo tariffs went on sale: three years before this quarter."""
    start, _end = quarter_of(today)
    return start.replace(year=start.year - 3)


def _regional_factor(region: str) -> Decimal:
    # A spread of about +-4% across the networks, fixed per distributor ID.
    return Decimal(96 + (int(region) * 7) % 9) / 100


def price_caps(today: datetime.date) -> list[CapPrice]:
    """Return the cap in force this quarter for every region, fuel and payment method."""
    start, end = quarter_of(today)
    return [
        CapPrice(
            region=region,
            fuel=fuel,
            payment_method=method,
            standing_charge_pence_per_day=(
                _BASE_CAP[fuel][0] * _regional_factor(region) * _PAYMENT_UPLIFT[method]
            ).quantize(_PENNY),
            unit_rate_pence_per_kwh=(
                _BASE_CAP[fuel][1] * _regional_factor(region) * _PAYMENT_UPLIFT[method]
            ).quantize(_PENNY),
            valid_from=start,
            valid_to=end,
        )
        for region in REGIONS
        for fuel in FUELS
        for method in CAPPED_PAYMENT_METHODS
    ]


def tariff_code(
    *, region: str, fuel: str, customer_kind: str, payment_method: str, product: str
) -> str:
    """Return a tariff's code, like ``E-FIX12-RES-DD-12``."""
    product_code = {VARIABLE: "VAR", FIXED_12: "FIX12", ECONOMY_7: "E7"}[product]
    method_code = {"DIRECT_DEBIT": "DD", "ON_RECEIPT": "OR"}[payment_method]
    return f"{fuel[0]}-{product_code}-{customer_kind[:3]}-{method_code}-{region}"


def _name(*, fuel: str, customer_kind: str, product: str) -> str:
    business = "Business " if customer_kind == "BUSINESS" else ""
    label = {VARIABLE: "Flexible", FIXED_12: "Fixed 12M", ECONOMY_7: "Economy 7"}[product]
    return f"Kilowatt {business}{label} {fuel.title()}"


def tariffs(today: datetime.date) -> list[TariffOffer]:
    """Return the catalogue: every product for every region, fuel, kind and payment method.

    Home variable tariffs sit at the cap (band by band, as the cap rule asks); fixes are
    a little cheaper and carry an exit fee; business prices are uncapped and higher.
    """
    caps = {(c.region, c.fuel, c.payment_method): c for c in price_caps(today)}
    valid_from = on_sale_from(today)
    offers = []
    for region in REGIONS:
        for fuel in FUELS:
            for customer_kind in CUSTOMER_KINDS:
                for method in PAYMENT_METHODS:
                    cap = caps[(region, fuel, method)]
                    markup = Decimal("1.12") if customer_kind == "BUSINESS" else Decimal("1")
                    standing = (cap.standing_charge_pence_per_day * markup).quantize(_PENNY)
                    unit = (cap.unit_rate_pence_per_kwh * markup).quantize(_PENNY)
                    products = (
                        (VARIABLE, FIXED_12, ECONOMY_7)
                        if fuel == "ELECTRICITY"
                        else (VARIABLE, FIXED_12)
                    )
                    for product in products:
                        if product == FIXED_12:
                            rates: tuple[tuple[str, Decimal], ...] = (
                                ("ANYTIME", (unit * Decimal("0.94")).quantize(_PENNY)),
                            )
                        elif product == ECONOMY_7:
                            rates = (
                                ("DAY", unit),
                                ("NIGHT", (unit * Decimal("0.55")).quantize(_PENNY)),
                            )
                        else:
                            rates = (("ANYTIME", unit),)
                        offers.append(
                            TariffOffer(
                                code=tariff_code(
                                    region=region,
                                    fuel=fuel,
                                    customer_kind=customer_kind,
                                    payment_method=method,
                                    product=product,
                                ),
                                name=_name(fuel=fuel, customer_kind=customer_kind, product=product),
                                fuel=fuel,
                                region=region,
                                customer_kind=customer_kind,
                                payment_method=method,
                                product=product,
                                kind="FIXED" if product == FIXED_12 else "VARIABLE",
                                term_months=12 if product == FIXED_12 else None,
                                exit_fee_pence=EXIT_FEE_PENCE[customer_kind]
                                if product == FIXED_12
                                else 0,
                                standing_charge_pence_per_day=standing,
                                unit_rates=rates,
                                valid_from=valid_from,
                            )
                        )
    return offers
