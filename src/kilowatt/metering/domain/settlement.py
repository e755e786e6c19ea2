"""Settlement estimates of a year's consumption, recalculated from each accepted read.

Electricity (BSC Annex S-2, verify): the Annualised Advance is the advance divided by
the sum of daily profile coefficients over the read period,
``AA = advance / sum(DPC)``; the new Estimated Annual Consumption blends it with the
old one, weighted by how much of a year the period covers,
``EAC = W * AA + (1 - W) * old EAC`` with ``W = 2 * min(sum(DPC), 0.5)``.

Gas (UNC TPD H2, verify): the Annual Quantity is the read period's consumption scaled
to a year by the allocation profile, ``AQ = consumption / share of the year``, and is
only recalculated from a period of at least ``AQ_MINIMUM_DAYS``.

A result that is negative or zero is not applied; a change of more than
``LARGE_CHANGE`` of the old value is applied and flagged for a person to review.
"""

from __future__ import annotations

import polars as pl

from kilowatt.metering.domain import profiles

AQ_MINIMUM_DAYS = 28
LARGE_CHANGE = 0.5  # half the old value, up or down

FLAG_NOT_POSITIVE = "not_positive"
FLAG_LARGE_CHANGE = "large_change"


def recalculate(reads: pl.DataFrame) -> pl.DataFrame:
    """Return a row per read that moves its register's EAC or AQ.

    ``reads`` has ``fuel``, ``previous_date``, ``read_date``, ``consumption_milli``
    (thousandths of a kWh since the previous accepted read) and ``annual_kwh`` (the old
    EAC/AQ, null when unknown) and any other columns, which are kept. Adds
    ``annualised_kwh``, ``new_kwh`` (the value to keep: the old one when the result is
    not positive) and ``flagged`` (``""`` or the rule a reviewer should check).
    """
    share = profiles.share_of_year_expr(
        fuel=pl.col("fuel"), start=pl.col("previous_date"), end=pl.col("read_date")
    )
    days = (pl.col("read_date") - pl.col("previous_date")).dt.total_days()
    is_gas = pl.col("fuel") == "GAS"
    eligible = reads.filter(
        pl.col("previous_date").is_not_null()
        & pl.col("consumption_milli").is_not_null()
        & (~is_gas | (days >= AQ_MINIMUM_DAYS))
    ).with_columns(_share=share)
    eligible = eligible.filter(pl.col("_share") > 0)
    annualised = (pl.col("consumption_milli").cast(pl.Float64) / 1000) / pl.col("_share")
    weight = (pl.col("_share") * 2).clip(upper_bound=1.0)
    old = pl.col("annual_kwh")
    blended = (
        pl.when(is_gas | old.is_null())
        .then(pl.col("annualised_kwh"))
        .otherwise(weight * pl.col("annualised_kwh") + (1 - weight) * old)
    )
    result = (
        eligible.with_columns(annualised_kwh=annualised.round(1))
        .with_columns(_candidate=blended.round(1))
        .with_columns(
            flagged=pl.when(pl.col("_candidate") <= 0)
            .then(pl.lit(FLAG_NOT_POSITIVE))
            .when(old.is_not_null() & ((pl.col("_candidate") - old).abs() > old * LARGE_CHANGE))
            .then(pl.lit(FLAG_LARGE_CHANGE))
            .otherwise(pl.lit("")),
        )
        .with_columns(
            new_kwh=pl.when(pl.col("flagged") == FLAG_NOT_POSITIVE)
            .then(old)
            .otherwise(pl.col("_candidate")),
        )
    )
    return result.filter(pl.col("new_kwh").is_not_null()).drop("_share", "_candidate")
