"""Booking appointments against engineer capacity, on the real database."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from kilowatt.field import models, operations, queries
from kilowatt.identity.domain.roles import Role
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.platform.models import OutboxEvent
from tests.factories import screens, supply
from tests.integration.field.conftest import AS_AT, TODAY, TOMORROW

pytestmark = pytest.mark.django_db


def slot_of(date=TOMORROW, slot="AM", region="23") -> models.Capacity:
    return models.Capacity.objects.get(region=region, date=date, slot=slot)


def book(by, point, capacity, kind="SMART_INSTALL"):
    return operations.book_appointment(
        by=by, identifier=point.identifier, capacity_id=capacity.id, kind=kind, as_at=AS_AT
    )


class TestPlanningCapacity:
    def test_plans_a_morning_and_an_afternoon_for_each_day(self, plan):
        plan(engineers=3, days=2)

        rows = models.Capacity.objects.order_by("date", "slot")
        assert [(r.date, r.slot, r.engineers, r.booked) for r in rows] == [
            (TOMORROW, "AM", 3, 0),
            (TOMORROW, "PM", 3, 0),
            (TOMORROW + datetime.timedelta(days=1), "AM", 3, 0),
            (TOMORROW + datetime.timedelta(days=1), "PM", 3, 0),
        ]

    def test_replanning_changes_the_engineers_but_never_below_what_is_booked(
        self, plan, point, admin
    ):
        plan(engineers=2, days=1)
        book(admin, point, slot_of())

        plan(engineers=5, days=1)
        assert slot_of().engineers == 5
        with pytest.raises(InvalidInput) as refused:
            plan(engineers=0, days=1)

        assert refused.value.problems[0].rule == "below_booked"
        assert slot_of().engineers == 5


class TestBooking:
    def test_books_a_job_into_the_slot_and_announces_it(self, plan, point, admin):
        plan()

        job = book(admin, point, slot_of())

        assert (job.status, job.kind, job.capacity_id) == ("BOOKED", "SMART_INSTALL", slot_of().id)
        assert slot_of().booked == 1
        assert OutboxEvent.objects.filter(name="field.job.booked.v1").count() == 1
        assert [
            s.slot
            for s in queries.free_slots(
                region="23", start=TOMORROW, end=TOMORROW + datetime.timedelta(days=1)
            )
        ] == ["AM", "PM"]

    def test_a_full_slot_refuses_naming_field_and_rule_and_changes_nothing(self, plan, admin):
        plan(engineers=1)
        first, second = screens_points(2)
        book(admin, first, slot_of())

        with pytest.raises(InvalidInput) as refused:
            book(admin, second, slot_of())

        assert [(p.field, p.rule) for p in refused.value.problems] == [("slot", "slot_full")]
        assert slot_of().booked == 1
        assert models.Job.objects.count() == 1

    def test_the_counter_refuses_a_slot_filled_after_it_was_read(self, plan, point, admin):
        """Another booking fills the slot between this one reading it and taking a place:
        the guarded F() update takes nothing and the booking is refused."""
        plan(engineers=1)
        capacity = slot_of()
        models.Capacity.objects.filter(id=capacity.id).update(booked=1)  # taken meanwhile

        with pytest.raises(InvalidInput) as refused:
            book(admin, point, capacity)

        assert refused.value.problems[0].rule == "slot_full"

    def test_the_database_holds_booked_within_engineers(self, plan):
        plan(engineers=1)

        with pytest.raises(IntegrityError), transaction.atomic():
            models.Capacity.objects.filter(id=slot_of().id).update(booked=2)

    def test_a_second_booking_of_the_same_visit_is_refused(self, plan, point, admin):
        plan()
        book(admin, point, slot_of())

        with pytest.raises(InvalidInput) as refused:
            book(admin, point, slot_of(slot="PM"))

        assert refused.value.problems[0].rule == "already_booked"
        assert slot_of(slot="PM").booked == 0

    def test_a_slot_in_another_region_or_too_soon_is_refused(self, plan, point, admin):
        plan(region="12")
        plan(start=TODAY, days=1)

        with pytest.raises(InvalidInput) as other_region:
            book(admin, point, slot_of(region="12"))
        with pytest.raises(InvalidInput) as today:
            book(admin, point, slot_of(date=TODAY))

        assert other_region.value.problems[0].rule == "slot_region"
        assert today.value.problems[0].rule == "slot_too_soon"

    def test_those_who_may_not_book_are_refused(self, plan, point):
        plan()
        billing = screens.principal(Role.BILLING)

        with pytest.raises(NotAllowed):
            book(billing, point, slot_of())
        assert models.Job.objects.count() == 0

    def test_a_customer_may_not_book_on_someone_elses_meter_point(self, plan, point):
        plan()
        stranger = screens.principal(Role.CUSTOMER)

        with pytest.raises(NotFound):
            book(stranger, point, slot_of())
        assert slot_of().booked == 0


def screens_points(count: int):
    return [supply.meter_point() for _ in range(count)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_overfill_a_slot(plan):
    plan(engineers=2, days=1)
    admin = screens.principal(Role.ADMIN)
    points = screens_points(6)
    capacity = slot_of()
    outcomes: list[str] = []
    barrier = threading.Barrier(len(points))

    def attempt(point) -> None:
        barrier.wait()
        try:
            book(admin, point, capacity)
            outcomes.append("booked")
        except InvalidInput as error:
            outcomes.append(error.problems[0].rule)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in points]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked", "booked"] + ["slot_full"] * 4
    assert slot_of().booked == 2
    assert models.Job.objects.count() == 2
