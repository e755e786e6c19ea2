"""From a register's movement to energy: kWh as they are, gas volumes through the
calorific value (the Gas (Calculation of Thermal Energy) Regulations):

    kWh = cubic metres x 1.02264 (volume correction) x CV (MJ/m3) / 3.6

An imperial meter reads hundreds of cubic feet: multiply by 2.83 first.

Register values travel through bulk work as integer thousandths ("milli" units) so
arithmetic stays exact without ``Decimal`` per row; ``kwh_milli_expr`` converts a column
of them in 128-bit integers and rounds half up to the thousandth of a kWh, the same
answer ``kwh_from_advance`` gives one value in ``Decimal``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl

VOLUME_CORRECTION = Decimal("1.02264")
CUBIC_METRES_PER_HUNDRED_CUBIC_FEET = Decimal("2.83")
MEGAJOULES_PER_KWH = Decimal("3.6")
MILLI = 1000
_THOUSANDTH = Decimal("0.001")

# Each unit's factor to cubic metres (gas) or kWh (electricity), as numerator/denominator.
_UNIT_RATIO = {"KWH": (1, 1), "METRIC": (1, 1), "IMPERIAL": (283, 100)}


def kwh_from_advance(*, advance: Decimal, units: str, calorific_value: Decimal | None) -> Decimal:
    """Return the kWh that a register advance stands for, to the thousandth.

    :raises ValueError: gas units without a calorific value, or unknown units.
    """
    if units == "KWH":
        return advance.quantize(_THOUSANDTH, ROUND_HALF_UP)
    if units not in _UNIT_RATIO:
        raise ValueError(f"unknown register units {units!r}")
    if calorific_value is None:
        raise ValueError("a gas volume needs the calorific value in force")
    cubic_metres = advance * CUBIC_METRES_PER_HUNDRED_CUBIC_FEET if units == "IMPERIAL" else advance
    kwh = cubic_metres * VOLUME_CORRECTION * calorific_value / MEGAJOULES_PER_KWH
    return kwh.quantize(_THOUSANDTH, ROUND_HALF_UP)


def kwh_milli_expr(*, advance_milli: pl.Expr, units: pl.Expr, cv_milli: pl.Expr) -> pl.Expr:
    """Return thousandths of a kWh for columns of advances (thousandths of the register's
    unit), units and calorific values (thousandths of MJ/m3), rounding half up."""
    numerator = units.replace_strict(
        {unit: ratio[0] for unit, ratio in _UNIT_RATIO.items()}, return_dtype=pl.Int128
    )
    denominator = units.replace_strict(
        {unit: ratio[1] for unit, ratio in _UNIT_RATIO.items()}, return_dtype=pl.Int128
    )
    advance = advance_milli.cast(pl.Int128)
    # advance x ratio x 1.02264 x (cv_milli / 1000) / 3.6 in integers:
    gas_top = advance * numerator * 102_264 * cv_milli.cast(pl.Int128)
    gas_bottom = denominator * 100_000 * 3_600
    gas = (gas_top * 2 + gas_bottom) // (gas_bottom * 2)  # half up, for advances >= 0
    return pl.when(units == "KWH").then(advance).otherwise(gas).cast(pl.Int64)


def milli_text_expr(column: str) -> pl.Expr:
    """A column of thousandths (not negative) as decimal text, for people and for the
    database alike: 12345678 -> "12345.678", 12345000 -> "12345"."""
    value = pl.col(column)
    return (
        pl.when(value % MILLI == 0)
        .then((value // MILLI).cast(pl.String))
        .otherwise(pl.format("{}.{}", value // MILLI, (value % MILLI).cast(pl.String).str.zfill(3)))
    )


def milli_from_text_expr(column: str) -> pl.Expr:
    """A column of decimal text (at most three places kept) as thousandths."""
    parts = pl.col(column).str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64)
    fraction = parts.struct.field("field_1").fill_null("").str.pad_end(3, "0").str.slice(0, 3)
    return whole * MILLI + pl.when(fraction == "").then(0).otherwise(fraction.cast(pl.Int64))
