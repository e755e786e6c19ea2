"""Demo meter readings: a plausible monthly history for every register, so the demo
shows advances, EAC changes and a small read-exceptions queue out of the box.

Each register starts from a value drawn from its row number and advances by what its
EAC or AQ and the seasonal profile expect for the month, varied by up to a fifth either
way. About one reading in two hundred of the latest month is made odd (an extra digit's
worth, or lower than the month before) so validation holds it for a person.
"""

from __future__ import annotations

import datetime

import polars as pl

from kilowatt.metering.domain import profiles

ODD_EVERY = 200  # one reading in this many, in the latest month, looks wrong
KWH_PER_CUBIC_METRE = 11.1  # near enough for demo volumes (1.02264 x 39.2 / 3.6)
IMPERIAL = 2.83


def month_starts(*, today: datetime.date, months: int) -> list[datetime.date]:
    """Return the first days of the last ``months`` whole months before ``today``, oldest first."""
    first = today.replace(day=1)
    starts = []
    for back in range(months, 0, -1):
        year, month = divmod(first.month - 1 - back, 12)
        starts.append(datetime.date(first.year + year, month + 1, 1))
    return starts


def monthly_readings(registers: pl.DataFrame, *, days: list[datetime.date]) -> list[pl.DataFrame]:
    """Return one frame of readings a day in ``days`` (oldest first) for ``registers`` (as
    ``metering.queries.registers_in_supply_frame`` gives them), in the columns
    ``metering.operations.BATCH_SCHEMA`` takes. Registers not yet supplied on a day are
    left out of that day."""
    n = registers.height
    spread = pl.Series(range(n), dtype=pl.Int64)
    base = registers.with_columns(
        _spread=spread,
        _start=((spread * 7919) % 40_000 + 1000) * 1000,
        _per_unit=pl.when(pl.col("units") == "METRIC")
        .then(KWH_PER_CUBIC_METRE)
        .when(pl.col("units") == "IMPERIAL")
        .then(KWH_PER_CUBIC_METRE * IMPERIAL)
        .otherwise(1.0),
        _capacity=pl.lit(10, pl.Int64).pow(pl.col("digits")) * 1000,
    )
    batches = []
    total = pl.lit(0.0)
    for index, day in enumerate(days):
        if index:
            share = profiles.share_of_year_expr(
                fuel=pl.col("fuel"), start=pl.lit(days[index - 1]), end=pl.lit(day)
            )
            wobble = 0.8 + ((pl.col("_spread") * 31 + index * 17) % 41) / 100
            total = total + pl.col("annual_kwh").fill_null(3000.0) * share * wobble
        value = (pl.col("_start") + (total / pl.col("_per_unit") * 1000).cast(pl.Int64)) % pl.col(
            "_capacity"
        )
        if index == len(days) - 1:
            odd = pl.col("_spread") % ODD_EVERY == 7
            lower = pl.col("_spread") % ODD_EVERY == 107
            value = (
                pl.when(odd)
                .then(
                    (value + pl.col("annual_kwh").fill_null(3000.0).cast(pl.Int64) * 1000)
                    % pl.col("_capacity")
                )
                .when(lower)
                .then((value - 400_000).clip(lower_bound=0))  # below last month's reading
                .otherwise(value)
            )
        moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
        batches.append(
            base.with_columns(_value=value)
            .filter(pl.col("supply_start_date") <= day)
            .select(
                "meter_point",
                "meter_serial",
                "register",
                read_at=pl.lit(moment).dt.convert_time_zone("UTC"),
                value_milli=pl.col("_value").cast(pl.Int64),
            )
        )
    return batches
