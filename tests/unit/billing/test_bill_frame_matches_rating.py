"""The bill run's engine (``bill_frame.rate_frame``, a chunk of accounts at once in Polars
integers) and the reference (``rating.rate_bill``, one bill at a time in Decimal) give
the same bills: the same totals in pence and the same lines, field by field, in the same
order. Descriptions may word things differently and are not compared, but both must
show the rate the amount was computed at.

Each bill is described once (``Account``, ``Meter``, ``Price``, ``Use``) and turned into
both inputs: a ``rating.BillRequest`` per account (its supplies in ``meter_point_id``
order, the engine's order) and the engine's four frames for the whole chunk.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kilowatt.billing.domain import bill_frame, rating

DAY = datetime.timedelta(days=1)
READ_SOURCES = ("ACTUAL", "CUSTOMER", "SMART", "ESTIMATE", "AGENT", "")


@dataclasses.dataclass(frozen=True)
class Price:
    start: datetime.date
    end: datetime.date | None
    standing_e4: int  # ten-thousandths of a penny a day
    rates_e4: dict[str, int]  # band -> ten-thousandths of a penny a kWh


@dataclasses.dataclass(frozen=True)
class Use:
    band: str
    start: datetime.date
    end: datetime.date
    kwh_milli: int
    read_from: str = "ACTUAL"
    read_to: str = "CUSTOMER"


@dataclasses.dataclass(frozen=True)
class Meter:
    meter_point_id: int
    fuel: str
    prices: tuple[Price, ...]
    uses: tuple[Use, ...]

    @property
    def meter_point(self) -> str:
        return f"MP{self.meter_point_id:011d}"


@dataclasses.dataclass(frozen=True)
class Account:
    account_id: int
    kind: str
    micro: bool
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    meters: tuple[Meter, ...]


def _pence(e4: int) -> Decimal:
    return Decimal(e4) / 10_000


def to_request(account: Account) -> rating.BillRequest:
    supplies = [
        rating.Supply(
            meter_point=meter.meter_point,
            fuel=meter.fuel,
            prices=[
                rating.PriceSegment(
                    start=price.start,
                    end=price.end,
                    standing_charge_pence_per_day=_pence(price.standing_e4),
                    unit_rates={band: _pence(rate) for band, rate in price.rates_e4.items()},
                )
                for price in meter.prices
            ],
            consumptions=[
                rating.Consumption(
                    meter_point=meter.meter_point,
                    band=use.band,
                    start=use.start,
                    end=use.end,
                    kwh=Decimal(use.kwh_milli) / 1000,
                    read_from=use.read_from,
                    read_to=use.read_to,
                )
                for use in meter.uses
            ],
        )
        for meter in sorted(account.meters, key=lambda meter: meter.meter_point_id)
    ]
    return rating.BillRequest(
        customer_kind=account.kind,
        is_micro_business=account.micro,
        bill_date=account.bill_date,
        period_start=account.period_start,
        period_end=account.period_end,
        supplies=supplies,
    )


def to_frames(accounts: list[Account]) -> dict[str, pl.DataFrame]:
    account_rows = [
        {
            "account_id": account.account_id,
            "customer_kind": account.kind,
            "is_micro": account.micro,
            "period_start": account.period_start,
            "period_end": account.period_end,
            "bill_date": account.bill_date,
        }
        for account in accounts
    ]
    price_rows: list[dict[str, object]] = []
    rate_rows: list[dict[str, object]] = []
    use_rows: list[dict[str, object]] = []
    for account in accounts:
        for meter in account.meters:
            for price in meter.prices:
                tariff_id = len(price_rows) + 1
                price_rows.append(
                    {
                        "account_id": account.account_id,
                        "meter_point_id": meter.meter_point_id,
                        "meter_point": meter.meter_point,
                        "fuel": meter.fuel,
                        "valid_from": price.start,
                        "valid_to": price.end,
                        "tariff_id": tariff_id,
                        "standing_e4": price.standing_e4,
                    }
                )
                rate_rows.extend(
                    {"tariff_id": tariff_id, "band": band, "rate_e4": rate}
                    for band, rate in price.rates_e4.items()
                )
            use_rows.extend(
                {
                    "account_id": account.account_id,
                    "meter_point_id": meter.meter_point_id,
                    "band": use.band,
                    "start": use.start,
                    "end": use.end,
                    "kwh_milli": use.kwh_milli,
                    "read_from": use.read_from,
                    "read_to": use.read_to,
                }
                for use in meter.uses
            )
    return {
        "accounts": pl.DataFrame(
            account_rows,
            schema={
                "account_id": pl.Int64,
                "customer_kind": pl.String,
                "is_micro": pl.Boolean,
                "period_start": pl.Date,
                "period_end": pl.Date,
                "bill_date": pl.Date,
            },
        ),
        "prices": pl.DataFrame(
            price_rows,
            schema={
                "account_id": pl.Int64,
                "meter_point_id": pl.Int64,
                "meter_point": pl.String,
                "fuel": pl.String,
                "valid_from": pl.Date,
                "valid_to": pl.Date,
                "tariff_id": pl.Int64,
                "standing_e4": pl.Int64,
            },
        ),
        "rates": pl.DataFrame(
            rate_rows, schema={"tariff_id": pl.Int64, "band": pl.String, "rate_e4": pl.Int64}
        ),
        "consumptions": pl.DataFrame(
            use_rows,
            schema={
                "account_id": pl.Int64,
                "meter_point_id": pl.Int64,
                "band": pl.String,
                "start": pl.Date,
                "end": pl.Date,
                "kwh_milli": pl.Int64,
                "read_from": pl.String,
                "read_to": pl.String,
            },
        ),
    }


LineKey = tuple[object, ...]


def _reference_line(line: rating.BillLine) -> LineKey:
    return (
        line.position,
        line.kind,
        line.meter_point,
        line.band,
        line.start_date,
        line.end_date,
        line.quantity,
        line.unit,
        line.rate_pence,
        line.amount_pence,
        line.vat_rate,
        line.read_from,
        line.read_to,
    )


def _engine_line(row: dict) -> LineKey:
    return (
        row["position"],
        row["kind"],
        row["meter_point"],
        row["band"],
        row["start_date"],
        row["end_date"],
        None if row["quantity"] is None else Decimal(row["quantity"]),
        row["unit"],
        None if row["rate_pence"] is None else Decimal(row["rate_pence"]),
        row["amount_pence"],
        row["vat_rate"],
        row["read_from"],
        row["read_to"],
    )


def _rate_shown(rate: Decimal) -> str:
    """A rate as both implementations print it: at least two places, no trailing zeros
    beyond them ("24.50", "0.801", "12.3456")."""
    places = max(2, -rate.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"x {rate:.{places}f}p"


def assert_same_bills(accounts: list[Account]) -> dict[int, rating.Bill]:
    """Rate the chunk both ways; assert the same bills; return the reference's."""
    invoices, lines = bill_frame.rate_frame(**to_frames(accounts))
    by_account = {row["account_id"]: row for row in invoices.iter_rows(named=True)}
    bills = {}
    for account in accounts:
        invoice = by_account[account.account_id]
        engine_rows = (
            lines.filter(pl.col("account_id") == account.account_id).sort("position").to_dicts()
        )
        try:
            bill = rating.rate_bill(to_request(account))
        except ValueError as error:
            # What the reference refuses, the engine holds (it cannot raise mid-chunk).
            if "no Climate Change Levy rate" in str(error):
                assert invoice["missing_levy_rates"] > 0
            else:
                assert "no price in force on any day" in str(error)
                assert invoice["unpriced_consumptions"] > 0
            assert invoice["missing_rates"] > 0
            continue
        assert invoice["missing_rates"] == 0
        assert (
            invoice["net_pence"],
            invoice["ccl_pence"],
            invoice["vat_pence"],
            invoice["total_pence"],
        ) == (bill.net_pence, bill.ccl_pence, bill.vat_pence, bill.total_pence)
        assert [_engine_line(row) for row in engine_rows] == [
            _reference_line(line) for line in bill.lines
        ]
        for row, line in zip(engine_rows, bill.lines, strict=True):
            assert row["description"]
            assert len(row["description"]) <= 200
            if line.rate_pence is not None:
                shown = _rate_shown(line.rate_pence)
                assert shown in line.description
                assert shown in row["description"]
        bills[account.account_id] = bill
    return bills


