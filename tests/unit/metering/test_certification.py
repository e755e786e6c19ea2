"""Meter certification: the documented default lives, and when a recertification is due."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from kilowatt.metering.domain import certification

D = datetime.date


class TestDefaults:
    def test_an_electricity_meter_of_any_type_is_certified_for_ten_years(self):
        for meter_type in ("CREDIT", "PREPAYMENT", "SMART"):
            assert certification.certified_until(
                fuel="ELECTRICITY", meter_type=meter_type, certified_on=D(2021, 5, 1)
            ) == D(2031, 5, 1)

    def test_a_gas_meter_is_certified_for_twenty_years(self):
        assert certification.certified_until(
            fuel="GAS", meter_type="CREDIT", certified_on=D(2019, 3, 14)
        ) == D(2039, 3, 14)

    def test_the_twenty_ninth_of_february_ends_on_the_twenty_eighth(self):
        assert certification.certified_until(
            fuel="ELECTRICITY", meter_type="SMART", certified_on=D(2024, 2, 29)
        ) == D(2034, 2, 28)
        assert certification.add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)


class TestDue:
    TODAY = D(2026, 11, 23)

    def due(self, until: datetime.date | None, lead_days: int = 90) -> bool:
        return certification.is_recertification_due(
            certified_until=until, today=self.TODAY, lead_days=lead_days
        )

    def test_due_within_the_lead_time_and_after_it_has_ended(self):
        assert self.due(D(2027, 2, 21))  # exactly 90 days ahead
        assert self.due(D(2026, 12, 1))
        assert self.due(D(2020, 1, 1))  # already out of certification

    def test_not_due_beyond_the_lead_time_or_when_unknown(self):
        assert not self.due(D(2027, 2, 22))
        assert not self.due(None)

    def test_a_lead_time_of_nothing_is_due_only_once_ended_or_ending_today(self):
        assert self.due(self.TODAY, lead_days=0)
        assert not self.due(self.TODAY + datetime.timedelta(days=1), lead_days=0)

    @given(
        until=st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)),
        lead=st.integers(min_value=0, max_value=400),
    )
    def test_due_exactly_when_the_end_is_no_later_than_the_due_by_day(self, until, lead):
        due_by = certification.recertification_due_by(today=self.TODAY, lead_days=lead)

        assert self.due(until, lead) == (until <= due_by)

    @given(day=st.dates(min_value=D(1990, 1, 1), max_value=D(2070, 12, 31)))
    def test_a_certification_always_ends_after_it_began(self, day):
        for fuel in ("ELECTRICITY", "GAS"):
            until = certification.certified_until(fuel=fuel, meter_type="CREDIT", certified_on=day)
            years = certification.certification_years(fuel=fuel, meter_type="CREDIT")
            assert until > day
            assert until.year - day.year == years
