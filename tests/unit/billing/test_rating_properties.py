"""Properties of rating that hold for any bill: kWh are neither lost nor made by
apportioning, the totals add up, and rating is a function of its request alone."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kilowatt.billing.domain import back_billing, rating

BANDS = ("ANYTIME", "DAY", "NIGHT")
DAY = datetime.timedelta(days=1)

pence_rates = st.integers(min_value=0, max_value=10_000).map(
    lambda hundredths: Decimal(hundredths) / 100
)
kwh_values = st.integers(min_value=0, max_value=10**8).map(lambda milli: Decimal(milli) / 1000)


@st.composite
def bill_requests(draw) -> rating.BillRequest:
    period_start = draw(st.dates(datetime.date(2026, 4, 1), datetime.date(2028, 12, 31)))
    period_end = period_start + draw(st.integers(min_value=1, max_value=400)) * DAY
    first_priced = period_start - 200 * DAY
    horizon = (period_end - first_priced).days + 30

    supplies = []
    for number in range(draw(st.integers(min_value=0, max_value=3))):
        offsets = sorted(
            set(draw(st.lists(st.integers(min_value=1, max_value=horizon), max_size=4)))
        )
        starts = [first_priced, *(first_priced + offset * DAY for offset in offsets)]
        prices = [
            rating.PriceSegment(
                start=start,
                end=end,
                standing_charge_pence_per_day=draw(pence_rates),
                unit_rates={band: draw(pence_rates) for band in BANDS},
            )
            for start, end in zip(starts, [*starts[1:], None], strict=True)
        ]
        meter_point = f"MP{number}"
        consumptions = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            start = first_priced + draw(st.integers(min_value=0, max_value=horizon - 30)) * DAY
            consumptions.append(
                rating.Consumption(
                    meter_point=meter_point,
                    band=draw(st.sampled_from(BANDS)),
                    start=start,
                    end=start + draw(st.integers(min_value=0, max_value=200)) * DAY,
                    kwh=draw(kwh_values),
                    read_from=draw(st.sampled_from(["ACTUAL", "CUSTOMER", "SMART", "ESTIMATE"])),
                    read_to=draw(st.sampled_from(["ACTUAL", "CUSTOMER", "SMART", "ESTIMATE"])),
                )
            )
        supplies.append(
            rating.Supply(
                meter_point=meter_point,
                fuel=draw(st.sampled_from(rating.FUELS)),
                prices=prices,
                consumptions=consumptions,
            )
        )
    credits = draw(
        st.lists(
            st.builds(
                rating.Credit,
                kind=st.sampled_from(rating.CREDIT_KINDS),
                description=st.just("A credit"),
                amount_pence=st.integers(min_value=1, max_value=100_000),
            ),
            max_size=2,
        )
    )
    return rating.BillRequest(
        customer_kind=draw(st.sampled_from(rating.CUSTOMER_KINDS)),
        is_micro_business=draw(st.booleans()),
        bill_date=period_end + draw(st.integers(min_value=0, max_value=60)) * DAY,
        period_start=period_start,
        period_end=period_end,
        supplies=supplies,
        credits=tuple(credits),
        back_billing_obstructed=draw(st.booleans()),
    )


@given(
    kwh=kwh_values,
    days=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=6),
)
def test_apportioned_parts_sum_exactly_to_the_kwh(kwh, days):
    parts = rating.apportion(kwh, days)

    assert len(parts) == len(days)
    assert sum(parts) == kwh
    assert all(part == part.quantize(Decimal("0.001")) for part in parts)


@given(request=bill_requests())
def test_every_kwh_is_charged_or_shown_as_not_charged(request):
    bill = rating.rate_bill(request)

    for supply in request.supplies:
        lines = [line for line in bill.lines if line.meter_point == supply.meter_point]
        shown = sum(line.quantity for line in lines if line.kind in {"ENERGY", "BACK_BILLING"})
        assert shown == sum(consumption.kwh for consumption in supply.consumptions)


@given(request=bill_requests())
def test_the_total_is_net_plus_levy_plus_vat(request):
    bill = rating.rate_bill(request)

    def sum_of(*kinds: str) -> int:
        return sum(line.amount_pence for line in bill.lines if line.kind in kinds)

    assert bill.total_pence == bill.net_pence + bill.ccl_pence + bill.vat_pence
    assert bill.net_pence == sum_of("STANDING_CHARGE", "ENERGY", "CREDIT", "COMPENSATION")
    assert bill.ccl_pence == sum_of("CCL")
    assert bill.vat_pence == sum_of("VAT")
    assert [line.position for line in bill.lines] == list(range(1, len(bill.lines) + 1))


@given(request=bill_requests())
def test_the_same_request_rated_twice_gives_the_same_bill(request):
    assert rating.rate_bill(request) == rating.rate_bill(request)


@given(request=bill_requests())
def test_lines_fit_their_columns_and_taxes_follow_the_supply(request):
    bill = rating.rate_bill(request)
    protected = back_billing.protects(
        customer_kind=request.customer_kind,
        is_micro_business=request.is_micro_business,
        obstructed=request.back_billing_obstructed,
    )

    for line in bill.lines:
        assert len(line.description) <= 200
        assert line.quantity is None or line.quantity == line.quantity.quantize(Decimal("0.001"))
        assert line.vat_rate in (0, 5, 20)
        if line.kind == "CCL":
            assert request.customer_kind == "BUSINESS"
    assert protected or not any(line.kind == "BACK_BILLING" for line in bill.lines)
    if not protected:
        for supply in request.supplies:
            days = sum(
                line.quantity
                for line in bill.lines
                if line.kind == "STANDING_CHARGE" and line.meter_point == supply.meter_point
            )
            assert days == (request.period_end - request.period_start).days
    vat_rates = [line.quantity for line in bill.lines if line.kind == "VAT"]
    assert vat_rates == sorted(vat_rates)