# -- random bills --------------------------------------------------------------------

FIRST_BILL = datetime.date(2025, 6, 1)
LAST_BILL = datetime.date(2027, 3, 31)
standing_e4 = st.integers(min_value=0, max_value=1_000_000)  # up to 100p a day, 4 places
unit_rate_e4 = st.integers(min_value=0, max_value=600_000)  # up to 60p a kWh, 4 places


def kwh_milli(days: int) -> st.SearchStrategy[int]:
    """A consumption's kWh in thousandths: now and then a few thousandths (apportioning's
    rounding shows), else up to 300 kWh a day (a business over the de minimis, the levy)
    or anything up to 60,000 kWh."""
    return st.one_of(
        st.integers(min_value=0, max_value=3_000),
        st.tuples(
            st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=999)
        ).map(lambda per_day: per_day[0] * max(days, 1) * 1_000 + per_day[1]),
        st.integers(min_value=0, max_value=60_000_000),
    )


@st.composite
def meters(
    draw: st.DrawFn, *, meter_point_id: int, period_start: datetime.date, period_end: datetime.date
) -> Meter:
    fuel = draw(st.sampled_from(rating.FUELS))
    bands = draw(st.sampled_from([("ANYTIME",), ("DAY", "NIGHT")]))
    # Reads: a register's first read up to 18 months before the period, then one to
    # three more up to its end (two on one day make a same-day consumption).
    uses: list[Use] = []
    earliest = period_end
    for band in bands:
        first = (
            period_start
            - draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=548))) * DAY
        )
        span = (period_end - first).days
        later = sorted(
            first + offset * DAY
            for offset in draw(
                st.lists(st.integers(min_value=0, max_value=span), min_size=1, max_size=3)
            )
        )
        reads = [first, *later]
        earliest = min(earliest, first)
        uses.extend(
            Use(
                band=band,
                start=start,
                end=end,
                kwh_milli=draw(kwh_milli((end - start).days)),
                read_from=draw(st.sampled_from(READ_SOURCES)),
                read_to=draw(st.sampled_from(READ_SOURCES)),
            )
            for start, end in itertools.pairwise(reads)
        )
    # Prices: one or two segments, the first usually from before the first read (now
    # and then after it: days with no price), the change anywhere up to the period's
    # end; the last usually open, now and then closed (days with no price after it).
    late = draw(st.integers(min_value=0, max_value=11)) == 6  # 0, the simplest: not late
    first_price = (
        earliest
        + draw(
            st.integers(min_value=1, max_value=60)
            if late
            else st.integers(min_value=-60, max_value=0)
        )
        * DAY
    )
    starts = [first_price]
    if draw(st.booleans()):
        room = max(1, (period_end - first_price).days)
        starts.append(first_price + draw(st.integers(min_value=1, max_value=room + 30)) * DAY)
    last_end = None
    if draw(st.integers(min_value=0, max_value=11)) == 6:
        last_end = starts[-1] + draw(st.integers(min_value=1, max_value=400)) * DAY
    ends = [*starts[1:], last_end]
    prices = tuple(
        Price(
            start=start,
            end=end,
            standing_e4=draw(standing_e4),
            rates_e4={band: draw(unit_rate_e4) for band in bands},
        )
        for start, end in zip(starts, ends, strict=True)
    )
    return Meter(meter_point_id=meter_point_id, fuel=fuel, prices=prices, uses=tuple(uses))


