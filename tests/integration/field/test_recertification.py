"""Meter certification: new meters are certified from installation, recertification jobs
are raised in time (once, set-based), and a completed visit renews the certification."""

from __future__ import annotations

import datetime
import importlib
import types
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kilowatt.field import models, operations
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering_operations
from kilowatt.metering.domain import supply as supply_rules
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput
from kilowatt.platform.models import AuditEntry, OutboxEvent
from tests.factories import supply
from tests.integration.field.conftest import AS_AT, TODAY, TOMORROW

pytestmark = pytest.mark.django_db
D = datetime.date
VISIT = datetime.datetime(2026, 11, 24, 10, 30, tzinfo=datetime.UTC)


OLD_INSTALL = D(2010, 1, 1)


def certified(point, until: datetime.date | None):
    """Set the certification end of the meter on a meter point, installed long ago."""
    metering_models.Meter.objects.filter(meter_point=point).update(
        installed_date=OLD_INSTALL, certified_until=until
    )
    return point


def raise_jobs(**changes) -> operations.RaisedJobs:
    return operations.raise_recertification_jobs(
        **{"today": TODAY, "lead_days": 90, "as_at": AS_AT, **changes}
    )


def recertification_jobs() -> list[tuple[int, str]]:
    return list(
        models.Job.objects.filter(kind="RECERTIFICATION")
        .order_by("meter_point_id")
        .values_list("meter_point_id", "status")
    )


class TestCertifiedUntil:
    def test_a_new_meter_is_certified_from_its_installation_for_its_fuels_life(self):
        electricity = supply.meter_point()  # installed 2024-06-01
        gas = supply.meter_point(fuel="GAS")

        assert metering_models.Meter.objects.get(meter_point=electricity).certified_until == D(
            2034, 6, 1
        )
        assert metering_models.Meter.objects.get(meter_point=gas).certified_until == D(2044, 6, 1)

    def test_the_migration_fills_the_meters_recorded_before_it_set_based(self):
        electricity = supply.meter_point()
        leap = supply.meter_point()
        gas = supply.meter_point(fuel="GAS")
        metering_models.Meter.objects.update(certified_until=None)
        metering_models.Meter.objects.filter(meter_point=leap).update(installed_date=D(2016, 2, 29))
        migration = importlib.import_module(
            "kilowatt.metering.migrations.0007_meter_certified_until"
        )

        migration.fill_certified_until(None, types.SimpleNamespace(connection=connection))

        found = dict(metering_models.Meter.objects.values_list("meter_point_id", "certified_until"))
        assert found == {
            electricity.id: D(2034, 6, 1),
            leap.id: D(2026, 2, 28),
            gas.id: D(2044, 6, 1),
        }

    def test_an_exchange_gives_the_new_meter_a_fresh_certification(self):
        point = certified(supply.meter_point(), D(2026, 12, 1))

        metering_operations.exchange_meter(
            identifier=point.identifier,
            exchanged_at=VISIT,
            final_reads=[metering_operations.RegisterRead("1", Decimal("1500"))],
            new_meter=supply_rules.MeterDetails(
                serial_number="SMRT0001",
                type="SMART",
                digits=6,
                installed_date=VISIT.date(),
                units="KWH",
                registers=(supply_rules.RegisterDetails("1", "ANYTIME"),),
            ),
            first_reads=[metering_operations.RegisterRead("1", Decimal("0"))],
            received_by="engineer",
            actor=audit.SYSTEM,
            as_at=VISIT,
        )

        old, new = metering_models.Meter.objects.filter(meter_point=point).order_by("id")
        assert (old.certified_until, old.removed_date) == (D(2026, 12, 1), VISIT.date())
        assert new.certified_until == D(2036, 11, 24)
        (event,) = OutboxEvent.objects.filter(name="metering.meter.exchanged.v1")
        assert event.payload["new_certified_until"] == "2036-11-24"


