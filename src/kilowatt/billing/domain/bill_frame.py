"""Rating a whole chunk of accounts at once, in columns: the bill run's engine.

The rules are those of ``rating.py`` (one bill, Decimal by Decimal, the reference the
tests check by hand); here they run over every account of a chunk together, because a
bill run rates a million accounts and a Python loop per line cannot (the issue's floor).
Numbers stay exact without Decimal per row: energy in thousandths of a kWh (``_milli``),
rates in ten-thousandths of a penny (``_e4``), money in whole pence, products in 128-bit
integers and every rounding half up (away from zero), as ``platform.money.round_pence``.

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

The rules, as in ``rating.py``:

1. Standing charge per price span inside the bill's period: days x p/day, rounded per line.
2. Energy: each consumption is split at every price boundary (and at the back-billing
   cutoff) it spans; kWh are apportioned by days covered, each part but the last rounded
   to the thousandth, the last taking the remainder, so the parts add up exactly. A
   consumption within one day is one part, at the price of that day.
3. Back-billing: homes and micro-businesses are not charged for energy or standing
   charge before the same day twelve months before the bill; what was left out is one
   ``BACK_BILLING`` line per meter point (amount 0), saying so.
4. VAT 5% for homes; business 20% with the Climate Change Levy on every kWh, unless the
   supply is de minimis (at most 33 kWh a day of electricity or 145 of gas over the
   period): then 5% and no levy. The levy is VATable at 20%.
5. One VAT line per rate: the rate's lines summed, times the rate, rounded.
"""

from __future__ import annotations

import datetime

import polars as pl

from kilowatt.metering.domain import energy

MILLI = 1_000
E4 = 10_000

# The levy's main rates in ten-thousandths of a penny per kWh, by the day they start.
CCL_RATES_E4: dict[str, tuple[tuple[datetime.date, int], ...]] = {
    "ELECTRICITY": ((datetime.date(2025, 4, 1), 7_750), (datetime.date(2026, 4, 1), 8_010)),
    "GAS": ((datetime.date(2025, 4, 1), 6_720), (datetime.date(2026, 4, 1), 8_010)),
}
# De minimis: a business supply of at most this many kWh a day is taxed as domestic.
DE_MINIMIS_MILLI_PER_DAY = {"ELECTRICITY": 33 * MILLI, "GAS": 145 * MILLI}
VAT_DOMESTIC = 5
VAT_STANDARD = 20

_LINE_COLUMNS = (
    "account_id",
    "order",
    "kind",
    "meter_point",
    "band",
    "start_date",
    "end_date",
    "quantity",
    "unit",
    "rate_pence",
    "amount_pence",
    "vat_rate",
    "read_from",
    "read_to",
    "description",
)