@st.composite
def chunks(draw: st.DrawFn) -> list[Account]:
    accounts = []
    next_meter = 1
    for account_id in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
        bill_date = draw(st.dates(FIRST_BILL, LAST_BILL))
        period_end = bill_date - draw(st.integers(min_value=0, max_value=5)) * DAY
        period_start = (
            period_end
            - draw(st.one_of(st.integers(min_value=28, max_value=31), st.integers(1, 120))) * DAY
        )
        meter_list = []
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            meter_list.append(
                draw(
                    meters(
                        meter_point_id=next_meter,
                        period_start=period_start,
                        period_end=period_end,
                    )
                )
            )
            next_meter += 1
        accounts.append(
            Account(
                account_id=account_id * 10,
                kind=draw(st.sampled_from(rating.CUSTOMER_KINDS)),
                micro=draw(st.booleans()),
                bill_date=bill_date,
                period_start=period_start,
                period_end=period_end,
                meters=tuple(meter_list),
            )
        )
    return accounts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(accounts=chunks())
def test_the_engine_gives_the_reference_bills(accounts):
    assert_same_bills(accounts)


# -- explicit examples, hand-checked -------------------------------------------------


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def one(account: Account) -> rating.Bill:
    return assert_same_bills([account])[account.account_id]


def summary(bill: rating.Bill) -> list[tuple[object, ...]]:
    return [
        (line.kind, line.start_date, line.end_date, line.quantity, line.amount_pence)
        for line in bill.lines
    ]


