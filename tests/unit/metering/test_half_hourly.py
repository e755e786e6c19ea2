"""Half-hourly days: how many periods a UK day has, and which days are refused."""

from __future__ import annotations

import datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.metering.domain import half_hourly

TODAY = datetime.date(2026, 11, 23)
SPRING_FORWARD = datetime.date(2026, 3, 29)
FALL_BACK = datetime.date(2026, 10, 25)
ORDINARY = datetime.date(2026, 6, 1)


class TestPeriodsInDay:
    @pytest.mark.parametrize(
        ("day", "periods"),
        [
            (SPRING_FORWARD, 46),
            (FALL_BACK, 50),
            (ORDINARY, 48),
            (datetime.date(2026, 3, 28), 48),
            (datetime.date(2026, 10, 26), 48),
            (datetime.date(2025, 3, 30), 46),
            (datetime.date(2025, 10, 26), 50),
        ],
    )
    def test_a_day_has_its_settlement_periods(self, day, periods):
        assert half_hourly.periods_in_day(day) == periods

    @given(st.dates(min_value=datetime.date(1997, 1, 1), max_value=datetime.date(2060, 12, 31)))
    def test_the_set_based_rule_agrees_with_the_time_zone(self, day):
        frame = pl.DataFrame({"day": [day]}).select(half_hourly.periods_in_days(pl.col("day")))

        assert frame.item() == half_hourly.periods_in_day(day)


class TestPacking:
    @given(st.lists(st.integers(min_value=0, max_value=half_hourly.LARGEST_WH), max_size=50))
    def test_values_come_back_as_they_went(self, values):
        packed = half_hourly.pack(values)

        assert len(packed) == 4 * len(values)
        assert half_hourly.unpack(packed) == values

    def test_values_are_little_endian_32_bit(self):
        assert half_hourly.pack([1, 256]) == b"\x01\x00\x00\x00\x00\x01\x00\x00"


def judge(*days, ceiling_wh=None):
    """Judge (meter point id, day, values) tuples; return (status, rule) per day."""
    candidates = pl.DataFrame(
        [
            {"row": row, "meter_point_id": point, "day": day, "values": values}
            for row, (point, day, values) in enumerate(days)
        ],
        schema=half_hourly.CANDIDATE_SCHEMA,
    )
    judged = half_hourly.assess(candidates, today=TODAY, ceiling_wh=ceiling_wh)
    return list(judged.select("status", "rule").iter_rows())


class TestAssess:
    def test_a_full_ordinary_day_is_accepted_with_its_total(self):
        candidates = pl.DataFrame(
            [{"row": 0, "meter_point_id": 1, "day": ORDINARY, "values": [10] * 48}],
            schema=half_hourly.CANDIDATE_SCHEMA,
        )

        judged = half_hourly.assess(candidates, today=TODAY)

        assert judged.select("status", "rule", "message", "periods", "total_wh").row(0) == (
            "ACCEPTED",
            "",
            "",
            48,
            480,
        )

    def test_clock_change_days_take_46_and_50_values(self):
        assert judge((1, SPRING_FORWARD, [1] * 46), (1, FALL_BACK, [1] * 50)) == [
            ("ACCEPTED", ""),
            ("ACCEPTED", ""),
        ]

    @pytest.mark.parametrize(
        ("day", "count"), [(SPRING_FORWARD, 48), (FALL_BACK, 48), (ORDINARY, 47), (ORDINARY, 50)]
    )
    def test_the_wrong_number_of_values_is_refused(self, day, count):
        assert judge((1, day, [1] * count)) == [("REFUSED", "wrong_period_count")]

    def test_no_values_at_all_is_the_wrong_count(self):
        assert judge((1, ORDINARY, None)) == [("REFUSED", "wrong_period_count")]

    def test_a_missing_value_is_refused(self):
        assert judge((1, ORDINARY, [1] * 47 + [None])) == [("REFUSED", "missing_value")]

    def test_a_negative_value_is_refused(self):
        assert judge((1, ORDINARY, [1] * 47 + [-1])) == [("REFUSED", "negative_value")]

    def test_a_value_above_the_ceiling_is_refused(self):
        values = [1] * 47 + [5_001]

        assert judge((1, ORDINARY, values), ceiling_wh=5_000) == [("REFUSED", "implausible_value")]
        assert judge((1, ORDINARY, values)) == [("ACCEPTED", "")]

    def test_a_value_too_large_to_store_is_refused_without_a_ceiling(self):
        values = [1] * 47 + [half_hourly.LARGEST_WH + 1]

        assert judge((1, ORDINARY, values)) == [("REFUSED", "implausible_value")]

    def test_today_and_future_days_are_refused(self):
        assert judge((1, TODAY, [1] * 48), (1, TODAY + datetime.timedelta(days=1), [1] * 48)) == [
            ("REFUSED", "day_not_over"),
            ("REFUSED", "future_day"),
        ]

    def test_an_unknown_meter_point_is_refused_first(self):
        assert judge((None, TODAY, [-1])) == [("REFUSED", "unknown_meter_point")]

    def test_a_day_repeated_in_the_batch_is_refused_after_the_first(self):
        assert judge((1, ORDINARY, [1] * 48), (2, ORDINARY, [1] * 48), (1, ORDINARY, [2] * 48)) == [
            ("ACCEPTED", ""),
            ("ACCEPTED", ""),
            ("REFUSED", "repeated_in_batch"),
        ]

    def test_every_refusal_has_a_message(self):
        judged = half_hourly.assess(
            pl.DataFrame(
                [{"row": 0, "meter_point_id": 1, "day": ORDINARY, "values": [1]}],
                schema=half_hourly.CANDIDATE_SCHEMA,
            ),
            today=TODAY,
        )

        assert judged["message"].item() == half_hourly.MESSAGES["wrong_period_count"]
        assert all(half_hourly.MESSAGES.values())


def test_kwh_keeps_the_watt_hours():
    assert str(half_hourly.kwh(12_345)) == "12.345"
