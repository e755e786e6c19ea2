"""The booking page and the field jobs page: who may, booking a slot, moving a job. A
refusal answers 403 or 404 and changes nothing."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.customers import queries as customer_queries
from kilowatt.field import models, operations
from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models as metering_models
from kilowatt.platform import audit, clock
from tests.factories import book as book_factory
from tests.factories import screens

MAY_BOOK = [Role.TELESALES, Role.ADMIN, Role.SYSADMIN]
STAFF_WHO_MAY_NOT_BOOK = [Role.AGENT, Role.SALES_MANAGER, Role.BILLING, Role.COLLECTIONS,
                          Role.COMPLAINTS, Role.CORPORATE_MANAGER]  # fmt: skip
MAY_WORK_JOBS = [Role.ADMIN, Role.SYSADMIN]
MAY_NOT_WORK_JOBS = [Role.AGENT, Role.SALES_MANAGER, Role.TELESALES, Role.BILLING,
                     Role.COLLECTIONS, Role.COMPLAINTS, Role.CORPORATE_MANAGER,
                     Role.CUSTOMER]  # fmt: skip


@pytest.fixture
def slots(book):
    """Two appointments a slot for the next three days in the home customer's region (12)
    and the business customer's first site's (16)."""
    for region in ("12", "16"):
        operations.plan_capacity(
            region=region,
            start=clock.today() + datetime.timedelta(days=1),
            days=3,
            engineers=2,
            actor=audit.SYSTEM,
            as_at=clock.now(),
        )
    return models.Capacity.objects.order_by("region", "date", "slot")


def url(book) -> str:
    return f"/meter-points/{book.home.mpans[0]}/book/"


def owner(book):
    """A login of the business customer's account manager (it sees that customer only)."""
    everyone = screens.principal(Role.SYSADMIN)
    contact = (
        customer_queries.customer_for(everyone, number=book.business.number)
        .contacts.order_by("id")
        .first()
    )
    return book_factory.login_for(contact.id)


def nothing_booked() -> bool:
    return (
        not models.Job.objects.exists()
        and not models.Capacity.objects.filter(booked__gt=0).exists()
    )


class TestWhoMayBook:
    def test_anonymous_visitors_sign_in_first(self, book, slots, signed_in):
        client = signed_in(None)

        assert client.get(url(book)).status_code == 302
        response = client.post(url(book), {"slot": slots[0].id, "kind": "SMART_INSTALL"})
        assert response["Location"].startswith("/login/")
        assert nothing_booked()

    @pytest.mark.parametrize("role", STAFF_WHO_MAY_NOT_BOOK)
    def test_staff_without_the_permission_are_refused(self, book, slots, signed_in, role):
        client = signed_in(role)

        shown = client.get(url(book))
        posted = client.post(url(book), {"slot": slots[0].id, "kind": "SMART_INSTALL"})

        assert (shown.status_code, posted.status_code) == (403, 403)
        assert b"Choose a slot" not in shown.content
        assert nothing_booked()

    def test_another_customer_is_answered_not_found(self, book, slots, signed_in):
        client = signed_in(Role.CUSTOMER)

        shown = client.get(url(book))
        posted = client.post(url(book), {"slot": slots[0].id, "kind": "SMART_INSTALL"})

        assert (shown.status_code, posted.status_code) == (404, 404)
        assert nothing_booked()

    def test_the_customer_books_their_own_meter_point(self, book, slots, signed_in):
        client = signed_in(owner(book))
        own = f"/meter-points/{book.business.mpans[0]}/book/"
        slot = slots.filter(region="16").first()

        shown = client.get(own)
        posted = client.post(own, {"slot": slot.id, "kind": "MUST_READ"})
        elsewhere = client.get(url(book))

        assert shown.status_code == 200
        assert b"Choose a slot" in shown.content
        assert posted.status_code == 302
        assert elsewhere.status_code == 404  # the home customer's meter point
        assert models.Job.objects.get().kind == "MUST_READ"

    @pytest.mark.parametrize("role", MAY_BOOK)
    def test_those_who_may_see_the_free_slots(self, book, slots, signed_in, role):
        response = signed_in(role).get(url(book))

        assert response.status_code == 200
        assert response.content.count(b'name="slot"') == 6
        assert b"08:00 to 12:00" in response.content