def test_a_price_change_mid_consumption_apportions_with_a_remainder():
    # 100 kWh over 15 March - 15 April 2026 (31 days), the price changing on 1 April:
    # 100 x 17/31 = 54.8387... -> 54.839 at 25p = 1370.975 -> 1371; the remainder
    # 45.161 at 24.5p = 1106.4445 -> 1106. Standing 17 x 50p = 850, 14 x 48.5p = 679.
    # Net 850 + 679 + 1371 + 1106 = 4006; VAT 5% = 200.3 -> 200; total 4206.
    meter = Meter(
        1,
        "ELECTRICITY",
        (
            Price(day("2025-10-01"), day("2026-04-01"), 500_000, {"ANYTIME": 250_000}),
            Price(day("2026-04-01"), None, 485_000, {"ANYTIME": 245_000}),
        ),
        (Use("ANYTIME", day("2026-03-15"), day("2026-04-15"), 100_000),),
    )
    bill = one(
        Account(
            1,
            "RESIDENTIAL",
            False,
            day("2026-04-16"),
            day("2026-03-15"),
            day("2026-04-15"),
            (meter,),
        )
    )

    assert summary(bill) == [
        ("STANDING_CHARGE", day("2026-03-15"), day("2026-04-01"), Decimal(17), 850),
        ("STANDING_CHARGE", day("2026-04-01"), day("2026-04-15"), Decimal(14), 679),
        ("ENERGY", day("2026-03-15"), day("2026-04-01"), Decimal("54.839"), 1371),
        ("ENERGY", day("2026-04-01"), day("2026-04-15"), Decimal("45.161"), 1106),
        ("VAT", None, None, Decimal(5), 200),
    ]
    assert (bill.net_pence, bill.ccl_pence, bill.vat_pence, bill.total_pence) == (
        4006,
        0,
        200,
        4206,
    )


