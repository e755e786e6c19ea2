"""Meter read validation: the one path every reading takes, whatever its source.

A reading is judged against its register (digits, units), its meter (installed then),
the supply (ours then), the clock (not in the future), and the register's accepted
reads before and after it. The outcome is one of:

- ``ACCEPTED``: kept, with its advance since the previous accepted read and the energy
  it stands for (``rolled_over`` when the register wrapped past its last digit);
- ``DUPLICATE``: the same reading is already accepted; harmless, nothing changes;
- ``HELD``: plausible but odd (lower than the last read and no rollover explains it, far
  above or below what the register usually records, at odds with another reading): a
  person decides, from the read-exceptions queue;
- ``REFUSED``: cannot be right (unknown register, future date, before our supply, more
  digits than the meter has); the customer is told why, in words.

Pure and set-based: ``assess`` takes a Polars frame of candidates (a million smart reads
or the one a customer typed) and the accepted history of their registers, and returns
the candidates with their outcomes. Values are integer thousandths of the register's
unit (see ``energy``) so every comparison is exact.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import polars as pl

from kilowatt.metering.domain import energy, profiles

LONDON = "Europe/London"

ACCEPTED = "ACCEPTED"
DUPLICATE = "DUPLICATE"
HELD = "HELD"
REFUSED = "REFUSED"

# Tolerance of an advance against what the register's EAC/AQ and the seasonal profile
# lead us to expect over the same days. Wide on purpose: a cold month or a new heater
# is real; an extra digit or a misread 1 for a 7 is what this is here to catch.
HIGH_FACTOR = 3.0
HIGH_SLACK_KWH = 100.0  # so short periods of tiny expected use are not flagged
LOW_FACTOR = 0.05
LOW_CHECK_FROM_KWH = 500.0  # below this much expected use, a near-zero advance is ordinary

# The largest reading that can be stored: 11 whole digits (no meter has more than 10).
STORABLE_MILLI = 10**11 * 1000

# The columns ``assess`` needs of each candidate (nulls where the register is unknown).
CANDIDATE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row": pl.Int64,  # the candidate's position in its batch
    "register_id": pl.Int64,
    "read_at": pl.Datetime("us", "UTC"),
    "value_milli": pl.Int64,
    "fuel": pl.String,
    "units": pl.String,
    "digits": pl.Int64,
    "meter_installed_date": pl.Date,
    "meter_removed_date": pl.Date,
    "supply_start_date": pl.Date,
    "supply_end_date": pl.Date,
    "annual_kwh": pl.Float64,  # the register's EAC or AQ; null when not known
    "cv_milli": pl.Int64,  # thousandths of MJ/m3 in force on the read date (gas)
}
HISTORY_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "register_id": pl.Int64,
    "read_at": pl.Datetime("us", "UTC"),
    "value_milli": pl.Int64,
}


def empty_history() -> pl.DataFrame:
    return pl.DataFrame(schema=HISTORY_SCHEMA)


def _local_date(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(LONDON).dt.date()


def _neighbours(candidates: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """Add each candidate's previous and next accepted read, and any accepted read at
    the very same moment."""
    # An as-of join wants its key sorted: by time overall, and so within every register.
    history = history.sort("read_at", "register_id")
    ordered = candidates.sort("read_at", "register_id")
    before = history.rename({"read_at": "previous_at", "value_milli": "previous_milli"})
    after = history.rename({"read_at": "next_at", "value_milli": "next_milli"})
    same = history.rename({"value_milli": "same_moment_milli"})
    ordered = ordered.join_asof(
        before.with_columns(pl.col("previous_at").alias("_key")),
        left_on="read_at",
        right_on="_key",
        by="register_id",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    ).drop("_key", strict=False)
    ordered = ordered.join_asof(
        after.with_columns(pl.col("next_at").alias("_key")),
        left_on="read_at",
        right_on="_key",
        by="register_id",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,
    ).drop("_key", strict=False)
    return ordered.join(same, on=["register_id", "read_at"], how="left")


def _judge(frame: pl.DataFrame, *, today: datetime.date) -> pl.DataFrame:
    """Apply the rules, first broken rule first, to candidates with their neighbours."""
    read_date = pl.col("read_date")
    capacity = pl.lit(10, pl.Int64).pow(pl.col("digits")) * energy.MILLI
    value, previous = pl.col("value_milli"), pl.col("previous_milli")
    plain_advance = value - previous
    rollover_advance = value + capacity - previous
    frame = frame.with_columns(
        read_date=_local_date("read_at"),
        previous_date=_local_date("previous_at"),
    )
    frame = frame.with_columns(
        rolled_over=(previous.is_not_null() & (value < previous)),
    ).with_columns(
        advance_milli=pl.when(previous.is_null())
        .then(None)
        .when(pl.col("rolled_over"))
        .then(rollover_advance)
        .otherwise(plain_advance),
    )
    frame = frame.with_columns(
        consumption_milli=energy.kwh_milli_expr(
            advance_milli=pl.col("advance_milli"),
            units=pl.col("units").fill_null("KWH"),
            cv_milli=pl.col("cv_milli").fill_null(0),
        ),
        expected_kwh=pl.col("annual_kwh")
        * profiles.share_of_year_expr(
            fuel=pl.col("fuel").fill_null("ELECTRICITY"),
            start=pl.col("previous_date"),
            end=read_date,
        ),
    )
    consumption_kwh = pl.col("consumption_milli").cast(pl.Float64) / energy.MILLI
    expected = pl.col("expected_kwh")
    high = expected * HIGH_FACTOR + HIGH_SLACK_KWH
    too_high = expected.is_not_null() & (consumption_kwh > high)
    too_low = (
        expected.is_not_null()
        & (expected >= LOW_CHECK_FROM_KWH)
        & (consumption_kwh < expected * LOW_FACTOR)
    )
    previous_words = pl.format(
        "{} on {}",
        energy.milli_text_expr("previous_milli"),
        pl.col("previous_date").dt.strftime("%d %b %Y"),
    )
    usage_words = pl.format(
        "{} kWh since {}, about {} kWh expected",
        (consumption_kwh.round(0)).cast(pl.Int64),
        pl.col("previous_date").dt.strftime("%d %b %Y"),
        expected.round(0).cast(pl.Int64),
    )

    def rule(status: str, code: str, message: str | pl.Expr) -> tuple[str, str, pl.Expr]:
        return status, code, message if isinstance(message, pl.Expr) else pl.lit(message)

    checks: list[tuple[pl.Expr, tuple[str, str, pl.Expr]]] = [
        (
            pl.col("register_id").is_null(),
            rule(REFUSED, "unknown_register", "We have no such meter and register at this supply."),
        ),
        (
            read_date > today,
            rule(REFUSED, "read_date_future", "The reading date is in the future."),
        ),
        (
            pl.col("supply_start_date").is_null() | (read_date < pl.col("supply_start_date")),
            rule(
                REFUSED,
                "before_supply_start",
                "The reading is from before we supplied this meter point.",
            ),
        ),
        (
            pl.col("supply_end_date").is_not_null() & (read_date > pl.col("supply_end_date")),
            rule(
                REFUSED,
                "after_supply_end",
                "The reading is from after we stopped supplying this meter point.",
            ),
        ),
        (
            (read_date < pl.col("meter_installed_date"))
            | (
                pl.col("meter_removed_date").is_not_null()
                & (read_date > pl.col("meter_removed_date"))
            ),
            rule(REFUSED, "meter_not_installed", "That meter was not installed on that date."),
        ),
        (
            value < 0,
            rule(REFUSED, "negative_value", "A meter reading cannot be below zero."),
        ),
        (
            value >= capacity,
            rule(
                REFUSED,
                "too_many_digits",
                pl.format("The meter shows at most {} digits.", pl.col("digits")),
            ),
        ),
        (
            pl.col("same_moment_milli") == value,
            rule(DUPLICATE, "duplicate", "We already have this reading."),
        ),
        (
            pl.col("same_moment_milli").is_not_null(),
            rule(
                HELD,
                "conflicts_with_read",
                "We already have a different reading for that moment; we will check which is right.",
            ),
        ),
        (
            pl.col("rolled_over") & (too_high | (rollover_advance > capacity // 2)),
            rule(
                HELD,
                "negative_advance",
                pl.format(
                    "The reading is lower than the last one ({}); we will check it.",
                    previous_words,
                ),
            ),
        ),
        (
            pl.col("next_milli").is_not_null() & (value > pl.col("next_milli")),
            rule(
                HELD,
                "higher_than_later_read",
                "The reading is higher than a later reading we already have; we will check it.",
            ),
        ),
        (
            too_high,
            rule(
                HELD,
                "advance_too_high",
                pl.format(
                    "The reading is much higher than usual ({}); we will check it.", usage_words
                ),
            ),
        ),
        (
            too_low,
            rule(
                HELD,
                "advance_too_low",
                pl.format(
                    "The reading is much lower than usual ({}); we will check it.", usage_words
                ),
            ),
        ),
    ]
    status: pl.Expr = pl.lit(ACCEPTED)
    code: pl.Expr = pl.lit("")
    message: pl.Expr = pl.lit("")
    for condition, (when_status, when_code, when_message) in reversed(checks):
        hit = condition.fill_null(False)
        status = pl.when(hit).then(pl.lit(when_status)).otherwise(status)
        code = pl.when(hit).then(pl.lit(when_code)).otherwise(code)
        message = pl.when(hit).then(when_message).otherwise(message)
    return frame.with_columns(status=status, rule=code, message=message).with_columns(
        rolled_over=pl.col("rolled_over").fill_null(False) & (pl.col("status") == ACCEPTED),
    )


def assess(
    candidates: pl.DataFrame, history: pl.DataFrame, *, today: datetime.date
) -> pl.DataFrame:
    """Judge candidate reads against their registers' accepted ``history``.

    Candidates of one register are judged in time order, each against the history plus
    the candidates accepted before it, in rounds (the k-th reading of every register in
    round k), so a batch of a month of daily smart reads comes out as if they had
    arrived one by one. Returns the candidates in ``row`` order with ``read_date``,
    ``status``, ``rule``, ``message``, ``previous_date``, ``advance_milli``,
    ``consumption_milli``, ``rolled_over`` and ``expected_kwh``.
    """
    candidates = candidates.cast(CANDIDATE_SCHEMA, strict=False)  # type: ignore[arg-type]
    history = history.select(list(HISTORY_SCHEMA)).cast(HISTORY_SCHEMA)  # type: ignore[arg-type]
    # Readings placed on no register are refused on their own: one round, however many.
    candidates = candidates.with_columns(
        _round=pl.when(pl.col("register_id").is_null())
        .then(1)
        .otherwise(pl.col("read_at").rank("ordinal").over("register_id"))
        .fill_null(1)
    )
    judged: list[pl.DataFrame] = []
    rounds = int(candidates["_round"].max() or 0)  # type: ignore[arg-type]
    for number in range(1, rounds + 1):
        batch = candidates.filter(pl.col("_round") == number).drop("_round")
        outcome = _judge(_neighbours(batch, history), today=today)
        judged.append(outcome)
        if number < rounds:
            accepted = outcome.filter(pl.col("status") == ACCEPTED).select(list(HISTORY_SCHEMA))
            history = pl.concat([history, accepted])
    if not judged:
        return _judge(_neighbours(candidates.drop("_round"), history), today=today)
    return pl.concat(judged, how="vertical_relaxed").sort("row")


# --- one reading, for callers that have one --------------------------------------------


@dataclasses.dataclass(frozen=True)
class RegisterFacts:
    """What validation needs to know of a register, its meter and its supply."""

    register_id: int
    fuel: str
    units: str
    digits: int
    meter_installed_date: datetime.date
    meter_removed_date: datetime.date | None
    supply_start_date: datetime.date | None
    supply_end_date: datetime.date | None
    annual_kwh: Decimal | None
    calorific_value: Decimal | None


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str
    rule: str
    message: str
    read_date: datetime.date
    previous_date: datetime.date | None
    advance: Decimal | None
    consumption_kwh: Decimal | None
    rolled_over: bool
    expected_kwh: Decimal | None


def to_milli(value: Decimal) -> int:
    """Return a register value as integer thousandths (rounding below a thousandth)."""
    return int((value * energy.MILLI).to_integral_value())


def from_milli(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / energy.MILLI


def candidate_row(
    *, row: int, facts: RegisterFacts | None, read_at: datetime.datetime, value: Decimal
) -> dict[str, object]:
    """Return one candidate as ``assess`` takes it (nulls for an unknown register)."""
    known: dict[str, object] = {}
    if facts is not None:
        known = {
            "register_id": facts.register_id,
            "fuel": facts.fuel,
            "units": facts.units,
            "digits": facts.digits,
            "meter_installed_date": facts.meter_installed_date,
            "meter_removed_date": facts.meter_removed_date,
            "supply_start_date": facts.supply_start_date,
            "supply_end_date": facts.supply_end_date,
            "annual_kwh": float(facts.annual_kwh) if facts.annual_kwh else None,
            "cv_milli": to_milli(facts.calorific_value) if facts.calorific_value else None,
        }
    return {
        **dict.fromkeys(CANDIDATE_SCHEMA),
        **known,
        "row": row,
        "read_at": read_at.astimezone(datetime.UTC),
        "value_milli": to_milli(value),
    }


def assess_one(
    *,
    facts: RegisterFacts | None,
    read_at: datetime.datetime,
    value: Decimal,
    history: list[tuple[datetime.datetime, Decimal]],
    today: datetime.date,
) -> Outcome:
    """Judge one reading against its register's accepted ``history`` of (read_at, value)."""
    candidates = pl.DataFrame(
        [candidate_row(row=0, facts=facts, read_at=read_at, value=value)],
        schema=CANDIDATE_SCHEMA,  # type: ignore[arg-type]
    )
    past = pl.DataFrame(
        [
            {
                "register_id": facts.register_id if facts else None,
                "read_at": at.astimezone(datetime.UTC),
                "value_milli": to_milli(amount),
            }
            for at, amount in history
        ],
        schema=HISTORY_SCHEMA,  # type: ignore[arg-type]
    )
    result = assess(candidates, past, today=today).row(0, named=True)
    expected = result["expected_kwh"]
    return Outcome(
        status=result["status"],
        rule=result["rule"],
        message=result["message"],
        read_date=result["read_date"],
        previous_date=result["previous_date"],
        advance=from_milli(result["advance_milli"]),
        consumption_kwh=from_milli(result["consumption_milli"]),
        rolled_over=bool(result["rolled_over"]),
        expected_kwh=None if expected is None else Decimal(str(round(expected, 1))),
    )
