"""Half-hourly consumption: a value a settlement period, a row a meter point and day.

A UK local day has 48 settlement periods, 46 on the day the clocks go forward (the
last Sunday of March) and 50 on the day they go back (the last Sunday of October).
Values are whole watt-hours (Wh), so every sum is exact; a day's values travel packed
as little-endian signed 32-bit integers (``pack`` / ``unpack``), 4 bytes a period.

``assess`` judges a batch of days (a Polars frame, set-based) and gives each one a
status: ``ACCEPTED`` or ``REFUSED`` with a stable rule code and a sentence saying why.
Whether an accepted day is new, a ``DUPLICATE`` of the stored one or ``REPLACED`` it
is for the caller to say: it knows what is stored.

Pure: no Django, no clock (``today`` is given). xocto's ``settlement_periods`` and
``localtime`` would answer the period count too, but ``xocto.localtime`` imports Django
(its time zone helpers), which the domain may not; ``zoneinfo`` answers the same.
"""

from __future__ import annotations

import dataclasses
import datetime
import struct
import zoneinfo
from decimal import Decimal

import polars as pl

LONDON = "Europe/London"
PERIOD = datetime.timedelta(minutes=30)
BYTES_PER_PERIOD = 4
# A packed value is a signed 32-bit integer: up to 2.1 GWh in half an hour.
LARGEST_WH = 2**31 - 1

ACCEPTED = "ACCEPTED"
REPLACED = "REPLACED"
DUPLICATE = "DUPLICATE"
REFUSED = "REFUSED"

UNKNOWN_METER_POINT = "unknown_meter_point"
WRONG_PERIOD_COUNT = "wrong_period_count"
MISSING_VALUE = "missing_value"
NEGATIVE_VALUE = "negative_value"
IMPLAUSIBLE_VALUE = "implausible_value"
FUTURE_DAY = "future_day"
DAY_NOT_OVER = "day_not_over"
REPEATED_IN_BATCH = "repeated_in_batch"

MESSAGES = {
    UNKNOWN_METER_POINT: "We do not supply that meter point.",
    WRONG_PERIOD_COUNT: "The day has a different number of half hours than values given.",
    MISSING_VALUE: "A half hour of the day has no value.",
    NEGATIVE_VALUE: "A half hour has a negative value: consumption cannot be negative.",
    IMPLAUSIBLE_VALUE: "A half hour is above what the meter point could plausibly use.",
    FUTURE_DAY: "The day is in the future.",
    DAY_NOT_OVER: "The day has not ended yet.",
    REPEATED_IN_BATCH: "The same meter point and day came earlier in this batch.",
}

# The columns ``assess`` needs: which meter point (its id, null when unknown), which
# local day, and the day's values in Wh.
CANDIDATE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row": pl.Int64,
    "meter_point_id": pl.Int64,
    "day": pl.Date,
    "values": pl.List(pl.Int64),
}


@dataclasses.dataclass(frozen=True)
class Consumption:
    """The energy used in one day or month (``start`` is its first day), from the days
    stored in it (``days``)."""

    start: datetime.date
    kwh: Decimal
    days: int


def periods_in_day(day: datetime.date) -> int:
    """Return the number of settlement periods in a UK local day: 46, 48 or 50."""
    london = zoneinfo.ZoneInfo(LONDON)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=london)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), tzinfo=london
    )
    return (end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)) // PERIOD


def periods_in_days(day: pl.Expr) -> pl.Expr:
    """The number of settlement periods in each day of a date column (the rule of
    ``periods_in_day``, set-based: the clocks change on the last Sunday of March and of
    October, in the UK since 1996)."""
    last_sunday = (day.dt.weekday() == 7) & (day.dt.day() >= 25)
    return (
        pl.when(last_sunday & (day.dt.month() == 3))
        .then(46)
        .when(last_sunday & (day.dt.month() == 10))
        .then(50)
        .otherwise(48)
        .cast(pl.Int16)
    )


def pack(values: list[int]) -> bytes:
    """Return a day's values (Wh) as stored: little-endian signed 32-bit integers."""
    return struct.pack(f"<{len(values)}i", *values)


def unpack(data: bytes | memoryview) -> list[int]:
    """Return the values (Wh) of a packed day."""
    packed = bytes(data)
    return list(struct.unpack(f"<{len(packed) // BYTES_PER_PERIOD}i", packed))


def kwh(wh: int) -> Decimal:
    """Return watt-hours as kWh to the watt-hour (three decimal places)."""
    return (Decimal(wh) / 1000).quantize(Decimal("0.001"))


def assess(
    candidates: pl.DataFrame, *, today: datetime.date, ceiling_wh: int | None = None
) -> pl.DataFrame:
    """Judge each candidate day (columns ``CANDIDATE_SCHEMA``); return them with
    ``periods`` (the day's settlement periods), ``total_wh``, ``status`` (``ACCEPTED``
    or ``REFUSED``), ``rule`` and ``message`` ("" when accepted).

    The first refusal that applies names the rule, in this order: unknown meter point,
    a day not yet over, a wrong count of values, a missing value, a negative value, a
    value above ``ceiling_wh`` (or above what 32 bits hold), the same meter point and
    day earlier in the batch.
    """
    values = pl.col("values")
    judged = candidates.with_columns(
        periods=periods_in_days(pl.col("day")),
        _count=values.list.len().fill_null(0),
        _nulls=values.list.eval(pl.element().is_null().sum()).list.first().fill_null(0),
        _lowest=values.list.min(),
        _highest=values.list.max(),
        _repeat=pl.col("meter_point_id").is_not_null()
        & pl.struct("meter_point_id", "day").is_duplicated()
        & (pl.col("row") != pl.col("row").min().over("meter_point_id", "day")),
    )
    ceiling = LARGEST_WH if ceiling_wh is None else min(ceiling_wh, LARGEST_WH)
    rule = (
        pl.when(pl.col("meter_point_id").is_null())
        .then(pl.lit(UNKNOWN_METER_POINT))
        .when(pl.col("day") > pl.lit(today))
        .then(pl.lit(FUTURE_DAY))
        .when(pl.col("day") == pl.lit(today))
        .then(pl.lit(DAY_NOT_OVER))
        .when(pl.col("_count") != pl.col("periods"))
        .then(pl.lit(WRONG_PERIOD_COUNT))
        .when(pl.col("_nulls") > 0)
        .then(pl.lit(MISSING_VALUE))
        .when(pl.col("_lowest") < 0)
        .then(pl.lit(NEGATIVE_VALUE))
        .when(pl.col("_highest") > ceiling)
        .then(pl.lit(IMPLAUSIBLE_VALUE))
        .when(pl.col("_repeat"))
        .then(pl.lit(REPEATED_IN_BATCH))
        .otherwise(pl.lit(""))
    )
    judged = judged.with_columns(rule=rule).with_columns(
        status=pl.when(pl.col("rule") == "").then(pl.lit(ACCEPTED)).otherwise(pl.lit(REFUSED)),
        message=pl.col("rule").replace_strict(MESSAGES, default="", return_dtype=pl.String),
        total_wh=pl.when(pl.col("rule") == "").then(values.list.sum()).otherwise(None),
    )
    return judged.drop("_count", "_nulls", "_lowest", "_highest", "_repeat")
