"""From the rows a bill run loads to what the engine rates: consumptions from reads, the
facts the bill-exception rules look at, rates as integers. Pure Polars, no database."""

from __future__ import annotations

import datetime

import polars as pl

from kilowatt.metering.domain import energy

LONDON = "Europe/London"
E4_PLACES = 4


def e4_from_text_expr(column: str) -> pl.Expr:
    """Decimal text (at most four places kept) as ten-thousandths: "24.5" -> 245000."""
    parts = pl.col(column).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64)
    fraction = (
        parts.struct.field("field_1")
        .fill_null("")
        .str.pad_end(E4_PLACES, "0")
        .str.slice(0, E4_PLACES)
    )
    return whole * 10**E4_PLACES + pl.when(fraction == "").then(0).otherwise(
        fraction.cast(pl.Int64)
    )


def _owner(reads: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """Each read with the account whose agreement covers its day (the latest one if a
    meter point changed hands on that day)."""
    agreements = prices.select("account_id", "meter_point_id", "valid_from", "valid_to").unique()
    return (
        reads.join(agreements, on="meter_point_id")
        .filter(
            (pl.col("valid_from") <= pl.col("read_date"))
            & (pl.col("valid_to").is_null() | (pl.col("read_date") <= pl.col("valid_to")))
        )
        .sort("valid_from")
        .unique("read_id", keep="last")
        .drop("valid_from", "valid_to")
    )


def dated_reads(reads: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """The loaded reads with their UK day, the day of the register's previous accepted
    read (``previous_date``) and their owning account."""
    accepted = reads.with_columns(
        read_date=pl.col("read_at").dt.convert_time_zone(LONDON).dt.date(),
    ).sort("register_id", "read_at", "read_id")
    # The previous accepted read of each accepted read (withdrawn ones are skipped).
    ordered = accepted.filter(pl.col("status") == "ACCEPTED").with_columns(
        previous_date=pl.col("read_date").shift(1).over("register_id"),
        previous_source=pl.col("source").shift(1).over("register_id"),
    )
    withdrawn = accepted.filter(pl.col("status") != "ACCEPTED").with_columns(
        previous_date=pl.lit(None, dtype=pl.Date),
        previous_source=pl.lit(None, dtype=pl.String),
    )
    both = pl.concat([ordered, withdrawn.select(ordered.columns)])
    return _owner(both, prices)


def consumptions(
    dated: pl.DataFrame, periods: pl.DataFrame, *, window_start: datetime.date
) -> pl.DataFrame:
    """The energy a bill charges: each accepted read with a consumption taken after the
    bill's period starts and on or before it ends (``periods``: ``account_id``,
    ``period_start``, ``period_end``), from its register's previous accepted read (or the
    window's start when that read is older than the window) to its own day.

    A bill ending on a day takes the reads of that day, so the next bill, starting
    there, takes only later ones: every read is billed once by the dates alone, with no
    mark on the read to write (a million updates a run). A read that arrives late, dated
    inside a period billed already, is the restatement's to find, not the next bill's.
    """
    charged = dated.join(periods, on="account_id").filter(
        (pl.col("status") == "ACCEPTED")
        & pl.col("consumption").is_not_null()
        & (pl.col("read_date") > pl.col("period_start"))
        & (pl.col("read_date") <= pl.col("period_end"))
    )
    # In date order: a bill's energy lines are read as a history.
    return charged.sort("account_id", "meter_point_id", "read_date", "band").select(
        "account_id",
        "meter_point_id",
        "band",
        "read_id",
        start=pl.col("previous_date").fill_null(window_start),
        end=pl.col("read_date"),
        kwh_milli=energy.milli_from_text_expr("consumption"),
        read_from=pl.col("previous_source").fill_null("ESTIMATE"),
        read_to=pl.col("source"),
    )


def read_facts(dated: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Per account, what the bill-exception rules ask of its reads: the longest run of
    estimates at the end of a register's history (``trailing_estimates``), the day of
    its oldest register's latest actual read (``last_actual``: null if a register has
    none in the window), withdrawn reads dated inside the last bill's period
    after it was made (``withdrawn_billed``: it may have charged them) and reads dated inside it that
    arrived after it was made (``late_reads``: it could not use them). ``previous``:
    ``account_id``, ``previous_start``, ``billed_to``, ``previous_made_at`` of each
    account's last bill."""
    accepted = dated.filter(pl.col("status") == "ACCEPTED").with_columns(
        actual=pl.col("source") != "ESTIMATE"
    )
    registers = (
        accepted.sort("register_id", "read_at")
        .with_columns(
            actual_after=pl.col("actual")
            .cast(pl.Int32)
            .reverse()
            .cum_sum()
            .reverse()
            .over("register_id")
        )
        .group_by("account_id", "register_id")
        .agg(
            trailing_estimates=(pl.col("actual_after") == 0).sum(),
            last_actual=pl.col("read_date").filter(pl.col("actual")).max(),
        )
    )
    per_account = registers.group_by("account_id").agg(
        trailing_estimates=pl.col("trailing_estimates").max(),
        last_actual=pl.when(pl.col("last_actual").is_null().any())
        .then(pl.lit(None, dtype=pl.Date))
        .otherwise(pl.col("last_actual").min()),
    )
    withdrawn = (
        dated.filter(pl.col("status") == "WITHDRAWN")
        .join(previous, on="account_id")
        .filter(
            (pl.col("read_date") > pl.col("previous_start"))
            & (pl.col("read_date") <= pl.col("billed_to"))
            # Withdrawn before that bill was made, the bill did not charge it.
            & (
                pl.col("withdrawn_at").is_null()
                | (pl.col("withdrawn_at") > pl.col("previous_made_at"))
            )
        )
        .group_by("account_id")
        .agg(withdrawn_billed=pl.len())
    )
    late = (
        dated.filter(pl.col("status") == "ACCEPTED")
        .join(previous, on="account_id")
        .filter(
            (pl.col("read_date") > pl.col("previous_start"))
            & (pl.col("read_date") <= pl.col("billed_to"))
            & (pl.col("received_at") > pl.col("previous_made_at"))
        )
        .group_by("account_id")
        .agg(late_reads=pl.len())
    )
    return (
        per_account.join(withdrawn, on="account_id", how="full", coalesce=True)
        .join(late, on="account_id", how="full", coalesce=True)
        .with_columns(
            pl.col("trailing_estimates").fill_null(0),
            pl.col("withdrawn_billed").fill_null(0),
            pl.col("late_reads").fill_null(0),
        )
    )