class TestBooking:
    def test_a_booking_is_confirmed_and_the_slot_counts_it(self, book, slots, signed_in):
        client = signed_in(Role.TELESALES)

        response = client.post(url(book), {"slot": slots[1].id, "kind": "MUST_READ"}, follow=True)

        assert response.status_code == 200
        assert b"Visit booked" in response.content
        assert b"Must-read visit" in response.content
        assert models.Capacity.objects.get(id=slots[1].id).booked == 1

    def test_a_full_slot_is_answered_beside_the_field(self, book, slots, signed_in):
        models.Capacity.objects.filter(id=slots[0].id).update(booked=2)

        response = signed_in(Role.TELESALES).post(
            url(book), {"slot": slots[0].id, "kind": "MUST_READ"}
        )

        assert response.status_code == 422
        assert b"this slot is full" in response.content
        assert not models.Job.objects.exists()

    def test_full_slots_are_not_offered(self, book, slots, signed_in):
        models.Capacity.objects.filter(id=slots[0].id).update(booked=2)

        response = signed_in(Role.TELESALES).get(url(book))

        assert response.content.count(b'name="slot"') == 5

    def test_no_capacity_says_so(self, book, signed_in):
        response = signed_in(Role.TELESALES).get(url(book))

        assert b"No free slots" in response.content

    def test_the_customer_page_links_to_booking_for_those_who_may(self, book, signed_in):
        page = f"/customers/{book.home.number}/"

        assert b'data-testid="book-visit"' in signed_in(Role.TELESALES).get(page).content
        assert b'data-testid="book-visit"' not in signed_in(Role.BILLING).get(page).content


@pytest.fixture
def job(book, slots):
    admin = screens.principal(Role.ADMIN)
    return operations.book_appointment(
        by=admin,
        identifier=book.home.mpans[0],
        capacity_id=slots[0].id,
        kind="METER_EXCHANGE",
        as_at=clock.now(),
    )


class TestWhoMayWorkJobs:
    @pytest.mark.parametrize("role", MAY_NOT_WORK_JOBS)
    def test_others_are_refused_and_change_nothing(self, job, signed_in, role):
        client = signed_in(role)

        listing = client.get("/field/jobs/")
        moved = client.post(f"/field/jobs/{job.id}/", {"status": "MISSED"})

        assert (listing.status_code, moved.status_code) == (403, 403)
        assert b"JOB-" not in listing.content
        job.refresh_from_db()
        assert job.status == "BOOKED"
        assert not models.Compensation.objects.exists()

    def test_anonymous_visitors_sign_in_first(self, job, signed_in):
        client = signed_in(None)

        assert client.get("/field/jobs/").status_code == 302
        assert client.post(f"/field/jobs/{job.id}/", {"status": "MISSED"}).status_code == 302
        job.refresh_from_db()
        assert job.status == "BOOKED"

    @pytest.mark.parametrize("role", MAY_WORK_JOBS)
    def test_the_field_team_sees_the_jobs_and_the_nav_link(self, job, signed_in, role):
        response = signed_in(role).get("/field/jobs/")

        assert response.status_code == 200
        assert f"JOB-{job.id}".encode() in response.content
        assert b'href="/field/jobs/">Field jobs' in response.content

    def test_the_nav_link_is_hidden_from_others(self, book, signed_in):
        assert b"Field jobs" not in signed_in(Role.TELESALES).get("/customers/").content


class TestWorkingJobs:
    def test_the_status_filter(self, job, signed_in):
        client = signed_in(Role.ADMIN)

        assert f"JOB-{job.id}".encode() in client.get("/field/jobs/?status=BOOKED").content
        assert b"No jobs in this status" in client.get("/field/jobs/?status=COMPLETED").content

    def test_en_route_then_complete_with_the_new_meter(self, job, book, signed_in):
        client = signed_in(Role.ADMIN)

        client.post(f"/field/jobs/{job.id}/", {"status": "EN_ROUTE"})
        response = client.post(
            f"/field/jobs/{job.id}/",
            {
                "status": "COMPLETED",
                "final_1": "12345",
                "new_serial": "sm0042",
                "new_digits": "6",
                "first_1": "0",
            },
        )

        assert response.status_code == 302
        job.refresh_from_db()
        assert job.status == "COMPLETED"
        point = metering_models.MeterPoint.objects.get(identifier=book.home.mpans[0])
        new = metering_models.Meter.objects.get(meter_point=point, removed_date__isnull=True)
        assert (new.serial_number, new.type) == ("SM0042", "SMART")

    def test_an_abort_without_a_reason_is_refused(self, job, signed_in):
        response = signed_in(Role.ADMIN).post(f"/field/jobs/{job.id}/", {"status": "ABORTED"})

        assert response.status_code == 422
        assert b"say why the job was aborted" in response.content
        job.refresh_from_db()
        assert job.status == "BOOKED"

    def test_a_missed_appointment_shows_the_thirty_pounds_owed(self, job, signed_in):
        client = signed_in(Role.ADMIN)

        client.post(f"/field/jobs/{job.id}/", {"status": "MISSED"})
        response = client.get("/field/jobs/")

        assert b"\xc2\xa330.00 owed to the customer" in response.content
        assert models.Compensation.objects.get().amount_pence == 3000

    def test_a_missing_job_is_not_found(self, db, signed_in):
        assert (
            signed_in(Role.ADMIN).post("/field/jobs/999999/", {"status": "MISSED"}).status_code
            == 404
        )
