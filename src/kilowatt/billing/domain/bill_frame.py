"""Rating a whole chunk of accounts at once, in columns: the bill run's engine.

The rules are those of ``rating.py`` (one bill, Decimal by Decimal, the reference the
tests check by hand); here they run over every account of a chunk together, because a
bill run rates a million accounts and a Python loop per line cannot (the issue's floor).
Numbers stay exact without Decimal per row: energy in thousandths of a kWh (``_milli``),
rates in ten-thousandths of a penny (``_e4``), money in whole pence, products in 128-bit
integers and every rounding half up (away from zero), as ``platform.money.round_pence``.
``tests/unit/billing/test_bill_frame_matches_rating.py`` checks, over random bills, that
both give the same lines and totals.

The inputs (frames, one row each):

- ``accounts``: ``account_id``, ``customer_kind`` (RESIDENTIAL/BUSINESS), ``is_micro``,
  ``period_start``, ``period_end`` (exclusive: the run date), ``bill_date``.
- ``prices``: an agreement's span of supply at one tariff: ``account_id``,
  ``meter_point_id``, ``meter_point`` (MPAN/MPRN), ``fuel``, ``valid_from``, ``valid_to``
  (null: open), ``tariff_id``, ``standing_e4``. A price change part-way through a bill is
  two rows.
- ``rates``: ``tariff_id``, ``band``, ``rate_e4``.
- ``consumptions``: energy between two reads of a register: ``account_id``,
  ``meter_point_id``, ``band``, ``start``, ``end`` (the reads' UK days), ``kwh_milli``,
  ``read_from``, ``read_to`` (the reads' sources).

The rules, as in ``rating.py`` (its numbers):

1. Standing charge per price span inside the bill's period (less the days before the
   back-billing cutoff): days x p/day, rounded per line. Days no span covers are not
   charged.
2. Energy: each consumption is split at every price boundary (and at the back-billing
   cutoff) it spans; days no price span covers are left out, and the kWh are
   apportioned by days over the days covered, each part but the last rounded to the
   thousandth, the last taking the remainder, so the parts add up exactly. A
   consumption within one day is one part, at the price of that day. Energy that
   cannot be priced -- a consumption with no price on any of its days, a band the
   tariff has no rate for, business kWh on a day before the levy's first recorded rate
   -- cannot raise in the middle of a chunk: it is counted in ``missing_rates`` and the
   bill is held (``rating.py`` raises ValueError for the same bills).
3. Back-billing: homes and micro-businesses are not charged for energy or standing
   charge before the same day twelve months before the bill; what was left out is one
   ``BACK_BILLING`` line per meter point (amount 0, from its first day to its last),
   saying so.
4. VAT 5% for homes; business 20% with the Climate Change Levy on every kWh, unless the
   supply is de minimis (at most 33 kWh a day of electricity or 145 of gas over the
   period): then 5% and no levy. The levy's rate is that of each part's last day
   (``levy.CCL_PENCE_PER_KWH``, the one table both read); one ``CCL`` line per rate, in
   order of its first day. The levy is VATable at 20%.
5. One VAT line per rate (5 before 20): the rate's lines summed, times the rate, rounded;
   its quantity is the rate (PCT) and its ``vat_rate`` 0 (VAT is not charged on VAT).
6. Positions: each meter point in ``meter_point_id`` order (standing charges, energy
   by consumption -- the frame's row order -- then date, its back-billing line, its CCL
   lines), then the VAT lines.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl

from kilowatt.billing.domain import back_billing, levy, rating, vat

MILLI = 1_000
E4 = 10_000


def _e4(pence: Decimal) -> int:
    value = pence * E4
    if value != value.to_integral_value():
        raise ValueError(f"{pence}p is finer than a ten-thousandth of a penny")
    return int(value)


# The levy's main rates in ten-thousandths of a penny per kWh, by the day they start:
# ``levy.CCL_PENCE_PER_KWH`` (the reference's table, with its source), in integers.
CCL_RATES_E4: dict[str, tuple[tuple[datetime.date, int], ...]] = {
    fuel: tuple(
        (in_force_from, _e4(rates[fuel]))
        for in_force_from, rates in levy.CCL_PENCE_PER_KWH
        if fuel in rates
    )
    for fuel in rating.FUELS
}
# De minimis: a business supply of at most this many kWh a day is taxed as domestic.
DE_MINIMIS_MILLI_PER_DAY = {
    fuel: int(kwh * MILLI) for fuel, kwh in vat.DE_MINIMIS_KWH_PER_DAY.items()
}
VAT_DOMESTIC = vat.REDUCED_RATE
VAT_STANDARD = vat.STANDARD_RATE

_FAR = datetime.date(9999, 12, 31)


def round_div(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """``numerator / denominator`` rounded half away from zero, in integers."""
    value = numerator.cast(pl.Int128)
    magnitude = ((value.abs() * 2 + denominator) // (2 * denominator)).cast(pl.Int64)
    return pl.when(value < 0).then(-magnitude).otherwise(magnitude)


def back_billing_cutoff(bill_date: datetime.date) -> datetime.date:
    """The same day twelve months before (29 February falls back to the 28th)."""
    return back_billing.cutoff(bill_date)


def _cutoff_expr() -> pl.Expr:
    # Dates twelve months back, the 29th of February to the 28th: Polars' offset by
    # "-1y" does exactly that (it clamps to the month's end).
    return pl.col("bill_date").dt.offset_by("-1y")


def _rate_text(column: str) -> pl.Expr:
    """Ten-thousandths of a penny as text with at least two places: 245000 -> "24.50"."""
    value = pl.col(column)
    whole = (value // E4).cast(pl.String)
    fraction = (value % E4).cast(pl.String).str.zfill(4)
    trimmed = (
        pl.when(fraction.str.slice(2, 2) == "00")
        .then(fraction.str.slice(0, 2))
        .when(fraction.str.slice(3, 1) == "0")
        .then(fraction.str.slice(0, 3))
        .otherwise(fraction)
    )
    return pl.format("{}.{}", whole, trimmed)


def _signed(value: pl.Expr, text: pl.Expr) -> pl.Expr:
    """``text`` (of ``value``'s magnitude) with a minus sign when ``value`` is below zero."""
    return pl.when(value < 0).then(pl.concat_str(pl.lit("-"), text)).otherwise(text)


def _milli_text(column: str) -> pl.Expr:
    """Thousandths as decimal text, for the database: 12345678 -> "12345.678", 12345000 ->
    "12345", -5 -> "-0.005" (a part's remainder can fall below zero)."""
    magnitude = pl.col(column).abs()
    whole = (magnitude // MILLI).cast(pl.String)
    fraction = (magnitude % MILLI).cast(pl.String).str.zfill(3)
    text = (
        pl.when(magnitude % MILLI == 0).then(whole).otherwise(pl.format("{}.{}", whole, fraction))
    )
    return _signed(pl.col(column), text)


def _kwh_text(column: str) -> pl.Expr:
    """Thousandths of a kWh with three places, for people: 210400 -> "210.400"."""
    magnitude = pl.col(column).abs()
    text = pl.format(
        "{}.{}",
        (magnitude // MILLI).cast(pl.String),
        (magnitude % MILLI).cast(pl.String).str.zfill(3),
    )
    return _signed(pl.col(column), text)


def _days_text(column: str) -> pl.Expr:
    days = pl.col(column)
    return pl.format(
        "{} {}", days, pl.when(days == 1).then(pl.lit("day")).otherwise(pl.lit("days"))
    )


def _day_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%-d %b %Y")


def _read_words(column: str) -> pl.Expr:
    source = pl.col(column)
    return source.replace_strict(
        rating.READ_WORDS,
        default=pl.when(source == "")
        .then(pl.lit("a read"))
        .otherwise(pl.format("{} read", source.str.to_lowercase())),
        return_dtype=pl.String,
    )


def _protected() -> pl.Expr:
    """Back-billing protects homes and micro-businesses (``back_billing.protects``)."""
    return (pl.col("customer_kind") == "RESIDENTIAL") | (
        (pl.col("customer_kind") == "BUSINESS") & pl.col("is_micro")
    )


def _price_pieces(accounts: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """The price spans, cut at the back-billing cutoff where it applies; each piece says
    whether it is before the cutoff (not chargeable)."""
    spans = prices.join(
        accounts.select(
            "account_id",
            "customer_kind",
            "is_micro",
            cutoff=pl.when(_protected())
            .then(_cutoff_expr())
            .otherwise(pl.lit(None, dtype=pl.Date)),
        ),
        on="account_id",
    ).with_columns(valid_to=pl.col("valid_to").fill_null(_FAR))
    cut = pl.col("cutoff")
    straddles = cut.is_not_null() & (pl.col("valid_from") < cut) & (cut < pl.col("valid_to"))
    before = spans.filter(straddles).with_columns(valid_to=cut)
    after = spans.filter(straddles).with_columns(valid_from=cut)
    pieces = pl.concat([spans.filter(~straddles), before, after])
    return pieces.with_columns(
        back_billed=cut.is_not_null() & (pl.col("valid_to") <= cut),
    )


def _in_period(accounts: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    """The price pieces clipped to their bill's period, with their days (at least one)."""
    period = accounts.select("account_id", "period_start", "period_end")
    return (
        pieces.join(period, on="account_id")
        .with_columns(
            start_date=pl.max_horizontal("valid_from", "period_start"),
            end_date=pl.min_horizontal("valid_to", "period_end"),
        )
        .with_columns(days=(pl.col("end_date") - pl.col("start_date")).dt.total_days())
        .filter(pl.col("days") > 0)
    )


def _standing_lines(accounts: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    lines = _in_period(accounts, pieces.filter(~pl.col("back_billed")))
    return lines.select(
        "account_id",
        "meter_point_id",
        "meter_point",
        "start_date",
        "end_date",
        sort=pl.lit(0),
        sub=pl.col("start_date").cast(pl.Int64),
        kind=pl.lit("STANDING_CHARGE"),
        band=pl.lit(""),
        quantity_milli=pl.col("days") * MILLI,
        unit=pl.lit("DAY"),
        rate_e4=pl.col("standing_e4"),
        amount_pence=round_div(pl.col("days") * pl.col("standing_e4"), E4),
        read_from=pl.lit(""),
        read_to=pl.lit(""),
        description=pl.format("{} x {}p", _days_text("days"), _rate_text("standing_e4")),
    )


def _consumption_key() -> pl.Expr:
    """Orders a meter point's energy: by consumption (row order), then by date."""
    return pl.col("consumption").cast(pl.Int64) * 10_000_000 + pl.col("part_start").cast(pl.Int64)


def energy_parts(consumptions: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    """Split each consumption over the price pieces it spans, kWh apportioned by the days
    covered. A consumption no piece covers has no part (``_unpriced`` counts them)."""
    numbered = consumptions.with_row_index("consumption")
    joined = numbered.join(
        pieces.select(
            "account_id",
            "meter_point_id",
            "valid_from",
            "valid_to",
            "tariff_id",
            "back_billed",
            "fuel",
            "meter_point",
        ),
        on=["account_id", "meter_point_id"],
    )
    same_day = pl.col("start") == pl.col("end")
    covers = (
        pl.when(same_day)
        .then((pl.col("valid_from") <= pl.col("start")) & (pl.col("start") < pl.col("valid_to")))
        .otherwise((pl.col("valid_from") < pl.col("end")) & (pl.col("start") < pl.col("valid_to")))
    )
    parts = (
        joined.filter(covers)
        .with_columns(
            part_start=pl.max_horizontal("start", "valid_from"),
            part_end=pl.min_horizontal("end", "valid_to"),
        )
        .with_columns(part_days=(pl.col("part_end") - pl.col("part_start")).dt.total_days())
        .sort("consumption", "part_start")
    )
    covered = pl.col("part_days").sum().over("consumption")
    # Each part but the last: kWh x its days / the days covered, rounded; the last part
    # takes what is left, so the parts add up to the reads' kWh exactly.
    rounded = (
        pl.when(covered == 0)
        .then(pl.col("kwh_milli"))
        .otherwise(
            _round_div_by_column(pl.col("kwh_milli").cast(pl.Int128) * pl.col("part_days"), covered)
        )
    )
    is_last = pl.col("part_start") == pl.col("part_start").max().over("consumption")
    earlier = pl.when(is_last).then(0).otherwise(rounded).sum().over("consumption")
    return parts.with_columns(
        part_milli=pl.when(is_last).then(pl.col("kwh_milli") - earlier).otherwise(rounded),
        covered_days=covered,
        whole=(pl.len().over("consumption") == 1)
        & (pl.col("part_start") == pl.col("start"))
        & (pl.col("part_end") == pl.col("end")),
    )


def _unpriced(consumptions: pl.DataFrame, parts: pl.DataFrame) -> pl.DataFrame:
    """Per account, the consumptions with no price in force on any of their days."""
    return (
        consumptions.with_row_index("consumption")
        .join(parts.select("consumption"), on="consumption", how="anti")
        .group_by("account_id")
        .agg(unpriced_consumptions=pl.len())
    )


def _round_div_by_column(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    value = numerator.cast(pl.Int128)
    bottom = denominator.cast(pl.Int128)
    magnitude = ((value.abs() * 2 + bottom) // (bottom * 2)).cast(pl.Int64)
    return pl.when(value < 0).then(-magnitude).otherwise(magnitude)


def _energy_description() -> pl.Expr:
    reads = (
        pl.when((pl.col("read_from") == "") & (pl.col("read_to") == ""))
        .then(pl.lit(""))
        .otherwise(pl.format(" ({} to {})", _read_words("read_from"), _read_words("read_to")))
    )
    rate = _rate_text("rate_e4")
    total_days = (pl.col("end") - pl.col("start")).dt.total_days()
    of_days = (
        pl.when(pl.col("covered_days") == total_days)
        .then(pl.format("{} days", pl.col("covered_days")))
        .otherwise(
            pl.format("{} priced days ({} between the reads)", pl.col("covered_days"), total_days)
        )
    )
    return (
        pl.when(pl.col("whole"))
        .then(pl.format("{} kWh x {}p{}", _kwh_text("kwh_milli"), rate, reads))
        .otherwise(
            pl.format(
                "{} kWh x {}p: {} of {} of {} kWh{}",
                _kwh_text("part_milli"),
                rate,
                pl.col("part_days"),
                of_days,
                _kwh_text("kwh_milli"),
                reads,
            )
        )
        .fill_null(pl.format("{} kWh: no unit rate for band {}", _kwh_text("part_milli"), "band"))
    )


def _energy_lines(parts: pl.DataFrame, rates: pl.DataFrame) -> pl.DataFrame:
    charged = parts.filter(~pl.col("back_billed")).join(rates, on=["tariff_id", "band"], how="left")
    return charged.select(
        "account_id",
        "meter_point_id",
        "meter_point",
        start_date=pl.col("part_start"),
        end_date=pl.col("part_end"),
        sort=pl.lit(1),
        sub=_consumption_key(),
        kind=pl.lit("ENERGY"),
        band="band",
        quantity_milli=pl.col("part_milli"),
        unit=pl.lit("KWH"),
        rate_e4="rate_e4",
        amount_pence=round_div(pl.col("part_milli") * pl.col("rate_e4"), MILLI * E4),
        read_from="read_from",
        read_to="read_to",
        # The closing read whose consumption this is, so a restatement can say which
        # read changed (absent when the consumptions came without read ids).
        read_id=pl.col("read_id") if "read_id" in charged.columns else pl.lit(None, pl.Int64),
        description=_energy_description(),
    )


def _back_billing_lines(
    accounts: pl.DataFrame, prices: pl.DataFrame, pieces: pl.DataFrame, parts: pl.DataFrame
) -> pl.DataFrame:
    """One line per meter point with energy or standing-charge days before the cutoff:
    the kWh not charged, from the first such day to the last."""
    span_columns = ("account_id", "meter_point_id", "span_start", "span_end", "kwh", "days")
    energy_dropped = parts.filter(pl.col("back_billed")).select(
        "account_id",
        "meter_point_id",
        span_start="part_start",
        span_end="part_end",
        kwh=pl.col("part_milli"),
        days=pl.lit(None, dtype=pl.Int64),
    )
    days_dropped = _in_period(accounts, pieces.filter(pl.col("back_billed"))).select(
        "account_id",
        "meter_point_id",
        span_start="start_date",
        span_end="end_date",
        kwh=pl.lit(None, dtype=pl.Int64),
        days=pl.col("days").cast(pl.Int64),
    )
    spans = pl.concat(
        [energy_dropped.select(span_columns), days_dropped.select(span_columns)],
        how="vertical_relaxed",
    )
    if spans.is_empty():
        return _empty_lines()
    last_day = (
        pl.when(pl.col("span_end") > pl.col("span_start"))
        .then(pl.col("span_end") - pl.duration(days=1))
        .otherwise(pl.col("span_start"))
    )
    names = prices.select("account_id", "meter_point_id", "meter_point").unique(
        ["account_id", "meter_point_id"]
    )
    both = (
        spans.group_by("account_id", "meter_point_id")
        .agg(
            kwh_milli=pl.col("kwh").sum(),
            has_energy=pl.col("kwh").is_not_null().any(),
            dropped_days=pl.col("days").sum(),
            start_date=pl.col("span_start").min(),
            end_date=pl.col("span_end").max(),
            last_day=last_day.max(),
        )
        .join(names, on=["account_id", "meter_point_id"], how="left")
        .join(accounts.select("account_id", "bill_date"), on="account_id")
    )
    kwh = pl.format("{} kWh", _kwh_text("kwh_milli"))
    standing = pl.format("{}' standing charge", _days_text("dropped_days"))
    what = (
        pl.when(pl.col("has_energy") & (pl.col("dropped_days") > 0))
        .then(pl.format("{} and {}", kwh, standing))
        .when(pl.col("has_energy"))
        .then(kwh)
        .otherwise(standing)
    )
    return both.select(
        "account_id",
        "meter_point_id",
        "start_date",
        "end_date",
        meter_point=pl.col("meter_point").fill_null(""),
        sort=pl.lit(2),
        sub=pl.lit(0, dtype=pl.Int64),
        kind=pl.lit("BACK_BILLING"),
        band=pl.lit(""),
        quantity_milli="kwh_milli",
        unit=pl.lit("KWH"),
        rate_e4=pl.lit(None, dtype=pl.Int64),
        amount_pence=pl.lit(0, dtype=pl.Int64),
        read_from=pl.lit(""),
        read_to=pl.lit(""),
        description=pl.format(
            "Not charged: {} from {} to {}: energy used more than 12 months before this bill of {}",
            what,
            _day_text("start_date"),
            _day_text("last_day"),
            _day_text("bill_date"),
        ),
    )


def _ccl_rate_expr(fuel: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The levy's rate in force on ``day``; null before the first recorded."""
    expression = pl.lit(None, dtype=pl.Int64)
    for name, steps in CCL_RATES_E4.items():
        for starts, rate in steps:
            expression = pl.when((fuel == name) & (day >= starts)).then(rate).otherwise(expression)
    return expression


def _supply_taxes(
    accounts: pl.DataFrame, parts: pl.DataFrame, prices: pl.DataFrame
) -> pl.DataFrame:
    """Per meter point of each account: its VAT rate and whether the levy applies."""
    supplies = prices.select("account_id", "meter_point_id", "fuel", "meter_point").unique(
        ["account_id", "meter_point_id"]
    )
    charged = (
        parts.filter(~pl.col("back_billed"))
        .group_by("account_id", "meter_point_id")
        .agg(charged_milli=pl.col("part_milli").sum())
    )
    threshold = pl.col("fuel").replace_strict(DE_MINIMIS_MILLI_PER_DAY, return_dtype=pl.Int64)
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days()
    return (
        supplies.join(charged, on=["account_id", "meter_point_id"], how="left")
        .join(accounts, on="account_id")
        .with_columns(pl.col("charged_milli").fill_null(0))
        .with_columns(
            de_minimis=pl.col("charged_milli") <= threshold * days,
            business=pl.col("customer_kind") == "BUSINESS",
        )
        .select(
            "account_id",
            "meter_point_id",
            vat_rate=pl.when(pl.col("business") & ~pl.col("de_minimis"))
            .then(VAT_STANDARD)
            .otherwise(VAT_DOMESTIC),
            levy=pl.col("business") & ~pl.col("de_minimis"),
        )
    )


def _levied_parts(parts: pl.DataFrame, taxes: pl.DataFrame) -> pl.DataFrame:
    """The charged parts of the supplies that pay the levy, with its rate (null: none
    recorded for the part's last day)."""
    last_day = (
        pl.when(pl.col("part_end") > pl.col("part_start"))
        .then(pl.col("part_end") - pl.duration(days=1))
        .otherwise(pl.col("part_start"))
    )
    return (
        parts.filter(~pl.col("back_billed"))
        .join(taxes.filter(pl.col("levy")), on=["account_id", "meter_point_id"])
        .with_columns(rate_e4=_ccl_rate_expr(pl.col("fuel"), last_day), key=_consumption_key())
    )


def _ccl_lines(levied: pl.DataFrame) -> pl.DataFrame:
    grouped = (
        levied.group_by("account_id", "meter_point_id", "rate_e4")
        .agg(
            kwh_milli=pl.col("part_milli").sum(),
            meter_point=pl.col("meter_point").first(),
            start_date=pl.col("part_start").min(),
            end_date=pl.col("part_end").max(),
            first_key=pl.col("key").min(),
        )
        # In order of their first day; a tie goes to the rate met first in energy order.
        .sort("account_id", "meter_point_id", "start_date", "first_key")
    )
    return grouped.select(
        "account_id",
        "meter_point_id",
        "meter_point",
        "start_date",
        "end_date",
        sort=pl.lit(3),
        sub=pl.int_range(pl.len(), dtype=pl.Int64).over("account_id", "meter_point_id"),
        kind=pl.lit("CCL"),
        band=pl.lit(""),
        quantity_milli="kwh_milli",
        unit=pl.lit("KWH"),
        rate_e4="rate_e4",
        amount_pence=round_div(pl.col("kwh_milli") * pl.col("rate_e4"), MILLI * E4),
        read_from=pl.lit(""),
        read_to=pl.lit(""),
        description=pl.format(
            "{} kWh x {}p Climate Change Levy", _kwh_text("kwh_milli"), _rate_text("rate_e4")
        ).fill_null(
            pl.format("{} kWh: no Climate Change Levy rate recorded", _kwh_text("kwh_milli"))
        ),
    )


def _empty_lines() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "account_id": pl.Int64,
            "meter_point_id": pl.Int64,
            "meter_point": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "sort": pl.Int32,
            "sub": pl.Int64,
            "kind": pl.String,
            "band": pl.String,
            "quantity_milli": pl.Int64,
            "unit": pl.String,
            "rate_e4": pl.Int64,
            "amount_pence": pl.Int64,
            "read_from": pl.String,
            "read_to": pl.String,
            "read_id": pl.Int64,
            "description": pl.String,
        }
    )


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    """The lines in the one shape every kind shares (a column a kind has no use for,
    like an energy line's closing read on a standing charge, is null)."""
    template = _empty_lines()
    return frame.select(
        [
            pl.col(name).cast(kind)
            if name in frame.columns
            else pl.lit(None, dtype=kind).alias(name)
            for name, kind in template.schema.items()
        ]
    )


def _count(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.group_by("account_id").agg(pl.len().cast(pl.Int64).alias(name))


def rate_frame(
    *,
    accounts: pl.DataFrame,
    prices: pl.DataFrame,
    rates: pl.DataFrame,
    consumptions: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rate every account of a chunk; return ``(invoices, lines)``.

    ``invoices``: ``account_id``, ``net_pence``, ``ccl_pence``, ``vat_pence``,
    ``total_pence``, ``charged_milli`` (kWh charged), ``missing_rates`` (the bill must be
    held: the sum of ``no_unit_rate`` -- energy parts whose tariff has no rate for the
    register's band --, ``unpriced_consumptions`` -- consumptions with no price in force
    on any of their days, whose kWh would otherwise go unbilled -- and
    ``missing_levy_rates`` -- levied parts on a day before the levy's first recorded
    rate), and those three counts.
    ``lines``: ``account_id``, ``position`` (1..n per account) and the invoice line's
    columns (``quantity`` and ``rate_pence`` as decimal text; ``quantity_milli``).
    """
    pieces = _price_pieces(accounts, prices)
    parts = energy_parts(consumptions, pieces)
    taxes = _supply_taxes(accounts, parts, prices)
    levied = _levied_parts(parts, taxes)
    lines = pl.concat(
        [
            _conform(_standing_lines(accounts, pieces)),
            _conform(_energy_lines(parts, rates)),
            _conform(_back_billing_lines(accounts, prices, pieces, parts)),
            _conform(_ccl_lines(levied)),
        ]
    )
    lines = lines.join(taxes, on=["account_id", "meter_point_id"], how="left").with_columns(
        vat_rate=pl.when(pl.col("kind") == "CCL")
        .then(VAT_STANDARD)
        .when(pl.col("kind") == "BACK_BILLING")
        .then(vat.OUTSIDE_SCOPE)
        .otherwise(pl.col("vat_rate").fill_null(VAT_DOMESTIC))
    )
    holds = [
        _count(
            lines.filter((pl.col("kind") == "ENERGY") & pl.col("rate_e4").is_null()), "no_unit_rate"
        ),
        _unpriced(consumptions, parts),
        _count(levied.filter(pl.col("rate_e4").is_null()), "missing_levy_rates"),
    ]
    lines = lines.with_columns(pl.col("amount_pence").fill_null(0))
    vat_lines = (
        lines.filter(pl.col("vat_rate") > 0)
        .group_by("account_id", "vat_rate")
        .agg(base=pl.col("amount_pence").sum())
        .select(
            "account_id",
            # The rate is the line's quantity (PCT); VAT is not itself charged VAT.
            vat_rate=pl.lit(vat.OUTSIDE_SCOPE, dtype=pl.Int64),
            meter_point_id=pl.lit(None, dtype=pl.Int64),
            meter_point=pl.lit(""),
            start_date=pl.lit(None, dtype=pl.Date),
            end_date=pl.lit(None, dtype=pl.Date),
            sort=pl.lit(9, dtype=pl.Int32),
            sub=pl.col("vat_rate").cast(pl.Int64),
            kind=pl.lit("VAT"),
            band=pl.lit(""),
            quantity_milli=pl.col("vat_rate").cast(pl.Int64) * MILLI,
            unit=pl.lit("PCT"),
            rate_e4=pl.lit(None, dtype=pl.Int64),
            amount_pence=round_div(pl.col("base") * pl.col("vat_rate"), 100),
            read_from=pl.lit(""),
            read_to=pl.lit(""),
            read_id=pl.lit(None, dtype=pl.Int64),
            description=pl.format(
                "VAT at {}% of {}", pl.col("vat_rate"), _pounds_text(pl.col("base"))
            ),
        )
    )
    body = lines.select(vat_lines.columns)
    # Each meter point's lines together, in meter point order, then the VAT lines.
    every = (
        pl.concat([body, vat_lines.select(body.columns)], how="vertical_relaxed")
        .with_columns(group=pl.when(pl.col("kind") == "VAT").then(1).otherwise(0))
        .sort("account_id", "group", "meter_point_id", "sort", "sub", nulls_last=True)
        .with_columns(position=pl.int_range(1, pl.len() + 1).over("account_id"))
    )
    totals = every.group_by("account_id").agg(
        net_pence=pl.col("amount_pence")
        .filter(pl.col("kind").is_in(["STANDING_CHARGE", "ENERGY", "CREDIT", "COMPENSATION"]))
        .sum(),
        ccl_pence=pl.col("amount_pence").filter(pl.col("kind") == "CCL").sum(),
        vat_pence=pl.col("amount_pence").filter(pl.col("kind") == "VAT").sum(),
        charged_milli=pl.col("quantity_milli").filter(pl.col("kind") == "ENERGY").sum(),
    )
    invoices = accounts.select("account_id").join(totals, on="account_id", how="left")
    for counts in holds:
        invoices = invoices.join(counts, on="account_id", how="left")
    invoices = invoices.with_columns(
        pl.col("net_pence", "ccl_pence", "vat_pence", "charged_milli").fill_null(0),
        pl.col("no_unit_rate", "unpriced_consumptions", "missing_levy_rates")
        .fill_null(0)
        .cast(pl.Int64),
    ).with_columns(
        total_pence=pl.col("net_pence") + pl.col("ccl_pence") + pl.col("vat_pence"),
        missing_rates=pl.col("no_unit_rate")
        + pl.col("unpriced_consumptions")
        + pl.col("missing_levy_rates"),
    )
    out = every.select(
        "account_id",
        "position",
        "kind",
        "meter_point",
        "band",
        "start_date",
        "end_date",
        quantity=_milli_text("quantity_milli"),
        quantity_milli="quantity_milli",
        unit="unit",
        rate_pence=_rate_text("rate_e4"),
        amount_pence="amount_pence",
        vat_rate=pl.col("vat_rate").cast(pl.Int64),
        read_from="read_from",
        read_to="read_to",
        read_id="read_id",
        description="description",
    )
    return invoices, out


def _pounds_text(pence: pl.Expr) -> pl.Expr:
    magnitude = pence.abs()
    text = pl.format(
        "£{}.{}",
        (magnitude // 100).cast(pl.String),
        (magnitude % 100).cast(pl.String).str.zfill(2),
    )
    return pl.when(pence < 0).then(pl.concat_str(pl.lit("-"), text)).otherwise(text)
