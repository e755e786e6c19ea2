"""The rules of moves and losses: dates a move may have, and which step is next."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from kilowatt.journeys.domain import moves

TODAY = datetime.date(2026, 3, 10)
ACTIVE = moves.AccountFacts(
    status="ACTIVE", open_agreement_starts=(datetime.date(2026, 2, 1),), moving_out=False
)


def _rules(problems):
    return [(p.field, p.rule) for p in problems]


def test_a_move_out_within_the_limits_is_fine():
    for day in (TODAY, TODAY - datetime.timedelta(days=28), TODAY + datetime.timedelta(days=90)):
        assert moves.move_out_problems(account=ACTIVE, moving_out_on=day, today=TODAY) == []


def test_a_move_out_too_long_ago_or_too_far_ahead_is_refused_naming_the_rule():
    past = moves.move_out_problems(
        account=ACTIVE, moving_out_on=TODAY - datetime.timedelta(days=29), today=TODAY
    )
    ahead = moves.move_out_problems(
        account=ACTIVE, moving_out_on=TODAY + datetime.timedelta(days=91), today=TODAY
    )
    assert _rules(past) == [("moving_out_on", "too_far_in_past")]
    assert _rules(ahead) == [("moving_out_on", "too_far_ahead")]


def test_a_move_out_must_be_after_the_supply_started():
    problems = moves.move_out_problems(
        account=ACTIVE, moving_out_on=datetime.date(2026, 2, 1), today=datetime.date(2026, 2, 5)
    )
    assert _rules(problems) == [("moving_out_on", "after_supply_start")]


def test_an_account_not_active_not_supplied_or_already_moving_is_refused():
    cases = {
        "not_active": moves.AccountFacts("PENDING", ACTIVE.open_agreement_starts, False),
        "not_supplied": moves.AccountFacts("ACTIVE", (), False),
        "already_moving_out": moves.AccountFacts("ACTIVE", ACTIVE.open_agreement_starts, True),
    }
    for rule, facts in cases.items():
        problems = moves.move_out_problems(account=facts, moving_out_on=TODAY, today=TODAY)
        assert _rules(problems) == [("account", rule)]


def test_a_final_reading_is_taken_on_or_after_the_moving_day():
    assert moves.final_reading_problems(moving_out_on=TODAY, today=TODAY) == []
    early = moves.final_reading_problems(
        moving_out_on=TODAY, today=TODAY - datetime.timedelta(days=1)
    )
    assert _rules(early) == [("final_reading", "before_moving_day")]


@given(st.dates(max_value=datetime.date(2100, 1, 1)), st.integers(min_value=0, max_value=60))
def test_the_reading_reminder_comes_once_from_the_day_after(day, later):
    today = day + datetime.timedelta(days=later)
    state = moves.MoveOutState(day, False, False, False, False)
    expected = moves.Step.REMIND_READING if today > day else moves.Step.WAIT
    assert moves.next_move_out_step(state, today=today) is expected
    reminded = moves.MoveOutState(day, False, True, False, False)
    assert moves.next_move_out_step(reminded, today=today) is moves.Step.WAIT
    read = moves.MoveOutState(day, True, False, False, False)
    assert moves.next_move_out_step(read, today=today) is moves.Step.WAIT


def test_a_move_out_closes_once_finally_billed_and_nothing_is_supplied():
    state = moves.MoveOutState(TODAY, False, True, True, True)
    assert moves.next_move_out_step(state, today=TODAY) is moves.Step.CLOSE
    supplied = moves.MoveOutState(TODAY, False, True, True, False)
    assert moves.next_move_out_step(supplied, today=TODAY) is moves.Step.WAIT


def test_a_new_occupier_is_reminded_once_after_14_days_unless_signed_up():
    invited = datetime.date(2026, 3, 1)
    state = moves.MoveInState(invited_on=invited, reminded=False, signed_up=False)
    assert moves.next_move_in_step(state, today=datetime.date(2026, 3, 14)) is moves.Step.WAIT
    assert (
        moves.next_move_in_step(state, today=datetime.date(2026, 3, 15))
        is moves.Step.REMIND_SIGN_UP
    )
    done = moves.MoveInState(invited_on=invited, reminded=False, signed_up=True)
    assert moves.next_move_in_step(done, today=invited) is moves.Step.SIGNED_UP
    letter = moves.MoveInState(invited_on=None, reminded=False, signed_up=False)
    assert moves.next_move_in_step(letter, today=datetime.date(2027, 1, 1)) is moves.Step.WAIT


def test_a_loss_ends_the_supply_on_its_date_not_before():
    end = datetime.date(2026, 4, 1)
    pending = moves.LossState(end, "PENDING", False, False)
    assert moves.next_loss_step(pending, today=end - datetime.timedelta(days=1)) is moves.Step.WAIT
    assert moves.next_loss_step(pending, today=end) is moves.Step.END_SUPPLY
    cancelled = moves.LossState(end, "CANCELLED", False, False)
    assert moves.next_loss_step(cancelled, today=end) is moves.Step.WAIT
    ended = moves.LossState(end, "ENDED", True, True)
    assert moves.next_loss_step(ended, today=end) is moves.Step.CLOSE


def test_occupier_names_split_or_default():
    assert moves.occupier_name_parts("") == ("The", "Occupier")
    assert moves.occupier_name_parts("  Grace  Brewster Hopper ") == ("Grace", "Brewster Hopper")
    assert moves.occupier_name_parts("Cher") is None


def test_meter_types_from_register_bands():
    assert moves.meter_type_of_bands(frozenset({"ANYTIME"})) == "STANDARD"
    assert moves.meter_type_of_bands(frozenset({"DAY", "NIGHT"})) == "ECONOMY_7"
    assert moves.meter_type_of_bands(frozenset({"PEAK", "OFF_PEAK"})) is None


def test_the_retention_offer_is_the_cheapest_fixed_tariff_with_its_saving():
    offers = [
        moves.PricedOffer("VAR", "Flexible", "VARIABLE", None, 90_000),
        moves.PricedOffer("FIX24", "Fixed 24", "FIXED", 24, 95_000),
        moves.PricedOffer("FIX12", "Fixed 12", "FIXED", 12, 93_000),
    ]
    best, saving = moves.retention_offer(offers, current_annual_pence=100_000)  # type: ignore[misc]
    assert (best.tariff_code, saving) == ("FIX12", 7_000)
    assert moves.retention_offer(offers, current_annual_pence=90_000)[1] == 0  # type: ignore[index]
    assert moves.retention_offer(offers[:1], current_annual_pence=None) is None