class TestRaising:
    def test_raises_a_job_for_each_meter_whose_certification_ends_within_the_lead_time(self):
        expired = certified(supply.meter_point(), D(2020, 1, 1))
        ending_soon = certified(supply.meter_point(), D(2027, 2, 21))  # exactly 90 days on
        certified(supply.meter_point(), D(2027, 2, 22))  # a day beyond the lead time
        supply.meter_point()  # certified until 2034
        certified(supply.meter_point(), None)  # not known: never guessed due

        run = raise_jobs()

        assert recertification_jobs() == [(expired.id, "RAISED"), (ending_soon.id, "RAISED")]
        assert run.meter_point_ids == (expired.id, ending_soon.id)
        assert run.due_by == D(2027, 2, 21)

    def test_running_twice_raises_the_same_jobs_once(self):
        points = [certified(supply.meter_point(), D(2026, 12, 1)) for _ in range(3)]

        first = raise_jobs()
        again = raise_jobs(as_at=AS_AT + datetime.timedelta(hours=1))

        assert (first.count, again.count) == (3, 0)
        assert recertification_jobs() == [(p.id, "RAISED") for p in points]
        assert OutboxEvent.objects.filter(name="field.job_batch.raised.v1").count() == 1

    def test_a_removed_meter_is_never_due(self):
        point = certified(supply.meter_point(), D(2026, 12, 1))
        metering_operations.exchange_meter(
            identifier=point.identifier,
            exchanged_at=VISIT,
            final_reads=[metering_operations.RegisterRead("1", Decimal("1500"))],
            new_meter=supply_rules.MeterDetails(
                serial_number="SMRT0002",
                type="SMART",
                digits=6,
                installed_date=VISIT.date(),
                units="KWH",
                registers=(supply_rules.RegisterDetails("1", "ANYTIME"),),
            ),
            first_reads=[metering_operations.RegisterRead("1", Decimal("0"))],
            received_by="engineer",
            actor=audit.SYSTEM,
            as_at=VISIT,
        )
        metering_models.Meter.objects.filter(meter_point=point, removed_date__isnull=False).update(
            certified_until=D(2020, 1, 1)  # installed in 2010 (``certified``)
        )

        assert raise_jobs(today=TOMORROW).count == 0

    def test_a_meter_point_we_no_longer_supply_is_not_visited(self):
        ended = certified(supply.meter_point(), D(2026, 12, 1))
        metering_models.MeterPoint.objects.filter(id=ended.id).update(supply_end_date=D(2026, 6, 1))
        # ... nor one whose supply has not started yet.
        certified(supply.meter_point(supply_start=D(2027, 1, 1)), D(2026, 12, 1))

        assert raise_jobs().count == 0

    def test_an_open_job_that_replaces_the_meter_makes_a_recertification_needless(self):
        replacing = certified(supply.meter_point(), D(2026, 12, 1))
        reading = certified(supply.meter_point(), D(2026, 12, 1))
        for point, kind in ((replacing, "METER_EXCHANGE"), (reading, "MUST_READ")):
            models.Job.objects.create(
                kind=kind, meter_point_id=point.id, status="RAISED", created_at=AS_AT,
                created_by="test", updated_at=AS_AT,
            )  # fmt: skip

        raise_jobs()

        assert recertification_jobs() == [(reading.id, "RAISED")]

    def test_an_aborted_recertification_is_raised_again(self):
        point = certified(supply.meter_point(), D(2026, 12, 1))
        raise_jobs()
        models.Job.objects.filter(kind="RECERTIFICATION").update(
            status="ABORTED", abort_reason="no access"
        )

        again = raise_jobs(as_at=AS_AT + datetime.timedelta(days=1))

        assert again.meter_point_ids == (point.id,)
        assert models.Job.objects.filter(kind="RECERTIFICATION").count() == 2

    def test_one_audit_entry_and_one_event_a_run_not_one_a_job(self):
        points = [certified(supply.meter_point(), D(2026, 12, 1)) for _ in range(4)]

        run = raise_jobs()

        (entry,) = AuditEntry.objects.filter(trail="field:recertification_runs")
        assert (entry.changes["raised"], entry.changes["due_by"]) == (
            [None, 4],
            [None, "2027-02-21"],
        )
        assert not AuditEntry.objects.filter(entity="field_job").exists()
        (event,) = OutboxEvent.objects.filter(name="field.job_batch.raised.v1")
        assert event.payload["kind"] == "RECERTIFICATION"
        assert event.payload["job_ids"] == list(run.job_ids)
        assert event.payload["meter_point_ids"] == [p.id for p in points]
        assert event.payload["due_by"] == "2027-02-21"

    def test_a_run_that_raises_nothing_records_nothing(self):
        supply.meter_point()

        assert raise_jobs().count == 0
        assert not AuditEntry.objects.filter(trail="field:recertification_runs").exists()
        assert not OutboxEvent.objects.filter(name="field.job_batch.raised.v1").exists()

    @pytest.mark.parametrize("due", [2, 25])
    def test_set_based_the_same_few_queries_however_many_are_due(
        self, due, django_assert_max_num_queries
    ):
        for _ in range(due):
            certified(supply.meter_point(), D(2026, 12, 1))

        with django_assert_max_num_queries(8):
            assert raise_jobs().count == due

    def test_the_limit_takes_the_lowest_ids_and_the_rest_come_next_run(self):
        points = [certified(supply.meter_point(), D(2026, 12, 1)) for _ in range(3)]

        first = raise_jobs(limit=2)
        rest = raise_jobs(limit=2, as_at=AS_AT + datetime.timedelta(minutes=1))

        assert first.meter_point_ids == (points[0].id, points[1].id)
        assert rest.meter_point_ids == (points[2].id,)

    def test_a_negative_lead_time_is_refused(self):
        with pytest.raises(InvalidInput) as refused:
            raise_jobs(lead_days=-1)

        assert refused.value.problems[0].field == "lead_days"