def test_a_consumption_across_the_back_billing_cutoff_and_a_price_change():
    # A micro-business billed on 1 June 2026: the cutoff is 1 June 2025. Its period runs
    # from 1 April 2025 (426 days). 39605 kWh from 1 May 2025 to 1 June 2026 (396 days)
    # are cut at the cutoff and at the price change on 1 April 2026:
    #   39605 x 31/396 = 3100.3914 -> 3100.391 kWh not charged (before the cutoff);
    #   39605 x 304/396 = 30403.8383 -> 30403.838 at 20p = 608076.76 -> 608077,
    #     levy on its last day, 31 March 2026: 0.775p;
    #   the remainder, 39605 - 3100.391 - 30403.838 = 6100.771 at 22p = 134216.962
    #     -> 134217, levy 0.801p.
    # Standing: 61 days before the cutoff dropped; 304 x 40p = 12160; 61 x 45p = 2745.
    # Charged 36504.609 kWh > 33 x 426 = 14058: 20% and the levy:
    #   30403.838 x 0.775 = 23562.97445 -> 23563; 6100.771 x 0.801 = 4886.717571 -> 4887.
    # Net 12160 + 2745 + 608077 + 134217 = 757199; CCL 28450;
    # VAT 20% of 785649 = 157129.8 -> 157130; total 942779.
    meter = Meter(
        7,
        "ELECTRICITY",
        (
            Price(day("2025-01-01"), day("2026-04-01"), 400_000, {"ANYTIME": 200_000}),
            Price(day("2026-04-01"), None, 450_000, {"ANYTIME": 220_000}),
        ),
        (Use("ANYTIME", day("2025-05-01"), day("2026-06-01"), 39_605_000),),
    )
    bill = one(
        Account(
            3, "BUSINESS", True, day("2026-06-01"), day("2025-04-01"), day("2026-06-01"), (meter,)
        )
    )

    assert summary(bill) == [
        ("STANDING_CHARGE", day("2025-06-01"), day("2026-04-01"), Decimal(304), 12160),
        ("STANDING_CHARGE", day("2026-04-01"), day("2026-06-01"), Decimal(61), 2745),
        ("ENERGY", day("2025-06-01"), day("2026-04-01"), Decimal("30403.838"), 608077),
        ("ENERGY", day("2026-04-01"), day("2026-06-01"), Decimal("6100.771"), 134217),
        ("BACK_BILLING", day("2025-04-01"), day("2025-06-01"), Decimal("3100.391"), 0),
        ("CCL", day("2025-06-01"), day("2026-04-01"), Decimal("30403.838"), 23563),
        ("CCL", day("2026-04-01"), day("2026-06-01"), Decimal("6100.771"), 4887),
        ("VAT", None, None, Decimal(20), 157130),
    ]
    assert [line.rate_pence for line in bill.lines if line.kind == "CCL"] == [
        Decimal("0.775"),
        Decimal("0.801"),
    ]
    assert (bill.net_pence, bill.ccl_pence, bill.vat_pence, bill.total_pence) == (
        757199,
        28450,
        157130,
        942779,
    )


def _business_month(kwh_milli: int) -> Account:
    # May 2026, 31 days; 33 kWh a day is 1023 kWh.
    meter = Meter(
        2,
        "ELECTRICITY",
        (Price(day("2026-01-01"), None, 600_000, {"ANYTIME": 225_000}),),
        (Use("ANYTIME", day("2026-05-01"), day("2026-06-01"), kwh_milli),),
    )
    return Account(
        5, "BUSINESS", False, day("2026-06-02"), day("2026-05-01"), day("2026-06-01"), (meter,)
    )


def test_exactly_33_kwh_a_day_is_de_minimis_and_a_thousandth_more_is_not():
    # 1023 x 22.5p = 23017.5 -> 23018; standing 31 x 60p = 1860; VAT 5% of 24878 =
    # 1243.9 -> 1244. One thousandth more: 20%, and the levy 1023.001 x 0.801 =
    # 819.4238 -> 819; VAT 20% of 1860 + 23018 + 819 = 25697 -> 5139.4 -> 5139.
    at_limit = one(_business_month(1_023_000))
    above = one(_business_month(1_023_001))

    assert [(line.kind, line.amount_pence, line.vat_rate) for line in at_limit.lines] == [
        ("STANDING_CHARGE", 1860, 5),
        ("ENERGY", 23018, 5),
        ("VAT", 1244, 0),
    ]
    assert [(line.kind, line.amount_pence, line.vat_rate) for line in above.lines] == [
        ("STANDING_CHARGE", 1860, 20),
        ("ENERGY", 23018, 20),
        ("CCL", 819, 20),
        ("VAT", 5139, 0),
    ]


