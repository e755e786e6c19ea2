"""Which visit a customer's own page suggests for a meter point."""

from __future__ import annotations

import datetime

from kilowatt.field.domain import jobs

RAISED_AT = datetime.datetime(2026, 11, 1, 5, tzinfo=datetime.UTC)


def job(kind: str, status: str, when: str = "", id: int = 1) -> jobs.OpenJob:
    return jobs.OpenJob(id=id, kind=kind, status=status, when=when, raised_at=RAISED_AT)


def test_nothing_for_a_smart_meter_with_no_open_job():
    assert jobs.visit_offer(meter_type="SMART", open_jobs=[]) is None


def test_nothing_without_a_meter():
    assert jobs.visit_offer(meter_type=None, open_jobs=[]) is None


def test_a_smart_meter_for_any_other_meter():
    offer = jobs.visit_offer(meter_type="CREDIT", open_jobs=[])

    assert (offer.kind, offer.action, offer.job_id) == (
        jobs.SMART_INSTALL,
        "Book an installation",
        None,
    )


def test_a_raised_job_comes_before_the_smart_offer():
    offer = jobs.visit_offer(meter_type="CREDIT", open_jobs=[job(jobs.MUST_READ, jobs.RAISED)])

    assert (offer.kind, offer.title) == (jobs.MUST_READ, "We need to read your meter")


def test_of_two_raised_jobs_the_first_kind_is_offered():
    offer = jobs.visit_offer(
        meter_type="SMART",
        open_jobs=[job(jobs.RECERTIFICATION, jobs.RAISED), job(jobs.MUST_READ, jobs.RAISED)],
    )

    assert offer.kind == jobs.MUST_READ


def test_a_must_read_answered_by_a_later_actual_reading_is_not_offered():
    later = RAISED_AT + datetime.timedelta(days=2)
    earlier = RAISED_AT - datetime.timedelta(days=400)
    raised = [job(jobs.MUST_READ, jobs.RAISED)]

    assert (
        jobs.visit_offer(meter_type="SMART", open_jobs=raised, latest_actual_read_at=later) is None
    )
    offered = jobs.visit_offer(meter_type="SMART", open_jobs=raised, latest_actual_read_at=earlier)
    assert offered.kind == jobs.MUST_READ


def test_a_booked_visit_says_when_names_the_job_and_books_nothing_more():
    offer = jobs.visit_offer(
        meter_type="CREDIT",
        open_jobs=[
            job(jobs.SMART_INSTALL, jobs.BOOKED, "Tuesday 24 November, 08:00 to 12:00", id=7),
            job(jobs.MUST_READ, jobs.RAISED, id=8),
        ],
    )

    assert (offer.kind, offer.job_id) == ("", 7)
    assert offer.text == "Tuesday 24 November, 08:00 to 12:00."
