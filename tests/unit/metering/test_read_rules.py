"""The read rules as a person would state them, and one property of the set-based form:
judging many registers at once gives each the answer it would get alone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from kilowatt.metering.domain import reads

TODAY = datetime.date(2026, 11, 23)


def facts(register_id: int = 1, **overrides) -> reads.RegisterFacts:
    values = dict(
        register_id=register_id,
        fuel="ELECTRICITY",
        units="KWH",
        digits=5,
        meter_installed_date=datetime.date(2020, 1, 1),
        meter_removed_date=None,
        supply_start_date=datetime.date(2021, 1, 1),
        supply_end_date=None,
        annual_kwh=Decimal(2900),
        calorific_value=None,
    )
    return reads.RegisterFacts(**{**values, **overrides})


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=day)


def judge(value: int, *, day: int = 31, history=((0, 1000),), **overrides) -> reads.Outcome:
    return reads.assess_one(
        facts=facts(**overrides),
        read_at=at(day),
        value=Decimal(value),
        history=[(at(d), Decimal(v)) for d, v in history],
        today=TODAY,
    )


class TestAssessOne:
    def test_a_month_of_ordinary_use_is_accepted(self):
        outcome = judge(1250)

        assert (outcome.status, outcome.advance, outcome.rolled_over) == ("ACCEPTED", 250, False)

    def test_a_wrap_past_the_last_digit_is_a_rollover(self):
        outcome = judge(100, history=((0, 99_950),))

        assert (outcome.status, outcome.advance, outcome.rolled_over) == ("ACCEPTED", 150, True)

    def test_a_small_dip_is_a_negative_advance_not_a_rollover(self):
        outcome = judge(990)

        assert (outcome.status, outcome.rule) == ("HELD", "negative_advance")

    def test_a_read_between_two_others_must_fit_between_them(self):
        outcome = judge(1600, day=15, history=((0, 1000), (31, 1250)))

        assert (outcome.status, outcome.rule) == ("HELD", "higher_than_later_read")

    def test_a_meter_removed_before_the_day_cannot_be_read(self):
        outcome = judge(1250, meter_removed_date=datetime.date(2026, 1, 15))

        assert (outcome.status, outcome.rule) == ("REFUSED", "meter_not_installed")

    def test_after_the_supply_ended_is_refused(self):
        outcome = judge(1250, supply_end_date=datetime.date(2026, 1, 20))

        assert (outcome.status, outcome.rule) == ("REFUSED", "after_supply_end")

    def test_a_different_value_at_the_same_moment_is_held(self):
        outcome = judge(1001, day=0)

        assert (outcome.status, outcome.rule) == ("HELD", "conflicts_with_read")

    def test_no_history_makes_an_opening_read(self):
        outcome = judge(1250, history=())

        assert (outcome.status, outcome.advance) == ("ACCEPTED", None)


_readings = st.lists(
    st.tuples(st.integers(0, 300), st.integers(0, 99_999)),
    min_size=1,
    max_size=6,
    unique_by=lambda r: r[0],
)


@settings(max_examples=60, deadline=None)
@given(per_register=st.lists(st.tuples(_readings, _readings), min_size=1, max_size=4))
def test_many_registers_at_once_judge_as_each_alone(per_register):
    candidates, histories, alone = [], [], []
    for register_id, (history, offered) in enumerate(per_register, start=1):
        rows = [
            reads.candidate_row(
                row=0, facts=facts(register_id), read_at=at(day), value=Decimal(value)
            )
            for day, value in offered
        ]
        past = [
            {"register_id": register_id, "read_at": at(d), "value_milli": v * 1000}
            for d, v in history
        ]
        judged = reads.assess(
            pl.DataFrame(rows, schema=reads.CANDIDATE_SCHEMA).with_columns(
                row=pl.int_range(pl.len())
            ),
            pl.DataFrame(past, schema=reads.HISTORY_SCHEMA),
            today=TODAY,
        )
        alone.append(judged.select("register_id", "read_at", "status", "rule", "advance_milli"))
        candidates += rows
        histories += past

    together = reads.assess(
        pl.DataFrame(candidates, schema=reads.CANDIDATE_SCHEMA).with_columns(
            row=pl.int_range(pl.len())
        ),
        pl.DataFrame(histories, schema=reads.HISTORY_SCHEMA),
        today=TODAY,
    ).select("register_id", "read_at", "status", "rule", "advance_milli")

    expected = pl.concat(alone).sort("register_id", "read_at")
    assert together.sort("register_id", "read_at").equals(expected)