def test_same_day_consumptions_are_priced_and_back_billed_on_their_day():
    # A home billed on 16 April 2026 (cutoff 16 April 2025). Reads on the same day:
    # 3 kWh on 1 April 2026, the day the price changes, at the new 24.5p = 73.5 -> 74;
    # 2 kWh on 10 April 2025, before the cutoff: not charged, a back-billing line dated
    # that day. Standing 17 x 50p = 850 and 14 x 48.5p = 679. VAT 5% of 1603 = 80.15 -> 80.
    meter = Meter(
        4,
        "ELECTRICITY",
        (
            Price(day("2025-01-01"), day("2026-04-01"), 500_000, {"ANYTIME": 250_000}),
            Price(day("2026-04-01"), None, 485_000, {"ANYTIME": 245_000}),
        ),
        (
            Use("ANYTIME", day("2025-04-10"), day("2025-04-10"), 2_000),
            Use("ANYTIME", day("2026-04-01"), day("2026-04-01"), 3_000, "SMART", "SMART"),
        ),
    )
    bill = one(
        Account(
            9,
            "RESIDENTIAL",
            False,
            day("2026-04-16"),
            day("2026-03-15"),
            day("2026-04-15"),
            (meter,),
        )
    )

    assert summary(bill) == [
        ("STANDING_CHARGE", day("2026-03-15"), day("2026-04-01"), Decimal(17), 850),
        ("STANDING_CHARGE", day("2026-04-01"), day("2026-04-15"), Decimal(14), 679),
        ("ENERGY", day("2026-04-01"), day("2026-04-01"), Decimal(3), 74),
        ("BACK_BILLING", day("2025-04-10"), day("2025-04-10"), Decimal(2), 0),
        ("VAT", None, None, Decimal(5), 80),
    ]


def test_energy_on_days_without_a_price_goes_to_the_days_with_one():
    # Priced from 1 April 2026 only: 1 kWh read over 15 March - 15 April is charged
    # whole over the 14 priced days: 1 x 24.5p = 24.5 -> 25. A consumption with no
    # priced day at all: the reference refuses it, the engine holds the bill.
    meter = Meter(
        6,
        "ELECTRICITY",
        (Price(day("2026-04-01"), None, 485_000, {"ANYTIME": 245_000}),),
        (Use("ANYTIME", day("2026-03-15"), day("2026-04-15"), 1_000),),
    )
    account = Account(
        2, "RESIDENTIAL", False, day("2026-04-16"), day("2026-03-15"), day("2026-04-15"), (meter,)
    )
    unpriced = dataclasses.replace(
        account,
        account_id=4,
        meters=(
            dataclasses.replace(
                meter, uses=(Use("ANYTIME", day("2026-03-15"), day("2026-03-31"), 1_000),)
            ),
        ),
    )

    bills = assert_same_bills([account, unpriced])

    assert summary(bills[2])[1] == (
        "ENERGY",
        day("2026-04-01"),
        day("2026-04-15"),
        Decimal(1),
        25,
    )
    assert 4 not in bills


def test_business_energy_before_the_levy_table_is_refused_or_held():
    # The levy's table starts on 1 April 2022: a large business's kWh of March 2022
    # have no rate. The reference raises; the engine holds the bill (missing_rates).
    meter = Meter(
        8,
        "GAS",
        (Price(day("2021-01-01"), None, 300_000, {"ANYTIME": 60_000}),),
        (Use("ANYTIME", day("2022-03-01"), day("2022-03-31"), 90_000_000),),
    )
    account = Account(
        6, "BUSINESS", False, day("2022-04-01"), day("2022-03-01"), day("2022-04-01"), (meter,)
    )

    assert assert_same_bills([account]) == {}