class TestCommand:
    def test_raises_every_due_job_and_says_how_many(self, capsys):
        for _ in range(3):
            certified(supply.meter_point(), D(2026, 12, 1))

        call_command("field", "raise_recertifications", "--today", TODAY.isoformat())
        call_command("field", "raise_recertifications", "--today", TODAY.isoformat())

        out = capsys.readouterr().out.splitlines()
        assert out == [
            "3 recertification jobs raised (certification ending by 2027-02-21)",
            "0 recertification jobs raised (certification ending by 2027-02-21)",
        ]
        assert len(recertification_jobs()) == 3

    def test_a_shorter_lead_time_looks_less_far(self, capsys):
        certified(supply.meter_point(), D(2026, 12, 31))

        call_command(
            "field", "raise_recertifications", "--today", TODAY.isoformat(), "--lead-days", "30"
        )

        assert "0 recertification jobs raised (certification ending by 2026-12-23)" in (
            capsys.readouterr().out
        )

    def test_a_bad_input_is_a_one_line_error(self):
        with pytest.raises(CommandError, match="lead_days"):
            call_command("field", "raise_recertifications", "--lead-days", "-5")
        with pytest.raises(CommandError, match="not a date"):
            call_command("field", "raise_recertifications", "--today", "23/11/2026")


@pytest.fixture
def en_route(plan, admin):
    """A recertification job on a meter point whose certification ends soon, en route."""
    point = certified(supply.meter_point(), D(2026, 12, 1))
    raise_jobs()
    plan()
    capacity = models.Capacity.objects.get(date=TOMORROW, slot="AM", region="23")
    job = operations.book_appointment(
        by=admin, identifier=point.identifier, capacity_id=capacity.id, kind="RECERTIFICATION",
        as_at=AS_AT,
    )  # fmt: skip
    operations.move_job(by=admin, job_id=job.id, status="EN_ROUTE", as_at=VISIT)
    return point, job


class TestCompleting:
    def test_recertifying_in_place_renews_the_certification_from_the_visit(self, en_route, admin):
        point, job = en_route

        operations.complete_job(
            by=admin,
            job_id=job.id,
            done=operations.ExchangeIn(final_reads=[("1", Decimal("4321"))]),
            as_at=VISIT,
        )

        (meter,) = metering_models.Meter.objects.filter(meter_point=point)
        assert meter.certified_until == D(2036, 11, 24)
        assert metering_models.Read.objects.filter(meter_point=point, source="FIELD").count() == 1
        assert OutboxEvent.objects.filter(name="metering.meter.recertified.v1").count() == 1
        assert raise_jobs(as_at=VISIT).count == 0  # no longer due

    def test_fitting_a_new_meter_instead_exchanges_it_with_a_fresh_certification(
        self, en_route, admin
    ):
        point, job = en_route

        operations.complete_job(
            by=admin,
            job_id=job.id,
            done=operations.ExchangeIn(
                final_reads=[("1", Decimal("4321"))],
                new_serial="SMRT0009",
                new_digits=6,
                first_reads=[("1", Decimal("0"))],
            ),
            as_at=VISIT,
        )

        old, new = metering_models.Meter.objects.filter(meter_point=point).order_by("id")
        assert old.removed_date == VISIT.date()
        assert (new.serial_number, new.certified_until) == ("SMRT0009", D(2036, 11, 24))
        assert OutboxEvent.objects.filter(name="metering.meter.exchanged.v1").count() == 1
        job.refresh_from_db()
        assert job.status == "COMPLETED"
