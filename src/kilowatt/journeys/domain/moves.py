"""The rules of moves and losses, as plain functions over dates and frozen facts.

One convention for every date, half-open like every period here: a move's date is the
first day that belongs to the next occupier. A customer ``moving_out_on`` a day is
responsible up to the day before; their agreements end on it (``valid_to`` is that day,
exclusive), and their final reading is the one taken that day, which billing counts as
the read at the boundary (a bill's period ends on the day of its closing read). A new
occupier ``moving_in_on`` a day is responsible from that day; the previous occupier's
agreements end on it. A loss's ``supply_end_date`` is the gaining supplier's first day.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum

from kilowatt.platform.errors import Problem

# A customer may tell us of a move up to four weeks after it (a final bill is then still
# due within six weeks of the move) and up to three months before it.
MOVE_OUT_MAX_DAYS_PAST = 28
MOVE_MAX_DAYS_AHEAD = 90
# A new occupier is often found late (a reading shows someone lives there).
MOVE_IN_MAX_DAYS_PAST = 90
# The final reading is asked for on the day; a reminder follows the day after.
READING_REMINDER_AFTER = datetime.timedelta(days=1)
# A new occupier who has not signed up is reminded once, 14 days after the invitation.
SIGN_UP_REMINDER_AFTER = datetime.timedelta(days=14)
OCCUPIER_FIRST_NAME, OCCUPIER_LAST_NAME = "The", "Occupier"


def move_date_problems(
    *,
    field: str,
    day: datetime.date,
    today: datetime.date,
    max_days_past: int,
    max_days_ahead: int = MOVE_MAX_DAYS_AHEAD,
) -> list[Problem]:
    """Return what is wrong with a move's date: too long ago, or too far ahead."""
    if day < today - datetime.timedelta(days=max_days_past):
        return [
            Problem(
                field,
                "too_far_in_past",
                f"must be no more than {max_days_past} days ago: please call us about an "
                "older move",
            )
        ]
    if day > today + datetime.timedelta(days=max_days_ahead):
        return [
            Problem(
                field,
                "too_far_ahead",
                f"must be within {max_days_ahead} days from today: tell us nearer the time",
            )
        ]
    return []


@dataclasses.dataclass(frozen=True)
class AccountFacts:
    """What the move-out rules need of an account."""

    status: str  # PENDING, ACTIVE or CLOSED
    open_agreement_starts: tuple[datetime.date, ...]  # agreements not ended by the move
    moving_out: bool  # a move out is recorded already


def move_out_problems(
    *, account: AccountFacts, moving_out_on: datetime.date, today: datetime.date
) -> list[Problem]:
    """Return every reason a move out on ``moving_out_on`` cannot be recorded."""
    if account.moving_out:
        return [Problem("account", "already_moving_out", "a move out is recorded already")]
    if account.status != "ACTIVE":
        return [Problem("account", "not_active", "the account is not active")]
    if not account.open_agreement_starts:
        return [Problem("account", "not_supplied", "we do not supply this account any more")]
    found = move_date_problems(
        field="moving_out_on",
        day=moving_out_on,
        today=today,
        max_days_past=MOVE_OUT_MAX_DAYS_PAST,
    )
    if not found and moving_out_on <= max(account.open_agreement_starts):
        found.append(
            Problem(
                "moving_out_on",
                "after_supply_start",
                "must be after the day we started supplying you",
            )
        )
    return found


def final_reading_problems(*, moving_out_on: datetime.date, today: datetime.date) -> list[Problem]:
    """Return why a final reading cannot be taken now: only on or after the moving day."""
    if today < moving_out_on:
        return [
            Problem(
                "final_reading",
                "before_moving_day",
                "read your meter on the day you move: we will email you a link that day",
            )
        ]
    return []


def occupier_name_parts(name: str) -> tuple[str, str] | None:
    """Return (first name, last name) of an occupier's name, ("The", "Occupier") for none,
    or None when a single word cannot be split."""
    parts = name.split()
    if not parts:
        return OCCUPIER_FIRST_NAME, OCCUPIER_LAST_NAME
    if len(parts) == 1:
        return None
    return parts[0], " ".join(parts[1:])


