"""The words a customer reads of a field visit, without a database."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.field.domain import jobs, notices


class TestVisitWords:
    @pytest.mark.parametrize(
        ("kind", "words"),
        [
            ("SMART_INSTALL", "smart meter installation"),
            ("METER_EXCHANGE", "meter exchange"),
            ("MUST_READ", "meter reading visit"),
            ("RECERTIFICATION", "meter recertification visit"),
        ],
    )
    def test_each_kind_reads_as_people_say_it(self, kind, words):
        assert notices.visit_in_words(kind) == words

    def test_every_kind_has_its_words(self):
        assert set(notices.VISIT_WORDS) == set(jobs.KINDS)


class TestAppointmentWords:
    def test_a_day_has_no_leading_zero(self):
        assert notices.day_in_words(datetime.date(2026, 3, 2)) == "Monday 2 March 2026"

    def test_slots_are_named_with_their_windows(self):
        assert notices.slot_in_words("AM") == "morning, 08:00 to 12:00"
        assert notices.slot_in_words("PM") == "afternoon, 12:00 to 18:00"

    def test_an_appointment_is_its_day_then_its_slot(self):
        assert (
            notices.appointment_in_words(datetime.date(2026, 11, 24), "PM")
            == "Tuesday 24 November 2026, afternoon, 12:00 to 18:00"
        )

    @given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)))
    def test_every_day_names_its_weekday_date_month_and_year(self, day):
        words = notices.day_in_words(day).split()

        assert words == [f"{day:%A}", str(day.day), f"{day:%B}", str(day.year)]


class TestWhatToExpect:
    @pytest.mark.parametrize("kind", jobs.KINDS)
    def test_every_visit_needs_an_adult_at_home_and_access_to_the_meter(self, kind):
        lines = notices.what_to_expect(kind)

        assert "aged 16 or over" in lines[0]
        assert "access to the meter" in lines[1]

    def test_only_a_visit_that_may_change_the_meter_warns_of_the_supply_going_off(self):
        said = {kind: " ".join(notices.what_to_expect(kind)) for kind in jobs.KINDS}

        assert "switched off" in said["SMART_INSTALL"]
        assert "switched off" in said["METER_EXCHANGE"]
        assert "if it has to be replaced" in said["RECERTIFICATION"]
        assert "switched off" not in said["MUST_READ"]


class TestGreeting:
    def test_a_person_by_name_a_business_by_its_name_else_customer(self):
        assert (
            notices.greeting_name(first_name="Ada", last_name="Lovelace", company_name="")
            == "Ada Lovelace"
        )
        assert (
            notices.greeting_name(first_name="", last_name="", company_name="Babbage Ltd")
            == "Babbage Ltd"
        )
        assert notices.greeting_name(first_name=" ", last_name="", company_name="") == "customer"
