"""A field job's lifecycle: legal moves only, audited and announced; a missed appointment
owes £30 exactly once; completing an installation exchanges the meter."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.field import models, operations
from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models as metering_models
from kilowatt.platform.errors import InvalidInput, NotAllowed
from kilowatt.platform.models import AuditEntry, OutboxEvent
from tests.factories import screens
from tests.integration.field.conftest import AS_AT, TOMORROW
from tests.integration.metering.test_record_reads import at, record

pytestmark = pytest.mark.django_db
VISIT = datetime.datetime(2026, 11, 24, 10, 30, tzinfo=datetime.UTC)  # tomorrow's morning slot


@pytest.fixture
def booked(plan, point, admin):
    plan()
    capacity = models.Capacity.objects.get(date=TOMORROW, slot="AM", region="23")
    return operations.book_appointment(
        by=admin, identifier=point.identifier, capacity_id=capacity.id, kind="SMART_INSTALL",
        as_at=AS_AT,
    )  # fmt: skip


def move(admin, job, status, reason="", as_at=VISIT):
    return operations.move_job(by=admin, job_id=job.id, status=status, reason=reason, as_at=as_at)


class TestLifecycle:
    def test_each_move_is_audited_and_announced(self, booked, admin):
        move(admin, booked, "EN_ROUTE")

        booked.refresh_from_db()
        assert booked.status == "EN_ROUTE"
        assert AuditEntry.objects.filter(entity="field_job", action="EN_ROUTE").count() == 1
        assert OutboxEvent.objects.filter(name="field.job.en_route.v1").count() == 1

    def test_an_illegal_move_names_the_rule_and_changes_nothing(self, booked, admin):
        with pytest.raises(InvalidInput) as refused:
            move(admin, booked, "MISSED")
            move(admin, booked, "EN_ROUTE")

        assert refused.value.problems[0].rule == "illegal_transition"
        booked.refresh_from_db()
        assert booked.status == "MISSED"

    def test_completion_is_not_a_plain_move(self, booked, admin):
        move(admin, booked, "EN_ROUTE")
        with pytest.raises(InvalidInput) as refused:
            move(admin, booked, "COMPLETED")

        assert refused.value.problems[0].rule == "use_complete_job"

    def test_an_abort_needs_a_reason_and_a_cancelled_booking_frees_its_slot(self, booked, admin):
        with pytest.raises(InvalidInput) as refused:
            move(admin, booked, "ABORTED", reason=" ")
        move(admin, booked, "ABORTED", reason="customer moved the date")

        booked.refresh_from_db()
        assert refused.value.problems[0].field == "reason"
        assert (booked.status, booked.abort_reason) == ("ABORTED", "customer moved the date")
        assert booked.capacity.booked == 0

    def test_those_who_may_not_work_jobs_are_refused(self, booked):
        telesales = screens.principal(Role.TELESALES)

        with pytest.raises(NotAllowed):
            move(telesales, booked, "EN_ROUTE")
        booked.refresh_from_db()
        assert booked.status == "BOOKED"


class TestMissedAppointment:
    def test_owes_the_customer_thirty_pounds_exactly_once(self, booked, admin):
        move(admin, booked, "MISSED")
        with pytest.raises(InvalidInput):
            move(admin, booked, "MISSED")

        (owed,) = models.Compensation.objects.all()
        assert (owed.job_id, owed.amount_pence, owed.reason) == (
            booked.id,
            3000,
            "MISSED_APPOINTMENT",
        )
        (event,) = OutboxEvent.objects.filter(name="field.compensation.owed.v1")
        assert event.payload["amount_pence"] == 3000
        assert event.payload["appointment_date"] == TOMORROW.isoformat()
        assert models.Capacity.objects.get(id=booked.capacity_id).booked == 1  # slot was used

    def test_an_aborted_visit_owes_nothing(self, booked, admin):
        move(admin, booked, "ABORTED", reason="no access")

        assert not models.Compensation.objects.exists()


def install(admin, job, **changes):
    done = {
        "final_reads": [("1", Decimal("1500"))],
        "new_serial": "SMRT0001",
        "new_digits": 6,
        "first_reads": [("1", Decimal("0"))],
        **changes,
    }
    return operations.complete_job(
        by=admin, job_id=job.id, done=operations.ExchangeIn(**done), as_at=VISIT
    )


class TestCompletingAnInstallation:
    def test_exchanges_the_meter_with_final_and_first_reads(self, booked, admin, point):
        record(point, (at(2026, 6, 1), "1000"))
        move(admin, booked, "EN_ROUTE")

        install(admin, booked)

        booked.refresh_from_db()
        old, new = metering_models.Meter.objects.filter(meter_point=point).order_by("id")
        assert booked.status == "COMPLETED"
        assert old.removed_date == VISIT.date()
        assert (new.serial_number, new.type, new.digits, new.installed_date) == (
            "SMRT0001",
            "SMART",
            6,
            VISIT.date(),
        )
        assert list(new.registers.values_list("identifier", "band")) == [("1", "ANYTIME")]
        reads = metering_models.Read.objects.filter(meter_point=point, source="FIELD")
        assert sorted((r.meter_id, r.value, r.status) for r in reads) == [
            (old.id, Decimal("1500.000"), "ACCEPTED"),
            (new.id, Decimal("0.000"), "ACCEPTED"),
        ]
        assert OutboxEvent.objects.filter(name="metering.meter.exchanged.v1").count() == 1
        assert OutboxEvent.objects.filter(name="field.job.completed.v1").count() == 1

    def test_a_refused_read_writes_nothing_at_all(self, booked, admin, point):
        move(admin, booked, "EN_ROUTE")

        with pytest.raises(InvalidInput) as refused:
            install(admin, booked, first_reads=[("1", Decimal("9999999"))])  # 6 digits

        assert refused.value.problems[0].field.startswith("first_reads")
        booked.refresh_from_db()
        assert booked.status == "EN_ROUTE"
        assert metering_models.Meter.objects.filter(meter_point=point).count() == 1
        assert metering_models.Meter.objects.get(meter_point=point).removed_date is None
        assert not metering_models.Read.objects.filter(meter_point=point).exists()

    def test_the_new_meter_must_be_told_apart_and_cover_each_register(self, booked, admin):
        move(admin, booked, "EN_ROUTE")

        with pytest.raises(InvalidInput) as refused:
            install(admin, booked, new_serial="", first_reads=[])

        fields = {p.field for p in refused.value.problems}
        assert {"new_meter.serial_number", "first_reads"} <= fields

    def test_a_job_must_be_en_route_to_complete(self, booked, admin):
        with pytest.raises(InvalidInput) as refused:
            install(admin, booked)

        assert refused.value.problems[0].rule == "illegal_transition"
