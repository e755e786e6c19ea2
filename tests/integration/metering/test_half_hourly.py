"""Recording half-hourly days and reading consumption back, on the real database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
import pytest

from kilowatt.metering import models, operations, queries
from kilowatt.platform.errors import InvalidInput
from tests.factories import supply

pytestmark = pytest.mark.django_db
AS_AT = supply.AS_AT  # 2026-11-23
DAY = datetime.date(2026, 6, 1)


def record(*days, reference="smart-1", ceiling_wh=None):
    """Record (meter point identifier, day, values) tuples; return (status, rule) each."""
    batch = pl.DataFrame(
        [{"meter_point": point, "day": day, "values": values} for point, day, values in days],
        schema=operations.HALF_HOURLY_SCHEMA,
    )
    outcomes = operations.record_half_hourly_days(
        batch=batch, received_by="test", reference=reference, as_at=AS_AT, ceiling_wh=ceiling_wh
    )
    return list(outcomes.select("status", "rule").iter_rows())


class TestRecordHalfHourlyDays:
    def test_a_day_is_accepted_and_stored_packed_with_its_total(self):
        point = supply.meter_point(profile_class="00")
        values = list(range(48))

        assert record((point.identifier, DAY, values)) == [("ACCEPTED", "")]

        stored = models.HalfHourlyDay.objects.get(meter_point=point, day=DAY)
        assert (stored.periods, stored.total_wh, stored.reference) == (48, sum(values), "smart-1")
        assert queries.half_hourly_values(meter_point_id=point.id, day=DAY) == values

    def test_clock_change_days_are_stored_with_their_periods(self):
        point = supply.meter_point()

        outcomes = record(
            (point.identifier, datetime.date(2026, 3, 29), [1] * 46),
            (point.identifier, datetime.date(2026, 10, 25), [2] * 50),
        )

        assert outcomes == [("ACCEPTED", ""), ("ACCEPTED", "")]
        assert (
            queries.half_hourly_values(meter_point_id=point.id, day=datetime.date(2026, 10, 25))
            == [2] * 50
        )

    def test_the_same_day_again_is_a_duplicate_and_changes_nothing(self):
        point = supply.meter_point()
        record((point.identifier, DAY, [5] * 48))
        first = models.HalfHourlyDay.objects.get(meter_point=point, day=DAY)

        assert record((point.identifier, DAY, [5] * 48), reference="smart-2") == [("DUPLICATE", "")]

        again = models.HalfHourlyDay.objects.get(meter_point=point, day=DAY)
        assert (again.id, again.reference) == (first.id, "smart-1")

    def test_other_values_for_a_stored_day_replace_it(self):
        point = supply.meter_point()
        record((point.identifier, DAY, [5] * 48))

        assert record((point.identifier, DAY, [7] * 48), reference="smart-2") == [("REPLACED", "")]

        stored = models.HalfHourlyDay.objects.get(meter_point=point, day=DAY)
        assert (stored.total_wh, stored.reference) == (7 * 48, "smart-2")
        assert queries.half_hourly_values(meter_point_id=point.id, day=DAY) == [7] * 48

    def test_the_wrong_number_of_values_is_refused_and_not_stored(self):
        point = supply.meter_point()

        assert record((point.identifier, datetime.date(2026, 3, 29), [1] * 48)) == [
            ("REFUSED", "wrong_period_count")
        ]
        assert not models.HalfHourlyDay.objects.filter(meter_point=point).exists()

    def test_an_unknown_meter_point_is_refused(self):
        assert record(("1999999999999", DAY, [1] * 48)) == [("REFUSED", "unknown_meter_point")]

    def test_a_batch_mixes_outcomes_in_its_own_order_with_messages(self):
        point = supply.meter_point()
        record((point.identifier, DAY, [1] * 48))
        batch = pl.DataFrame(
            [
                {"meter_point": point.identifier, "day": DAY, "values": [1] * 48},
                {"meter_point": "1999999999999", "day": DAY, "values": [1] * 48},
                {
                    "meter_point": f" {point.identifier} ",
                    "day": DAY + datetime.timedelta(1),
                    "values": [1] * 47 + [-1],
                },
                {
                    "meter_point": point.identifier,
                    "day": DAY + datetime.timedelta(2),
                    "values": [9_000] * 48,
                },
                {
                    "meter_point": point.identifier,
                    "day": DAY + datetime.timedelta(3),
                    "values": [1] * 48,
                },
            ],
            schema=operations.HALF_HOURLY_SCHEMA,
        )

        outcomes = operations.record_half_hourly_days(
            batch=batch, received_by="test", as_at=AS_AT, ceiling_wh=5_000
        )

        assert outcomes["row"].to_list() == [0, 1, 2, 3, 4]
        assert outcomes["status"].to_list() == [
            "DUPLICATE",
            "REFUSED",
            "REFUSED",
            "REFUSED",
            "ACCEPTED",
        ]
        assert outcomes["rule"].to_list() == [
            "",
            "unknown_meter_point",
            "negative_value",
            "implausible_value",
            "",
        ]
        assert outcomes["message"][1] == "We do not supply that meter point."
        assert models.HalfHourlyDay.objects.filter(meter_point=point).count() == 2

    def test_a_batch_without_values_is_invalid_input(self):
        with pytest.raises(InvalidInput):
            operations.record_half_hourly_days(
                batch=pl.DataFrame({"meter_point": ["1"], "day": [DAY]}),
                received_by="test",
                as_at=AS_AT,
            )

    def test_an_empty_batch_records_nothing(self):
        outcomes = operations.record_half_hourly_days(
            batch=pl.DataFrame(schema=operations.HALF_HOURLY_SCHEMA),
            received_by="test",
            as_at=AS_AT,
        )

        assert outcomes.is_empty()


class TestConsumption:
    @pytest.fixture
    def point(self):
        point = supply.meter_point()
        other = supply.meter_point()
        record(
            (point.identifier, datetime.date(2026, 9, 30), [100] * 48),
            (point.identifier, datetime.date(2026, 10, 1), [250] * 48),
            (point.identifier, datetime.date(2026, 10, 25), [10] * 50),
            (point.identifier, datetime.date(2026, 11, 1), [1] * 48),
            (other.identifier, datetime.date(2026, 10, 1), [999] * 48),
        )
        return point

    def test_daily_consumption_is_kwh_per_day_in_the_half_open_range(self, point):
        days = queries.daily_consumption(
            meter_point_id=point.id,
            start=datetime.date(2026, 10, 1),
            end=datetime.date(2026, 11, 1),
        )

        assert [(d.start, d.kwh) for d in days] == [
            (datetime.date(2026, 10, 1), Decimal("12.000")),
            (datetime.date(2026, 10, 25), Decimal("0.500")),
        ]

    def test_monthly_consumption_sums_the_days_of_each_month(self, point):
        months = queries.monthly_consumption(
            meter_point_id=point.id,
            start=datetime.date(2026, 9, 1),
            end=datetime.date(2026, 12, 1),
        )

        assert [(m.start, m.kwh, m.days) for m in months] == [
            (datetime.date(2026, 9, 1), Decimal("4.800"), 1),
            (datetime.date(2026, 10, 1), Decimal("12.500"), 2),
            (datetime.date(2026, 11, 1), Decimal("0.048"), 1),
        ]

    def test_a_range_without_data_is_empty(self, point):
        assert (
            queries.monthly_consumption(
                meter_point_id=point.id,
                start=datetime.date(2025, 1, 1),
                end=datetime.date(2025, 2, 1),
            )
            == []
        )
