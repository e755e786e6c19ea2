"""Which visit a customer's own page suggests for a meter point."""

from __future__ import annotations

from kilowatt.field.domain import jobs


def test_nothing_for_a_smart_meter_with_no_open_job():
    assert jobs.visit_offer(meter_type="SMART", open_jobs=[]) is None


def test_nothing_without_a_meter():
    assert jobs.visit_offer(meter_type=None, open_jobs=[]) is None


def test_a_smart_meter_for_any_other_meter():
    offer = jobs.visit_offer(meter_type="CREDIT", open_jobs=[])

    assert (offer.kind, offer.action) == (jobs.SMART_INSTALL, "Book an installation")


def test_a_raised_job_comes_before_the_smart_offer():
    offer = jobs.visit_offer(meter_type="CREDIT", open_jobs=[(jobs.MUST_READ, jobs.RAISED, "")])

    assert (offer.kind, offer.title) == (jobs.MUST_READ, "We need to read your meter")


def test_of_two_raised_jobs_the_first_kind_is_offered():
    offer = jobs.visit_offer(
        meter_type="SMART",
        open_jobs=[(jobs.RECERTIFICATION, jobs.RAISED, ""), (jobs.MUST_READ, jobs.RAISED, "")],
    )

    assert offer.kind == jobs.MUST_READ


def test_a_booked_visit_says_when_and_books_nothing_more():
    offer = jobs.visit_offer(
        meter_type="CREDIT",
        open_jobs=[
            (jobs.MUST_READ, jobs.RAISED, ""),
            (jobs.SMART_INSTALL, jobs.BOOKED, "Tuesday 24 November, 08:00 to 12:00"),
        ],
    )

    assert offer.kind == ""
    assert offer.text == "Tuesday 24 November, 08:00 to 12:00."
