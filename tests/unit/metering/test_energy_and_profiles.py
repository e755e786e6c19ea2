"""Energy arithmetic and the seasonal profile: hand-checked figures and properties."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.metering.domain import energy, profiles


class TestKwhFromAdvance:
    def test_electricity_is_already_kwh(self):
        assert energy.kwh_from_advance(
            advance=Decimal("250.5"), units="KWH", calorific_value=None
        ) == Decimal("250.500")

    def test_metric_gas_uses_volume_correction_and_calorific_value(self):
        # 100 m3 x 1.02264 x 39.2 / 3.6 = 1113.541...
        kwh = energy.kwh_from_advance(
            advance=Decimal(100), units="METRIC", calorific_value=Decimal("39.2")
        )

        assert kwh == Decimal("1113.541")

    def test_imperial_gas_is_hundreds_of_cubic_feet(self):
        # 10 x 2.83 = 28.3 m3; x 1.02264 x 40 / 3.6 = 321.563...
        kwh = energy.kwh_from_advance(
            advance=Decimal(10), units="IMPERIAL", calorific_value=Decimal(40)
        )

        assert kwh == Decimal("321.563")

    def test_gas_without_a_calorific_value_is_an_error(self):
        with pytest.raises(ValueError, match="calorific value"):
            energy.kwh_from_advance(advance=Decimal(1), units="METRIC", calorific_value=None)

    @given(
        advance_milli=st.integers(min_value=0, max_value=10**12),
        units=st.sampled_from(["KWH", "METRIC", "IMPERIAL"]),
        cv_milli=st.integers(min_value=30_000, max_value=50_000),
    )
    def test_the_column_form_agrees_with_decimal_to_the_thousandth(
        self, advance_milli, units, cv_milli
    ):
        frame = pl.DataFrame({"a": [advance_milli], "u": [units], "cv": [cv_milli]})

        column = frame.select(
            energy.kwh_milli_expr(
                advance_milli=pl.col("a"), units=pl.col("u"), cv_milli=pl.col("cv")
            )
        ).item()

        scalar = energy.kwh_from_advance(
            advance=Decimal(advance_milli) / 1000,
            units=units,
            calorific_value=Decimal(cv_milli) / 1000,
        )
        assert Decimal(column) / 1000 == scalar


class TestShareOfYear:
    @given(
        start=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2060, 1, 1)),
        fuel=st.sampled_from(["ELECTRICITY", "GAS"]),
    )
    def test_a_whole_year_is_about_one(self, start, fuel):
        share = profiles.share_of_year(
            fuel=fuel, start=start, end=start + datetime.timedelta(days=365)
        )

        assert share == pytest.approx(1.0, abs=0.01)

    def test_gas_winter_outweighs_summer(self):
        january = profiles.share_of_year(
            fuel="GAS", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1)
        )
        july = profiles.share_of_year(
            fuel="GAS", start=datetime.date(2026, 7, 1), end=datetime.date(2026, 8, 1)
        )

        assert january > 2 * july

    @given(
        start=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2060, 1, 1)),
        days=st.integers(min_value=1, max_value=800),
    )
    def test_the_column_form_agrees_with_the_scalar(self, start, days):
        end = start + datetime.timedelta(days=days)
        frame = pl.DataFrame({"f": ["GAS"], "s": [start], "e": [end]})

        column = frame.select(
            profiles.share_of_year_expr(fuel=pl.col("f"), start=pl.col("s"), end=pl.col("e"))
        ).item()

        assert column == pytest.approx(profiles.share_of_year(fuel="GAS", start=start, end=end))