def meter_type_of_bands(bands: frozenset[str]) -> str | None:
    """Return the meter type (as quotes name them) of a meter's register bands: STANDARD
    for one ANYTIME register, ECONOMY_7 for DAY and NIGHT; None for anything else."""
    if bands == frozenset({"ANYTIME"}):
        return "STANDARD"
    if bands == frozenset({"DAY", "NIGHT"}):
        return "ECONOMY_7"
    return None


# --- which step is next -------------------------------------------------------------------


class Step(enum.StrEnum):
    WAIT = "WAIT"
    REMIND_READING = "REMIND_READING"
    CLOSE = "CLOSE"
    REMIND_SIGN_UP = "REMIND_SIGN_UP"
    SIGNED_UP = "SIGNED_UP"
    END_SUPPLY = "END_SUPPLY"


@dataclasses.dataclass(frozen=True)
class MoveOutState:
    moving_out_on: datetime.date
    has_final_reading: bool
    reminded: bool
    final_bill_issued: bool
    supply_ended: bool  # every agreement of the account has ended by today


def next_move_out_step(state: MoveOutState, *, today: datetime.date) -> Step:
    """Return what a move out does next: close the account once its final bill is
    issued; remind for the final reading once, from the day after the move, if none
    came; otherwise wait."""
    if state.final_bill_issued and state.supply_ended:
        return Step.CLOSE
    if (
        not state.has_final_reading
        and not state.reminded
        and today >= state.moving_out_on + READING_REMINDER_AFTER
    ):
        return Step.REMIND_READING
    return Step.WAIT


@dataclasses.dataclass(frozen=True)
class MoveInState:
    invited_on: datetime.date | None  # None: not invited (no email address)
    reminded: bool
    signed_up: bool  # another account of theirs supplies the site from the move in


def next_move_in_step(state: MoveInState, *, today: datetime.date) -> Step:
    """Return what a move in does next: done once they signed up; one reminder 14 days
    after the invitation; otherwise wait."""
    if state.signed_up:
        return Step.SIGNED_UP
    if (
        state.invited_on is not None
        and not state.reminded
        and today >= state.invited_on + SIGN_UP_REMINDER_AFTER
    ):
        return Step.REMIND_SIGN_UP
    return Step.WAIT


@dataclasses.dataclass(frozen=True)
class LossState:
    supply_end_date: datetime.date
    status: str  # the Loss row's status
    final_bill_issued: bool
    supply_ended: bool  # every agreement of the account has ended by today


def next_loss_step(state: LossState, *, today: datetime.date) -> Step:
    """Return what a loss does next: end the agreement on the loss date (not before:
    the switch may still be cancelled); close the account once the final bill is issued
    and nothing is supplied; otherwise wait."""
    if state.status == "PENDING" and today >= state.supply_end_date:
        return Step.END_SUPPLY
    if state.status == "ENDED" and state.final_bill_issued and state.supply_ended:
        return Step.CLOSE
    return Step.WAIT


# --- the retention offer ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PricedOffer:
    tariff_code: str
    tariff_name: str
    kind: str
    term_months: int | None
    annual_pence: int


def retention_offer(
    offers: list[PricedOffer], *, current_annual_pence: int | None
) -> tuple[PricedOffer, int] | None:
    """Return the cheapest fixed offer with the saving on a year against the current
    tariff (0 when it saves nothing or the current cost is unknown), or None when no
    fixed tariff is on sale."""
    fixed = sorted(
        (offer for offer in offers if offer.kind == "FIXED"),
        key=lambda offer: (offer.annual_pence, offer.tariff_code),
    )
    if not fixed:
        return None
    best = fixed[0]
    saving = 0 if current_annual_pence is None else max(current_annual_pence - best.annual_pence, 0)
    return best, saving