def round_div(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """``numerator / denominator`` rounded half away from zero, in integers."""
    value = numerator.cast(pl.Int128)
    magnitude = ((value.abs() * 2 + denominator) // (2 * denominator)).cast(pl.Int64)
    return pl.when(value < 0).then(-magnitude).otherwise(magnitude)


def back_billing_cutoff(bill_date: datetime.date) -> datetime.date:
    """The same day twelve months before (29 February falls back to the 28th)."""
    try:
        return bill_date.replace(year=bill_date.year - 1)
    except ValueError:
        return bill_date.replace(year=bill_date.year - 1, day=28)


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


def _price_pieces(accounts: pl.DataFrame, prices: pl.DataFrame) -> pl.DataFrame:
    """The price spans, cut at the back-billing cutoff where it applies; each piece says
    whether it is before the cutoff (not chargeable)."""
    far = datetime.date(9999, 12, 31)
    spans = prices.join(
        accounts.select(
            "account_id",
            "customer_kind",
            "is_micro",
            cutoff=pl.when((pl.col("customer_kind") == "RESIDENTIAL") | pl.col("is_micro"))
            .then(_cutoff_expr())
            .otherwise(pl.lit(None, dtype=pl.Date)),
        ),
        on="account_id",
    ).with_columns(valid_to=pl.col("valid_to").fill_null(far))
    cut = pl.col("cutoff")
    straddles = cut.is_not_null() & (pl.col("valid_from") < cut) & (cut < pl.col("valid_to"))
    before = spans.filter(straddles).with_columns(valid_to=cut)
    after = spans.filter(straddles).with_columns(valid_from=cut)
    pieces = pl.concat([spans.filter(~straddles), before, after])
    return pieces.with_columns(
        back_billed=cut.is_not_null() & (pl.col("valid_to") <= cut),
    )


def _standing_lines(accounts: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    period = accounts.select("account_id", "period_start", "period_end")
    lines = (
        pieces.filter(~pl.col("back_billed"))
        .join(period, on="account_id")
        .with_columns(
            start_date=pl.max_horizontal("valid_from", "period_start"),
            end_date=pl.min_horizontal("valid_to", "period_end"),
        )
        .with_columns(days=(pl.col("end_date") - pl.col("start_date")).dt.total_days())
        .filter(pl.col("days") > 0)
    )
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
        description=pl.format("{} days x {}p a day", pl.col("days"), _rate_text("standing_e4")),
        dropped_days=pl.lit(0, dtype=pl.Int64),
    )


def _dropped_standing_days(accounts: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    period = accounts.select("account_id", "period_start", "period_end")
    return (
        pieces.filter(pl.col("back_billed"))
        .join(period, on="account_id")
        .with_columns(
            days=(
                pl.min_horizontal("valid_to", "period_end")
                - pl.max_horizontal("valid_from", "period_start")
            ).dt.total_days()
        )
        .filter(pl.col("days") > 0)
        .group_by("account_id", "meter_point_id")
        .agg(dropped_days=pl.col("days").sum())
    )


def energy_parts(consumptions: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    """Split each consumption over the price pieces it spans, kWh apportioned by days."""
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
        part_milli=pl.when(is_last).then(pl.col("kwh_milli") - earlier).otherwise(rounded)
    )


def _round_div_by_column(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    value = numerator.cast(pl.Int128)
    bottom = denominator.cast(pl.Int128)
    magnitude = ((value.abs() * 2 + bottom) // (bottom * 2)).cast(pl.Int64)
    return pl.when(value < 0).then(-magnitude).otherwise(magnitude)


def _energy_lines(parts: pl.DataFrame, rates: pl.DataFrame) -> pl.DataFrame:
    charged = parts.filter(~pl.col("back_billed")).join(rates, on=["tariff_id", "band"], how="left")
    return charged.select(
        "account_id",
        "meter_point_id",
        "meter_point",
        start_date=pl.col("part_start"),
        end_date=pl.col("part_end"),
        sort=pl.lit(1),
        sub=pl.col("consumption").cast(pl.Int64) * 10_000_000 + pl.col("part_start").cast(pl.Int64),
        kind=pl.lit("ENERGY"),
        band="band",
        quantity_milli=pl.col("part_milli"),
        unit=pl.lit("KWH"),
        rate_e4="rate_e4",
        amount_pence=round_div(pl.col("part_milli") * pl.col("rate_e4"), MILLI * E4),
        read_from="read_from",
        read_to="read_to",
        description=pl.format(
            "{} kWh x {}p ({} read to {} read)",
            energy.milli_text_expr("part_milli"),
            _rate_text("rate_e4"),
            pl.col("read_from").str.to_lowercase(),
            pl.col("read_to").str.to_lowercase(),
        ),
        dropped_days=pl.lit(0, dtype=pl.Int64),
    )


def _back_billing_lines(
    accounts: pl.DataFrame, parts: pl.DataFrame, dropped: pl.DataFrame
) -> pl.DataFrame:
    energy_dropped = (
        parts.filter(pl.col("back_billed"))
        .group_by("account_id", "meter_point_id")
        .agg(kwh_milli=pl.col("part_milli").sum(), meter_point=pl.col("meter_point").first())
    )
    both = energy_dropped.join(
        dropped, on=["account_id", "meter_point_id"], how="full", coalesce=True
    ).with_columns(pl.col("kwh_milli").fill_null(0), pl.col("dropped_days").fill_null(0))
    if both.is_empty():
        return _empty_lines()
    names = parts.select("account_id", "meter_point_id", name="meter_point").unique(
        ["account_id", "meter_point_id"]
    )
    both = (
        both.drop("meter_point")
        .join(names, on=["account_id", "meter_point_id"], how="left")
        .join(accounts.select("account_id", "bill_date"), on="account_id")
        .with_columns(cutoff=_cutoff_expr())
    )
    return both.select(
        "account_id",
        "meter_point_id",
        meter_point=pl.col("name").fill_null(""),
        start_date=pl.lit(None, dtype=pl.Date),
        end_date=pl.col("cutoff"),
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
            "Not charged: {} kWh and {} days of standing charge before {}, more than 12 "
            "months before this bill",
            energy.milli_text_expr("kwh_milli"),
            pl.col("dropped_days"),
            pl.col("cutoff").dt.strftime("%-d %B %Y"),
        ),
        dropped_days="dropped_days",
    )


def _ccl_rate_expr(fuel: pl.Expr, day: pl.Expr) -> pl.Expr:
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


def _ccl_lines(parts: pl.DataFrame, taxes: pl.DataFrame) -> pl.DataFrame:
    last_day = (
        pl.when(pl.col("part_end") > pl.col("part_start"))
        .then(pl.col("part_end") - pl.duration(days=1))
        .otherwise(pl.col("part_start"))
    )
    levied = (
        parts.filter(~pl.col("back_billed"))
        .join(taxes.filter(pl.col("levy")), on=["account_id", "meter_point_id"])
        .with_columns(rate_e4=_ccl_rate_expr(pl.col("fuel"), last_day))
        .group_by("account_id", "meter_point_id", "rate_e4")
        .agg(
            kwh_milli=pl.col("part_milli").sum(),
            meter_point=pl.col("meter_point").first(),
            start_date=pl.col("part_start").min(),
            end_date=pl.col("part_end").max(),
        )
    )
    return levied.select(
        "account_id",
        "meter_point_id",
        "meter_point",
        "start_date",
        "end_date",
        sort=pl.lit(3),
        sub=pl.col("rate_e4").cast(pl.Int64),
        kind=pl.lit("CCL"),
        band=pl.lit(""),
        quantity_milli="kwh_milli",
        unit=pl.lit("KWH"),
        rate_e4="rate_e4",
        amount_pence=round_div(pl.col("kwh_milli") * pl.col("rate_e4"), MILLI * E4),
        read_from=pl.lit(""),
        read_to=pl.lit(""),
        description=pl.format(
            "Climate Change Levy: {} kWh x {}p",
            energy.milli_text_expr("kwh_milli"),
            _rate_text("rate_e4"),
        ),
        dropped_days=pl.lit(0, dtype=pl.Int64),
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
            "description": pl.String,
            "dropped_days": pl.Int64,
        }
    )


def _conform(frame: pl.DataFrame) -> pl.DataFrame:
    template = _empty_lines()
    return frame.select([pl.col(name).cast(kind) for name, kind in template.schema.items()])


def rate_frame(
    *,
    accounts: pl.DataFrame,
    prices: pl.DataFrame,
    rates: pl.DataFrame,
    consumptions: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rate every account of a chunk; return ``(invoices, lines)``.

    ``invoices``: ``account_id``, ``net_pence``, ``ccl_pence``, ``vat_pence``,
    ``total_pence``, ``charged_milli`` (kWh charged), ``missing_rates`` (energy parts
    whose tariff has no rate for the register's band: the bill must be held).
    ``lines``: ``account_id``, ``position`` (1..n per account) and the invoice line's
    columns (``quantity`` and ``rate_pence`` as decimal text).
    """
    pieces = _price_pieces(accounts, prices)
    parts = energy_parts(consumptions, pieces)
    taxes = _supply_taxes(accounts, parts, prices)
    lines = pl.concat(
        [
            _conform(_standing_lines(accounts, pieces)),
            _conform(_energy_lines(parts, rates)),
            _conform(
                _back_billing_lines(accounts, parts, _dropped_standing_days(accounts, pieces))
            ),
            _conform(_ccl_lines(parts, taxes)),
        ]
    )
    lines = lines.join(taxes, on=["account_id", "meter_point_id"], how="left").with_columns(
        vat_rate=pl.when(pl.col("kind") == "CCL")
        .then(VAT_STANDARD)
        .when(pl.col("kind") == "BACK_BILLING")
        .then(0)
        .otherwise(pl.col("vat_rate").fill_null(VAT_DOMESTIC))
    )
    missing = (
        lines.filter((pl.col("kind") == "ENERGY") & pl.col("rate_e4").is_null())
        .group_by("account_id")
        .agg(missing_rates=pl.len())
    )
    lines = lines.with_columns(pl.col("amount_pence").fill_null(0))
    vat = (
        lines.filter(pl.col("vat_rate") > 0)
        .group_by("account_id", "vat_rate")
        .agg(base=pl.col("amount_pence").sum())
        .select(
            "account_id",
            "vat_rate",
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
            description=pl.format(
                "VAT at {}% on {}", pl.col("vat_rate"), _pounds_text(pl.col("base"))
            ),
        )
    )
    body = lines.select(vat.columns)
    every = pl.concat([body, vat.select(body.columns)], how="vertical_relaxed").sort(
        "account_id", "sort", "meter_point_id", "sub", nulls_last=True
    )
    # Lines of one meter point stay together: order by meter point, then the line's kind.
    every = every.with_columns(group=pl.when(pl.col("kind") == "VAT").then(1).otherwise(0)).sort(
        "account_id", "group", "meter_point_id", "sort", "sub", nulls_last=True
    )
    every = every.with_columns(position=pl.int_range(1, pl.len() + 1).over("account_id"))
    totals = every.group_by("account_id").agg(
        net_pence=pl.col("amount_pence")
        .filter(pl.col("kind").is_in(["STANDING_CHARGE", "ENERGY", "CREDIT", "COMPENSATION"]))
        .sum(),
        ccl_pence=pl.col("amount_pence").filter(pl.col("kind") == "CCL").sum(),
        vat_pence=pl.col("amount_pence").filter(pl.col("kind") == "VAT").sum(),
        charged_milli=pl.col("quantity_milli").filter(pl.col("kind") == "ENERGY").sum(),
    )
    invoices = (
        accounts.select("account_id")
        .join(totals, on="account_id", how="left")
        .join(missing, on="account_id", how="left")
        .with_columns(
            pl.col("net_pence", "ccl_pence", "vat_pence", "charged_milli").fill_null(0),
            pl.col("missing_rates").fill_null(0),
        )
        .with_columns(total_pence=pl.col("net_pence") + pl.col("ccl_pence") + pl.col("vat_pence"))
    )
    out = every.select(
        "account_id",
        "position",
        "kind",
        "meter_point",
        "band",
        "start_date",
        "end_date",
        quantity=energy.milli_text_expr("quantity_milli"),
        quantity_milli="quantity_milli",
        unit="unit",
        rate_pence=_rate_text("rate_e4"),
        amount_pence="amount_pence",
        vat_rate=pl.col("vat_rate").cast(pl.Int64),
        read_from="read_from",
        read_to="read_to",
        description="description",
    )
    return invoices, out


def _pounds_text(pence: pl.Expr) -> pl.Expr:
    return pl.format(
        "£{}.{}", (pence // 100).cast(pl.String), (pence % 100).cast(pl.String).str.zfill(2)
    )
