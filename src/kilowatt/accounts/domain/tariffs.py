"""The rules a tariff must meet, including Ofgem's price cap. Pure: no Django."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from kilowatt import validation
from kilowatt.platform.errors import Problem

FUELS = ("ELECTRICITY", "GAS")
PAYMENT_METHODS = ("DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT")
CUSTOMER_KINDS = ("RESIDENTIAL", "BUSINESS")
KINDS = ("FIXED", "VARIABLE")
BANDS = ("ANYTIME", "DAY", "NIGHT", "PEAK", "OFF_PEAK")
MAX_TERM_MONTHS = 60


@dataclasses.dataclass(frozen=True)
class TariffDetails:
    code: str
    name: str
    fuel: str
    region: str
    customer_kind: str
    payment_method: str
    kind: str
    standing_charge_pence_per_day: Decimal
    unit_rates: tuple[tuple[str, Decimal], ...]  # (band, p/kWh)
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    term_months: int | None = None
    exit_fee_pence: int = 0


@dataclasses.dataclass(frozen=True)
class Cap:
    """The price cap in force for one region, fuel and payment method."""

    standing_charge_pence_per_day: Decimal
    unit_rate_pence_per_kwh: Decimal
    valid_from: datetime.date


def problems(tariff: TariffDetails, *, cap: Cap | None) -> list[Problem]:
    """Return every rule the tariff breaks, each naming its field.

    A home customer's variable (default) tariff may not charge more than the price cap in
    force on its first day, band by band (``cap`` is that cap, or None if none is
    recorded). Fixed tariffs are outside the cap.
    """
    found: list[Problem] = []

    def broke(field: str, rule: str, message: str) -> None:
        found.append(Problem(field, rule, message))

    if not tariff.code.strip() or len(tariff.code) > 40:
        broke("code", "required", "a tariff code of 1 to 40 characters is needed")
    if not tariff.name.strip():
        broke("name", "required", "a tariff needs a name")
    for field, choices in (
        ("fuel", FUELS),
        ("customer_kind", CUSTOMER_KINDS),
        ("payment_method", PAYMENT_METHODS),
        ("kind", KINDS),
    ):
        if getattr(tariff, field) not in choices:
            broke(field, "choice", f"must be one of {', '.join(choices)}")
    if tariff.region not in validation.REGIONS:
        broke("region", "region", "the region's distributor ID is needed (10 to 23)")
    if tariff.valid_to is not None and tariff.valid_to <= tariff.valid_from:
        broke("valid_to", "after_valid_from", "must be after valid_from")
    if tariff.standing_charge_pence_per_day < 0:
        broke("standing_charge_pence_per_day", "not_negative", "cannot be negative")
    if tariff.kind == "FIXED":
        if tariff.term_months is None or not 1 <= tariff.term_months <= MAX_TERM_MONTHS:
            broke("term_months", "fixed_term", f"a fixed tariff runs 1 to {MAX_TERM_MONTHS} months")
    elif tariff.kind == "VARIABLE":
        if tariff.term_months is not None:
            broke("term_months", "variable_no_term", "a variable tariff has no fixed term")
        if tariff.exit_fee_pence:
            broke("exit_fee_pence", "variable_no_exit_fee", "a variable tariff has no exit fee")
    if tariff.exit_fee_pence < 0:
        broke("exit_fee_pence", "not_negative", "cannot be negative")
    bands = [band for band, _rate in tariff.unit_rates]
    if not bands:
        broke("unit_rates", "required", "at least one unit rate is needed")
    if len(set(bands)) != len(bands):
        broke("unit_rates", "unique", "each band once")
    for index, (band, rate) in enumerate(tariff.unit_rates):
        if band not in BANDS:
            broke(f"unit_rates.{index}.band", "choice", f"must be one of {', '.join(BANDS)}")
        if rate < 0:
            broke(f"unit_rates.{index}.rate", "not_negative", "cannot be negative")
    if tariff.fuel == "GAS" and set(bands) - {"ANYTIME"}:
        broke("unit_rates", "gas_single_rate", "gas is priced at one ANYTIME rate")
    if tariff.customer_kind == "RESIDENTIAL" and tariff.kind == "VARIABLE" and cap is not None:
        if tariff.standing_charge_pence_per_day > cap.standing_charge_pence_per_day:
            broke(
                "standing_charge_pence_per_day",
                "price_cap",
                f"above the price cap of {cap.standing_charge_pence_per_day} p/day "
                f"in force from {cap.valid_from.isoformat()}",
            )
        for index, (_band, rate) in enumerate(tariff.unit_rates):
            if rate > cap.unit_rate_pence_per_kwh:
                broke(
                    f"unit_rates.{index}.rate",
                    "price_cap",
                    f"above the price cap of {cap.unit_rate_pence_per_kwh} p/kWh "
                    f"in force from {cap.valid_from.isoformat()}",
                )
    return found
