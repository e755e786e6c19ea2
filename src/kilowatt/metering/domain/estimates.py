"""Estimated reads: where no valid actual read exists for a day a bill needs, the
register's value is estimated from its last accepted read, its EAC or AQ, and the
seasonal profile over the days between. An estimate is a read like any other but for
its source (``ESTIMATE``), so it shows as estimated wherever it appears.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import ROUND_FLOOR, Decimal

from kilowatt.metering.domain import energy, profiles

MUST_READ_AFTER_DAYS = 365  # no actual read for 12 months: a field visit is due


@dataclasses.dataclass(frozen=True)
class Estimate:
    value: Decimal  # in the register's units, whole units as a meter shows them
    consumption_kwh: Decimal
    rolled_over: bool


def estimate_register_value(
    *,
    fuel: str,
    units: str,
    digits: int,
    annual_kwh: Decimal,
    calorific_value: Decimal | None,
    last_value: Decimal,
    last_date: datetime.date,
    on: datetime.date,
) -> Estimate:
    """Estimate a register's value on ``on`` from its last accepted read.

    :raises ValueError: ``on`` is not after ``last_date``, or gas without a calorific value.
    """
    if on <= last_date:
        raise ValueError("an estimate is for a day after the last read")
    kwh = annual_kwh * Decimal(str(profiles.share_of_year(fuel=fuel, start=last_date, end=on)))
    per_unit = energy.kwh_from_advance(
        advance=Decimal(1000), units=units, calorific_value=calorific_value
    ) / Decimal(1000)
    advance = (kwh / per_unit).to_integral_value(ROUND_FLOOR)
    capacity = Decimal(10) ** digits
    raw = last_value.to_integral_value(ROUND_FLOOR) + advance
    return Estimate(
        value=raw % capacity,
        consumption_kwh=energy.kwh_from_advance(
            advance=advance, units=units, calorific_value=calorific_value
        ),
        rolled_over=raw >= capacity,
    )


def is_must_read(
    *, last_actual_date: datetime.date | None, supply_start: datetime.date, today: datetime.date
) -> bool:
    """Return whether a meter point has gone 12 months without an actual read (counting
    from the supply start when it never had one), so a field visit must read it."""
    since = last_actual_date or supply_start
    return (today - since).days >= MUST_READ_AFTER_DAYS
