"""The lifecycle and slot rules, without a database."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.field.domain import compensation, jobs, slots

TODAY = datetime.date(2026, 3, 10)


class TestTransitions:
    @pytest.mark.parametrize(
        ("current", "target"),
        [
            ("RAISED", "BOOKED"),
            ("RAISED", "ABORTED"),
            ("BOOKED", "EN_ROUTE"),
            ("BOOKED", "MISSED"),
            ("BOOKED", "ABORTED"),
            ("EN_ROUTE", "COMPLETED"),
            ("EN_ROUTE", "ABORTED"),
            ("EN_ROUTE", "MISSED"),
        ],
    )
    def test_the_legal_moves_pass(self, current, target):
        assert jobs.transition_problems(current=current, target=target, reason="no access") == []

    @pytest.mark.parametrize(
        ("current", "target"),
        [
            ("BOOKED", "COMPLETED"),  # the engineer sets off first
            ("RAISED", "EN_ROUTE"),  # no appointment yet
            ("COMPLETED", "MISSED"),
            ("MISSED", "MISSED"),  # so compensation cannot be owed twice
            ("ABORTED", "BOOKED"),
            ("EN_ROUTE", "BOOKED"),
        ],
    )
    def test_illegal_moves_name_the_rule(self, current, target):
        (problem,) = jobs.transition_problems(current=current, target=target, reason="x")

        assert (problem.field, problem.rule) == ("status", "illegal_transition")

    @given(st.sampled_from(jobs.STATUSES), st.sampled_from(jobs.STATUSES))
    def test_finished_jobs_never_move_and_open_ones_only_forward(self, current, target):
        problems = jobs.transition_problems(current=current, target=target, reason="because")
        if current not in jobs.OPEN:
            assert problems
        if not problems:
            assert target in jobs.allowed_next(current)

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_an_abort_needs_a_reason(self, reason):
        (problem,) = jobs.transition_problems(current="BOOKED", target="ABORTED", reason=reason)

        assert (problem.field, problem.rule) == ("reason", "required")

    def test_an_unknown_status_is_refused(self):
        (problem,) = jobs.transition_problems(current="BOOKED", target="LOST")

        assert problem.rule == "choice"

    def test_only_cancelling_a_booked_job_frees_its_slot(self):
        assert jobs.frees_slot(current="BOOKED", target="ABORTED")
        assert not jobs.frees_slot(current="EN_ROUTE", target="ABORTED")
        assert not jobs.frees_slot(current="BOOKED", target="MISSED")

    def test_only_a_missed_appointment_owes_thirty_pounds(self):
        assert jobs.owes_compensation("MISSED")
        assert not jobs.owes_compensation("ABORTED")
        assert compensation.owed_for_missed_appointment() == ("MISSED_APPOINTMENT", 3000)


class TestKinds:
    def test_a_smart_meter_needs_no_smart_installation(self):
        (problem,) = jobs.kind_problems(kind="SMART_INSTALL", current_meter_type="SMART")

        assert (problem.field, problem.rule) == ("kind", "already_smart")

    def test_a_visit_to_a_meter_needs_a_meter(self):
        assert jobs.kind_problems(kind="MUST_READ", current_meter_type=None)[0].rule == "no_meter"
        assert jobs.kind_problems(kind="SMART_INSTALL", current_meter_type=None) == []
        assert jobs.kind_problems(kind="METER_EXCHANGE", current_meter_type="CREDIT") == []


def slot(date: datetime.date, *, engineers: int = 2, booked: int = 0, region: str = "12"):
    return slots.SlotFacts(region=region, date=date, slot="AM", engineers=engineers, booked=booked)


class TestSlots:
    def test_the_window_is_the_next_fourteen_days_from_tomorrow(self):
        assert slots.booking_window(TODAY) == (
            datetime.date(2026, 3, 11),
            datetime.date(2026, 3, 25),
        )

    def test_a_slot_with_a_free_place_tomorrow_may_be_booked(self):
        tomorrow = TODAY + datetime.timedelta(days=1)

        assert (
            slots.booking_problems(slot(tomorrow, booked=1), meter_point_region="12", today=TODAY)
            == []
        )

    def test_a_full_slot_is_refused_naming_field_and_rule(self):
        full = slot(TODAY + datetime.timedelta(days=2), engineers=3, booked=3)

        (problem,) = slots.booking_problems(full, meter_point_region="12", today=TODAY)

        assert (problem.field, problem.rule) == ("slot", "slot_full")

    @pytest.mark.parametrize(
        ("offset", "rule"), [(0, "slot_too_soon"), (-3, "slot_too_soon"), (15, "slot_too_far")]
    )
    def test_slots_outside_the_window_are_refused(self, offset, rule):
        late = slot(TODAY + datetime.timedelta(days=offset))

        assert [
            p.rule for p in slots.booking_problems(late, meter_point_region="12", today=TODAY)
        ] == [rule]

    def test_a_slot_in_another_region_is_refused(self):
        other = slot(TODAY + datetime.timedelta(days=1), region="16")

        assert [
            p.rule for p in slots.booking_problems(other, meter_point_region="12", today=TODAY)
        ] == ["slot_region"]

    def test_windows_are_morning_and_afternoon(self):
        assert slots.window_label("AM") == "08:00 to 12:00"
        assert slots.window_label("PM") == "12:00 to 18:00"

    def test_capacity_rules(self):
        assert slots.capacity_problems(region="12", slot="AM", engineers=4) == []
        rules = {p.rule for p in slots.capacity_problems(region="X", slot="EVE", engineers=-1)}
        assert rules == {"region", "choice", "range"}
