"""Bill exceptions: the rules that hold a bill before it is issued, so a person looks at
it first. The first rule that matches names the hold; the message says what was seen.

- ``no_rate_for_band``: a register's band has no unit rate on its tariff.
- ``read_withdrawn``: a read an earlier bill used has been withdrawn (re-bill first).
- ``late_read``: a read dated inside the last bill's period arrived after that bill
  was made: restate the last bill first.
- ``negative_consumption``: energy went backwards between two reads.
- ``zero_consumption``: nothing to charge for energy (no reads since the last bill, or
  reads that did not move).
- ``never_billed``: a first bill covering more than two months: an occupier supplied but
  not billed must hear from us before a bill arrives.
- ``no_actual_read``: no actual (not estimated) read for a year on some register.
- ``many_estimates``: the last three or more reads of a register were all estimates.
- ``far_from_usual``: a day's charge more than three times, or less than a third of, the
  account's last bill's.
"""

from __future__ import annotations

import datetime

import polars as pl

FIRST_BILL_DAYS = 62
NO_ACTUAL_READ_DAYS = 365
ESTIMATES_IN_A_ROW = 3
USUAL_FACTOR = 3

RULES = (
    "no_rate_for_band",
    "read_withdrawn",
    "late_read",
    "negative_consumption",
    "zero_consumption",
    "never_billed",
    "no_actual_read",
    "many_estimates",
    "far_from_usual",
)


def _pounds(pence: pl.Expr) -> pl.Expr:
    return pl.format(
        "£{}.{}", (pence // 100).cast(pl.String), (pence % 100).cast(pl.String).str.zfill(2)
    )


def hold_frame(bills: pl.DataFrame, *, run_date: datetime.date) -> pl.DataFrame:
    """Return ``account_id``, ``hold_rule`` ("" when the bill may go) and
    ``hold_message`` for each bill.

    ``bills`` has per account: ``period_start``, ``period_end``, ``net_pence``,
    ``charged_milli``, ``missing_rates``, ``negative_reads``, ``withdrawn_billed``,
    ``late_reads``,
    ``trailing_estimates``, ``last_actual`` (date or null), ``first_supply``,
    ``previous_net_pence`` and ``previous_days`` (null for a first bill).
    """
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days()
    first_bill = pl.col("previous_days").is_null()
    # Compare pence a day in integers: net x previous days against previous net x days.
    now_scaled = pl.col("net_pence").cast(pl.Int64) * pl.col("previous_days")
    usual_scaled = pl.col("previous_net_pence").cast(pl.Int64) * days
    far = (
        ~first_bill
        & (pl.col("previous_net_pence") > 0)
        & ((now_scaled > usual_scaled * USUAL_FACTOR) | (now_scaled * USUAL_FACTOR < usual_scaled))
    )
    stale_before = run_date - datetime.timedelta(days=NO_ACTUAL_READ_DAYS)
    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        (
            "no_rate_for_band",
            pl.col("missing_rates") > 0,
            pl.format("{} energy line(s) have no unit rate for their band", "missing_rates"),
        ),
        (
            "read_withdrawn",
            pl.col("withdrawn_billed") > 0,
            pl.format(
                "{} read(s) used by an earlier bill were withdrawn: re-bill that period",
                "withdrawn_billed",
            ),
        ),
        (
            "late_read",
            pl.col("late_reads") > 0,
            pl.format(
                "{} read(s) dated in the last bill's period arrived after it: restate it",
                "late_reads",
            ),
        ),
        (
            "negative_consumption",
            pl.col("negative_reads") > 0,
            pl.format("{} read(s) show energy going backwards", "negative_reads"),
        ),
        (
            "zero_consumption",
            pl.col("charged_milli") <= 0,
            pl.lit("No energy to charge: no reads since the last bill, or none that moved"),
        ),
        (
            "never_billed",
            first_bill & (days > FIRST_BILL_DAYS),
            pl.format(
                "First bill, for {} days of supply since {}: contact the customer first",
                days,
                pl.col("period_start").dt.strftime("%-d %B %Y"),
            ),
        ),
        (
            "no_actual_read",
            pl.col("last_actual").is_null() | (pl.col("last_actual") < stale_before),
            pl.lit("No actual read for over a year on at least one register"),
        ),
        (
            "many_estimates",
            pl.col("trailing_estimates") >= ESTIMATES_IN_A_ROW,
            pl.format("The last {} reads of a register were estimates", "trailing_estimates"),
        ),
        (
            "far_from_usual",
            far,
            pl.format(
                "{} for {} days; the last bill was {} for {} days",
                _pounds(pl.col("net_pence")),
                days,
                _pounds(pl.col("previous_net_pence")),
                pl.col("previous_days"),
            ),
        ),
    ]
    rule = pl.lit("")
    message = pl.lit("")
    for name, matches, says in reversed(checks):
        rule = pl.when(matches.fill_null(False)).then(pl.lit(name)).otherwise(rule)
        message = pl.when(matches.fill_null(False)).then(says).otherwise(message)
    return bills.select("account_id", hold_rule=rule, hold_message=message.str.slice(0, 300))
