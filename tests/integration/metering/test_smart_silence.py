"""Finding the smart meters that stopped sending data, on the real database, and the one
event a detection run announces."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
import pytest

from kilowatt.metering import models, operations, queries
from kilowatt.metering.operations import _smart_silence
from kilowatt.platform.errors import InvalidInput
from kilowatt.platform.models import OutboxEvent
from tests.factories import supply

pytestmark = pytest.mark.django_db
AS_AT = supply.AS_AT  # 2026-11-23 09:00 UTC
TODAY = datetime.date(2026, 11, 23)
CUTOFF = TODAY - datetime.timedelta(days=3)  # heard from on or after 20 Nov: not silent
EVENT = "metering.smart_meter.silent.v1"


def smart_point(*, installed: datetime.date | None = None, **kwargs) -> models.MeterPoint:
    """A supplied electricity meter point whose one meter is smart."""
    point = supply.meter_point(**kwargs)
    changes: dict = {"type": models.Meter.Type.SMART}
    if installed is not None:
        changes["installed_date"] = installed
    models.Meter.objects.filter(meter_point=point).update(**changes)
    return point


def half_hourly(point: models.MeterPoint, day: datetime.date) -> None:
    batch = pl.DataFrame(
        [{"meter_point": point.identifier, "day": day, "values": [10] * 48}],
        schema=operations.HALF_HOURLY_SCHEMA,
    )
    outcomes = operations.record_half_hourly_days(
        batch=batch, received_by="dcc", reference="smart-batch", as_at=AS_AT
    )
    assert outcomes["status"].to_list() == ["ACCEPTED"]


def read(point: models.MeterPoint, day: datetime.date, value: str, *, source: str) -> None:
    (outcome,) = operations.record_reads(
        reads=[
            operations.ReadIn(
                meter_point=point.identifier,
                read_at=datetime.datetime.combine(day, datetime.time(6), tzinfo=datetime.UTC),
                value=Decimal(value),
            )
        ],
        source=source,
        received_by="test",
        as_at=AS_AT,
    )
    assert outcome.status == "ACCEPTED", outcome


def silent_ids(silent_days: int = 3) -> list[int]:
    return [
        point.meter_point_id
        for point in queries.silent_smart_meter_points(today=TODAY, silent_days=silent_days)
    ]


class TestWhoIsSilent:
    def test_a_smart_meter_quiet_for_the_days_allowed_is_silent_and_says_when_last_heard(self):
        point = smart_point()
        half_hourly(point, CUTOFF - datetime.timedelta(days=1))

        (found,) = queries.silent_smart_meter_points(today=TODAY, silent_days=3)

        assert (found.meter_point_id, found.identifier) == (point.id, point.identifier)
        assert found.last_heard_on == datetime.date(2026, 11, 19)

    def test_half_hourly_data_on_the_first_day_allowed_is_talking(self):
        point = smart_point()
        half_hourly(point, CUTOFF)

        assert point.id not in silent_ids()

    def test_a_recent_smart_read_is_talking_even_without_half_hourly_data(self):
        point = smart_point()
        half_hourly(point, datetime.date(2026, 10, 1))
        read(point, datetime.date(2026, 11, 21), "1000", source="SMART")

        assert point.id not in silent_ids()

    def test_a_customer_read_does_not_make_a_smart_meter_talk(self):
        point = smart_point()
        read(point, datetime.date(2026, 10, 1), "900", source="SMART")
        read(point, datetime.date(2026, 11, 22), "1000", source="CUSTOMER")

        (found,) = queries.silent_smart_meter_points(today=TODAY, silent_days=3)

        assert (found.meter_point_id, found.last_heard_on) == (point.id, datetime.date(2026, 10, 1))

    def test_a_smart_meter_never_heard_from_is_silent_once_installed_long_enough(self):
        long_ago = smart_point()
        just_installed = smart_point(installed=CUTOFF)

        found = queries.silent_smart_meter_points(today=TODAY, silent_days=3)

        assert [(p.meter_point_id, p.last_heard_on) for p in found] == [(long_ago.id, None)]
        assert just_installed.id not in silent_ids()

    def test_a_credit_meter_is_never_silent(self):
        point = supply.meter_point()  # a credit meter that sends nothing

        assert point.id not in silent_ids()

    def test_a_removed_smart_meter_is_not_silent(self):
        point = smart_point()
        models.Meter.objects.filter(meter_point=point).update(
            removed_date=datetime.date(2026, 9, 1)
        )

        assert point.id not in silent_ids()

    def test_a_meter_point_we_no_longer_supply_is_not_silent(self):
        point = smart_point()
        models.MeterPoint.objects.filter(id=point.id).update(
            supply_end_date=datetime.date(2026, 11, 1)
        )

        assert point.id not in silent_ids()

    def test_a_supply_that_began_within_the_days_allowed_is_not_silent_yet(self):
        point = smart_point(supply_start=CUTOFF)

        assert point.id not in silent_ids()

    def test_more_days_allowed_means_fewer_silent(self):
        point = smart_point()
        half_hourly(point, datetime.date(2026, 11, 15))

        assert point.id in silent_ids(silent_days=3)
        assert point.id not in silent_ids(silent_days=10)

    def test_the_search_is_one_query_however_many_meters(self, django_assert_num_queries):
        for _ in range(4):
            half_hourly(smart_point(), datetime.date(2026, 11, 1))

        with django_assert_num_queries(1):
            assert len(queries.silent_smart_meter_points(today=TODAY, silent_days=3)) == 4


class TestDetection:
    def test_a_run_announces_every_silent_meter_point_in_one_event(self):
        silent = [smart_point(), smart_point()]
        talking = smart_point()
        half_hourly(talking, TODAY - datetime.timedelta(days=1))
        half_hourly(silent[0], datetime.date(2026, 11, 10))

        found = operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT)

        assert [p.meter_point_id for p in found] == [silent[0].id, silent[1].id]
        (event,) = OutboxEvent.objects.filter(name=EVENT)
        assert event.occurred_at == AS_AT
        assert event.payload == {
            "detected_on": "2026-11-23",
            "silent_days": 3,
            "meter_points": [
                {"id": silent[0].id, "last_heard_on": "2026-11-10"},
                {"id": silent[1].id, "last_heard_on": None},
            ],
        }

    def test_nothing_silent_announces_nothing(self):
        half_hourly(smart_point(), TODAY - datetime.timedelta(days=1))

        assert operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT) == []
        assert not OutboxEvent.objects.filter(name=EVENT).exists()

    def test_a_long_list_is_split_across_events(self, monkeypatch):
        monkeypatch.setattr(_smart_silence, "EVENT_CHUNK", 2)
        points = [smart_point() for _ in range(3)]

        operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT)

        carried = [
            [p["id"] for p in event.payload["meter_points"]]
            for event in OutboxEvent.objects.filter(name=EVENT).order_by("id")
        ]
        assert carried == [[points[0].id, points[1].id], [points[2].id]]

    def test_a_run_is_a_few_statements_however_many_meters(self, django_assert_max_num_queries):
        for _ in range(5):
            smart_point()

        # the search, the event, and the transaction's savepoint and release
        with django_assert_max_num_queries(4):
            assert len(operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT)) == 5

    def test_at_least_one_day_of_silence_is_asked_for(self):
        with pytest.raises(InvalidInput) as refused:
            operations.detect_silent_smart_meters(today=TODAY, as_at=AS_AT, silent_days=0)

        assert [(p.field, p.rule) for p in refused.value.problems] == [("silent_days", "min")]
