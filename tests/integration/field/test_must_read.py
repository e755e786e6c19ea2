"""Must-read jobs: meter points with no actual read for 12 months, raised once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.field import models, operations
from kilowatt.metering import models as metering_models
from kilowatt.metering import queries as metering_queries
from kilowatt.metering.domain import estimates
from tests.factories import supply
from tests.integration.field.conftest import AS_AT, TODAY
from tests.integration.metering.test_record_reads import at, record

pytestmark = pytest.mark.django_db


def due_ids() -> set[int]:
    return set(metering_queries.must_read_meter_point_ids(today=TODAY).values_list("id", flat=True))


class TestWhoIsDue:
    def test_matches_the_domain_rule(self):
        never = supply.meter_point()  # supplied since 2025-01-01, never read
        recent = supply.meter_point()
        record(recent, (at(2026, 6, 1), "1000"))
        stale = supply.meter_point()
        record(stale, (at(2025, 11, 1), "1000"))
        estimated_only = supply.meter_point()
        record(estimated_only, (at(2025, 2, 1), "500"))
        record(estimated_only, (at(2026, 10, 1), "2000"), source="ESTIMATE")
        new_supply = supply.meter_point(supply_start=datetime.date(2026, 3, 1))

        expected = {
            p.id
            for p, last in [
                (never, None),
                (recent, datetime.date(2026, 6, 1)),
                (stale, datetime.date(2025, 11, 1)),
                (estimated_only, datetime.date(2025, 2, 1)),
                (new_supply, None),
            ]
            if estimates.is_must_read(
                last_actual_date=last,
                supply_start=metering_models.MeterPoint.objects.get(id=p.id).supply_start_date,
                today=TODAY,
            )
        }
        assert due_ids() == expected == {never.id, stale.id, estimated_only.id}

    def test_a_read_exactly_a_year_ago_is_due_and_a_day_later_is_not(self):
        year_ago = supply.meter_point()
        record(year_ago, (at(2025, 11, 23), "1000"))
        day_later = supply.meter_point()
        record(day_later, (at(2025, 11, 24), "1000"))

        assert due_ids() == {year_ago.id}


class TestRaising:
    def test_raises_one_open_job_per_meter_point_however_often_it_runs(self):
        due = [supply.meter_point() for _ in range(3)]

        first = operations.raise_must_read_jobs(today=TODAY, as_at=AS_AT)
        again = operations.raise_must_read_jobs(today=TODAY, as_at=AS_AT)

        assert (first, again) == (3, 0)
        jobs = models.Job.objects.order_by("meter_point_id")
        assert [(j.meter_point_id, j.kind, j.status) for j in jobs] == [
            (p.id, "MUST_READ", "RAISED") for p in due
        ]

    def test_a_raised_job_no_longer_needed_is_closed_by_the_next_run(self):
        answered, waiting = supply.meter_point(), supply.meter_point()
        operations.raise_must_read_jobs(today=TODAY, as_at=AS_AT)
        record(answered, (at(2026, 11, 1), "1000"))  # the customer sent a reading

        operations.raise_must_read_jobs(today=TODAY, as_at=AS_AT + datetime.timedelta(days=1))

        jobs = {j.meter_point_id: j for j in models.Job.objects.all()}
        assert (jobs[answered.id].status, jobs[waiting.id].status) == ("ABORTED", "RAISED")
        assert jobs[answered.id].abort_reason.startswith("No longer needed")
        assert len(jobs) == 2  # no new job for the meter point just answered

    def test_a_raised_job_is_booked_rather_than_duplicated(self, plan, admin):
        point = supply.meter_point()
        operations.raise_must_read_jobs(today=TODAY, as_at=AS_AT)
        plan()
        capacity = models.Capacity.objects.filter(region="23").order_by("date", "slot").first()

        job = operations.book_appointment(
            by=admin, identifier=point.identifier, capacity_id=capacity.id, kind="MUST_READ",
            as_at=AS_AT,
        )  # fmt: skip

        assert models.Job.objects.get().id == job.id
        assert (job.status, job.capacity_id) == ("BOOKED", capacity.id)

    def test_completing_a_must_read_records_a_field_read(self, plan, admin):
        point = supply.meter_point()
        operations.raise_must_read_jobs(today=TODAY, as_at=AS_AT)
        plan()
        capacity = models.Capacity.objects.filter(region="23").order_by("date", "slot").first()
        job = operations.book_appointment(
            by=admin, identifier=point.identifier, capacity_id=capacity.id, kind="MUST_READ",
            as_at=AS_AT,
        )  # fmt: skip
        visit = datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC)
        operations.move_job(by=admin, job_id=job.id, status="EN_ROUTE", as_at=visit)

        operations.complete_job(
            by=admin,
            job_id=job.id,
            done=operations.ExchangeIn(final_reads=[("1", Decimal("4321"))]),
            as_at=visit,
        )

        (read,) = metering_models.Read.objects.filter(meter_point=point)
        assert (read.source, read.value, read.status) == ("FIELD", Decimal("4321.000"), "ACCEPTED")
        assert point.id not in set(
            metering_queries.must_read_meter_point_ids(
                today=datetime.date(2026, 11, 25)
            ).values_list("id", flat=True)
        )


class TestSmartEligibility:
    def test_lists_the_regions_meter_points_whose_meter_is_not_smart(self, admin):
        from kilowatt.field import queries

        credit = supply.meter_point()
        smart = supply.meter_point()
        metering_models.Meter.objects.filter(meter_point=smart).update(type="SMART")
        ended = supply.meter_point()
        metering_models.MeterPoint.objects.filter(id=ended.id).update(
            supply_end_date=datetime.date(2026, 1, 1)
        )

        rows = queries.smart_eligible(admin, region="23", today=TODAY)

        assert [(r.identifier, r.meter_type) for r in rows] == [(credit.identifier, "CREDIT")]
        assert queries.smart_eligible(admin, region="12", today=TODAY) == []
