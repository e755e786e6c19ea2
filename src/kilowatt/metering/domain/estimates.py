"""Estimated reads: where no valid actual read exists for a day a bill needs, the
register's value is estimated from its last accepted read, its EAC or AQ, and the
seasonal profile over the days between. An estimate is a read like any other but for
its source (``ESTIMATE``), so it shows as estimated wherever it appears.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import polars as pl

from kilowatt.metering.domain import energy, profiles

MUST_READ_AFTER_DAYS = 365  # no actual read for 12 months: a field visit is due


@dataclasses.dataclass(frozen=True)
class Estimate:
    value: Decimal  # in the register's units, whole units as a meter shows them
    consumption_kwh: Decimal
    rolled_over: bool


# The columns ``estimate_frame`` needs of each register.
REGISTER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "fuel": pl.String,
    "units": pl.String,
    "digits": pl.Int64,
    "annual_kwh": pl.Float64,  # the EAC or AQ in force
    "cv_milli": pl.Int64,  # thousandths of MJ/m3 in force on the day (gas)
    "last_milli": pl.Int64,  # the last accepted read, thousandths of the register's unit
    "last_date": pl.Date,
}


def estimate_frame(registers: pl.DataFrame, *, on: datetime.date) -> pl.DataFrame:
    """Estimate each register's value on ``on`` from its last accepted read: the EAC or
    AQ times the profile's share of the year between, turned into whole register units
    (a meter shows no fractions), past the meter's digits when it wraps.

    Adds ``value_milli`` (the estimated reading, thousandths of the register's unit),
    ``advance_milli``, ``consumption_milli`` (thousandths of a kWh) and ``rolled_over``.
    Rows whose ``last_date`` is not before ``on``, or that lack an EAC/AQ (or a
    calorific value for gas), get nulls: there is nothing to estimate from.
    """
    share = profiles.share_of_year_expr(
        fuel=pl.col("fuel"), start=pl.col("last_date"), end=pl.lit(on)
    )
    units, cv = pl.col("units"), pl.col("cv_milli").fill_null(0)
    kwh_milli = (pl.col("annual_kwh") * share * energy.MILLI).floor().cast(pl.Int128)
    # thousandths of a kWh in a thousand of the register's units: precise to 10^-6 kWh a unit
    per_thousand_units = energy.kwh_milli_expr(
        advance_milli=pl.lit(1000 * energy.MILLI, pl.Int64), units=units, cv_milli=cv
    ).cast(pl.Int128)
    usable = (
        (pl.col("last_date") < pl.lit(on))
        & pl.col("annual_kwh").is_not_null()
        & (per_thousand_units > 0)
    )
    whole_units = (kwh_milli * 1000 // per_thousand_units).cast(pl.Int64)
    capacity = pl.lit(10, pl.Int64).pow(pl.col("digits"))
    raw = pl.col("last_milli") // energy.MILLI + pl.col("_advance")
    return (
        registers.with_columns(_advance=pl.when(usable).then(whole_units))
        .with_columns(
            value_milli=(raw % capacity) * energy.MILLI,
            advance_milli=pl.col("_advance") * energy.MILLI,
            consumption_milli=energy.kwh_milli_expr(
                advance_milli=pl.col("_advance") * energy.MILLI, units=units, cv_milli=cv
            ),
            rolled_over=raw >= capacity,
        )
        .drop("_advance")
    )


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
    """Estimate one register's value on ``on`` from its last accepted read
    (``estimate_frame`` for one row).

    :raises ValueError: ``on`` is not after ``last_date``, or gas without a calorific value.
    """
    if on <= last_date:
        raise ValueError("an estimate is for a day after the last read")
    if units != "KWH" and calorific_value is None:
        raise ValueError("a gas volume needs the calorific value in force")
    row = estimate_frame(
        pl.DataFrame(
            [
                {
                    "fuel": fuel,
                    "units": units,
                    "digits": digits,
                    "annual_kwh": float(annual_kwh),
                    "cv_milli": int(calorific_value * energy.MILLI) if calorific_value else None,
                    "last_milli": int(last_value * energy.MILLI),
                    "last_date": last_date,
                }
            ],
            schema=REGISTER_SCHEMA,  # type: ignore[arg-type]
        ),
        on=on,
    ).row(0, named=True)
    return Estimate(
        value=Decimal(row["value_milli"]) / energy.MILLI,
        consumption_kwh=Decimal(row["consumption_milli"]) / energy.MILLI,
        rolled_over=bool(row["rolled_over"]),
    )


def is_must_read(
    *, last_actual_date: datetime.date | None, supply_start: datetime.date, today: datetime.date
) -> bool:
    """Return whether a meter point has gone 12 months without an actual read (counting
    from the supply start when it never had one), so a field visit must read it."""
    since = last_actual_date or supply_start
    return (today - since).days >= MUST_READ_AFTER_DAYS
