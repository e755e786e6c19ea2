"""How a year's consumption spreads over its days: the seasonal profile.

Settlement uses published coefficients for this: Elexon's daily profile coefficients
(DPCs) per profile class for electricity (BSC Annex S-2), Xoserve's annual load profiles
(ALPs) for gas (UNC TPD H2). Neither table can be fetched here, so this module stands in
for them with a smooth curve of the same shape: a cosine peaking in mid-January whose
swing is larger for gas (heating) than for electricity. Verify against the published
tables; they replace ``share_of_year`` alone, in this one place.

A profile is the share of a year's consumption used in ``[start, end)``; it sums to 1.0
over any 365.25 days. The closed form (the integral of the daily curve) makes it cheap
for a million rows at once, and the same expression serves one value or a column.
"""

from __future__ import annotations

import datetime
import math

import polars as pl

DAYS_PER_YEAR = 365.25
_PEAK_DAY_OF_YEAR = 15  # mid-January
_EPOCH = datetime.date(2000, 1, 1)

# Seasonal swing: consumption on the peak day is (1 + swing) times the year's daily mean.
SWING = {
    "ELECTRICITY": 0.20,  # domestic unrestricted and Economy 7 alike, near enough
    "GAS": 0.60,  # space heating
}


def _cumulative(days: float, swing: float) -> float:
    angle = 2 * math.pi * (days - _PEAK_DAY_OF_YEAR) / DAYS_PER_YEAR
    return days / DAYS_PER_YEAR + swing / (2 * math.pi) * math.sin(angle)


def share_of_year(*, fuel: str, start: datetime.date, end: datetime.date) -> float:
    """Return the share of a year's consumption used from ``start`` to ``end`` (exclusive).

    For example about 0.135 of a gas year falls in January and 0.035 in July.
    """
    swing = SWING[fuel]
    return _cumulative((end - _EPOCH).days, swing) - _cumulative((start - _EPOCH).days, swing)


def _cumulative_expr(days: pl.Expr, swing: pl.Expr) -> pl.Expr:
    angle = (days - _PEAK_DAY_OF_YEAR) * (2 * math.pi / DAYS_PER_YEAR)
    return days / DAYS_PER_YEAR + swing / (2 * math.pi) * angle.sin()


def share_of_year_expr(*, fuel: pl.Expr, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """``share_of_year`` as a column expression over date columns ``start`` and ``end``."""
    swing = fuel.replace_strict(SWING, default=SWING["ELECTRICITY"], return_dtype=pl.Float64)
    epoch = pl.lit(_EPOCH)
    start_days = (start - epoch).dt.total_days().cast(pl.Float64)
    end_days = (end - epoch).dt.total_days().cast(pl.Float64)
    return _cumulative_expr(end_days, swing) - _cumulative_expr(start_days, swing)
