"""EAC/AA and AQ recalculation, and estimated reads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
import pytest

from kilowatt.metering.domain import estimates, profiles, settlement


def _reads(**columns):
    base = {
        "fuel": ["ELECTRICITY"],
        "previous_date": [datetime.date(2026, 1, 1)],
        "read_date": [datetime.date(2027, 1, 1)],
        "consumption_milli": [3_000_000],
        "annual_kwh": [2900.0],
    }
    return pl.DataFrame({**base, **{key: [value] for key, value in columns.items()}})


class TestRecalculate:
    def test_a_year_long_period_replaces_the_eac_with_the_annualised_advance(self):
        (row,) = settlement.recalculate(_reads()).iter_rows(named=True)

        share = profiles.share_of_year(
            fuel="ELECTRICITY", start=datetime.date(2026, 1, 1), end=datetime.date(2027, 1, 1)
        )
        assert row["annualised_kwh"] == pytest.approx(round(3000 / share, 1))
        assert row["new_kwh"] == row["annualised_kwh"]  # W = 2 x min(share, 0.5) = 1
        assert row["flagged"] == ""

    def test_a_short_period_blends_with_the_old_eac(self):
        (row,) = settlement.recalculate(
            _reads(read_date=datetime.date(2026, 2, 1), consumption_milli=300_000)
        ).iter_rows(named=True)

        share = profiles.share_of_year(
            fuel="ELECTRICITY", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1)
        )
        weight = 2 * share
        assert row["new_kwh"] == pytest.approx(
            weight * (300 / share) + (1 - weight) * 2900, abs=0.1
        )

    def test_a_large_change_is_applied_and_flagged(self):
        (row,) = settlement.recalculate(_reads(consumption_milli=9_000_000)).iter_rows(named=True)

        assert row["flagged"] == settlement.FLAG_LARGE_CHANGE
        assert row["new_kwh"] > 8000

    def test_a_zero_result_is_flagged_and_not_applied(self):
        (row,) = settlement.recalculate(_reads(consumption_milli=0)).iter_rows(named=True)

        assert (row["flagged"], row["new_kwh"]) == (settlement.FLAG_NOT_POSITIVE, 2900.0)

    def test_gas_needs_a_month_of_reads_for_a_new_aq(self):
        short = _reads(fuel="GAS", read_date=datetime.date(2026, 1, 20), annual_kwh=12000.0)

        assert settlement.recalculate(short).is_empty()


class TestEstimate:
    def test_an_estimate_follows_the_eac_and_profile(self):
        estimate = estimates.estimate_register_value(
            fuel="ELECTRICITY",
            units="KWH",
            digits=5,
            annual_kwh=Decimal(3650),
            calorific_value=None,
            last_value=Decimal(1000),
            last_date=datetime.date(2026, 1, 1),
            on=datetime.date(2027, 1, 1),
        )

        share = profiles.share_of_year(
            fuel="ELECTRICITY", start=datetime.date(2026, 1, 1), end=datetime.date(2027, 1, 1)
        )
        assert estimate.value == 1000 + int(3650 * share)  # to the whole unit below
        assert estimate.value == Decimal(4647)
        assert not estimate.rolled_over

    def test_an_estimate_wraps_like_the_meter(self):
        estimate = estimates.estimate_register_value(
            fuel="ELECTRICITY",
            units="KWH",
            digits=4,
            annual_kwh=Decimal(3650),
            calorific_value=None,
            last_value=Decimal(9000),
            last_date=datetime.date(2026, 1, 1),
            on=datetime.date(2027, 1, 1),
        )

        assert (estimate.value, estimate.rolled_over) == (Decimal(2647), True)  # 9000 + 3647

    def test_twelve_months_without_an_actual_read_is_a_must_read(self):
        today = datetime.date(2026, 11, 23)

        assert estimates.is_must_read(
            last_actual_date=datetime.date(2025, 11, 23),
            supply_start=datetime.date(2020, 1, 1),
            today=today,
        )
        assert not estimates.is_must_read(
            last_actual_date=datetime.date(2025, 11, 24),
            supply_start=datetime.date(2020, 1, 1),
            today=today,
        )


class TestGasEstimates:
    def test_a_gas_estimate_turns_the_aq_into_whole_cubic_metres(self):
        start, on = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)

        estimate = estimates.estimate_register_value(
            fuel="GAS",
            units="METRIC",
            digits=5,
            annual_kwh=Decimal(12000),
            calorific_value=Decimal("39.2"),
            last_value=Decimal("500.5"),
            last_date=start,
            on=on,
        )

        # January's share of a gas year, in kWh, over 1.02264 x 39.2 / 3.6 kWh a m3
        kwh = Decimal(12000) * Decimal(str(profiles.share_of_year(fuel="GAS", start=start, end=on)))
        cubic_metres = int(kwh / (Decimal("1.02264") * Decimal("39.2") / Decimal("3.6")))
        assert cubic_metres == 145  # 1,622.3 kWh of a 12,000 kWh year
        assert estimate.value == 500 + cubic_metres  # the last read's whole units, onwards
        assert estimate.consumption_kwh == Decimal("1614.635")  # 145 m3 x 11.1354133...

    def test_gas_without_a_calorific_value_cannot_be_estimated(self):
        with pytest.raises(ValueError):
            estimates.estimate_register_value(
                fuel="GAS",
                units="METRIC",
                digits=5,
                annual_kwh=Decimal(12000),
                calorific_value=None,
                last_value=Decimal(1),
                last_date=datetime.date(2026, 1, 1),
                on=datetime.date(2026, 2, 1),
            )
