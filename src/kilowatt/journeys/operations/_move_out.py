"""Moving out: the customer (or staff for them) tells us the day; the account's
agreements end on it at once, the final reading is asked for on the day (and given
through the journey, since a customer's own readings page closes with their supply),
billing's daily final bill follows, and the account closes once that bill is issued.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.comms import operations as comms
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Permission, Principal, Role
from kilowatt.journeys import models
from kilowatt.journeys.domain import moves
from kilowatt.journeys.operations import _shared
from kilowatt.metering import operations as metering_operations
from kilowatt.platform import events
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound, Problem, raise_if
from kilowatt.platform.periods import london_date
from kilowatt.properties.domain import addresses

MoveOut = models.MoveOut
# Which field of a final reading a refused read's rule is about (the rest: its value).
_FIELD_OF_RULE = {
    "read_date_future": "read_at",
    "before_supply_start": "read_at",
    "after_supply_end": "read_at",
    "meter_not_installed": "register",
    "unknown_register": "register",
    "register_ambiguous": "register",
}


@dataclasses.dataclass(frozen=True)
class FinalReading:
    """One register's value of a meter read on the moving day."""

    identifier: str  # the meter point's MPAN or MPRN
    register: str
    value: Decimal


def _require_may_move(by: Principal) -> None:
    if by.role is Role.CUSTOMER:
        return  # their own account: ``account_for`` has said so
    if not by.may(Permission.EDIT_CUSTOMERS):
        raise NotAllowed(f"{by.username} may not record moves")


def _open_agreements(account, moving_out_on: datetime.date, point_ids: set[int] | None = None):
    return [
        agreement
        for agreement in account.agreements.all()
        if (agreement.valid_to is None or agreement.valid_to > moving_out_on)
        and (point_ids is None or agreement.meter_point_id in point_ids)
    ]


def start_move_out(
    *,
    by: Principal,
    account,
    moving_out_on: datetime.date,
    origin: str,
    forwarding: addresses.Address | None,
    point_ids: set[int] | None = None,
    as_at: datetime.datetime,
) -> models.MoveOut:
    """Write the journey row and end the account's agreements (at ``point_ids`` only, if
    given) on the moving day; inside the caller's transaction, the rules checked."""
    try:
        with transaction.atomic():
            journey = MoveOut.objects.create(
                account_id=account.id,
                moving_out_on=moving_out_on,
                origin=origin,
                status=MoveOut.Status.OPEN,
                forwarding_address_line_1=forwarding.address_line_1 if forwarding else "",
                forwarding_address_line_2=forwarding.address_line_2 if forwarding else "",
                forwarding_town=forwarding.town if forwarding else "",
                forwarding_county=forwarding.county if forwarding else "",
                forwarding_postcode=forwarding.postcode if forwarding else "",
                recorded_by=by.username,
                created_at=as_at,
            )
    except IntegrityError:  # another request recorded it first
        raise InvalidInput.one(
            field="account", rule="already_moving_out", message="a move out is recorded already"
        ) from None
    system = _shared.acting_for(by)
    for agreement in _open_agreements(account, moving_out_on, point_ids):
        account_operations.end_agreement(
            by=system, agreement_id=agreement.id, valid_to=moving_out_on, as_at=as_at
        )
    events.publish(
        name="journeys.move_out.recorded.v1",
        payload={
            "move_out_id": journey.id,
            "account_id": account.id,
            "moving_out_on": moving_out_on.isoformat(),
            "origin": origin,
        },
        at=as_at,
    )
    return journey


@transaction.atomic
def record_move_out(
    *,
    by: Principal,
    account_number: str,
    moving_out_on: datetime.date,
    forwarding_address: addresses.Address,
    final_reading: Sequence[FinalReading] = (),
    as_at: datetime.datetime,
) -> models.MoveOut:
    """Record that the account's customer moves out on ``moving_out_on`` (the first day
    no longer theirs): the journey, every agreement of the account ended on that day,
    and the final reading if given (only on or after the day), else an email asking for
    it on the day with the link to give it.

    :raises NotFound: no such account, or ``by`` may not see it (a customer: not theirs).
    :raises NotAllowed: ``by`` is staff without ``EDIT_CUSTOMERS``.
    :raises InvalidInput: ``account``/``already_moving_out``, ``not_active``,
        ``not_supplied``; ``moving_out_on``/``too_far_in_past``, ``too_far_ahead``,
        ``after_supply_start``; ``forwarding_address.<field>`` (the address rules);
        ``final_reading``/``before_moving_day``, ``final_reading.N.<field>`` (a reading
        refused). Nothing is kept.
    """
    account = account_queries.account_for(by, number=account_number)
    _require_may_move(by)
    today = london_date(as_at)
    open_agreements = _open_agreements(account, moving_out_on)
    forwarding = addresses.normalise(forwarding_address)
    problems = moves.move_out_problems(
        account=moves.AccountFacts(
            status=account.status,
            open_agreement_starts=tuple(a.valid_from for a in open_agreements),
            moving_out=MoveOut.objects.filter(account_id=account.id).exists(),
        ),
        moving_out_on=moving_out_on,
        today=today,
    )
    problems += [
        Problem(f"forwarding_address.{p.field}", p.rule, p.message)
        for p in addresses.problems(forwarding)
    ]
    if final_reading:
        problems += moves.final_reading_problems(moving_out_on=moving_out_on, today=today)
    raise_if(problems)
    origin = MoveOut.Origin.CUSTOMER if by.role is Role.CUSTOMER else MoveOut.Origin.STAFF
    journey = start_move_out(
        by=by,
        account=account,
        moving_out_on=moving_out_on,
        origin=origin,
        forwarding=forwarding,
        as_at=as_at,
    )
    if final_reading:
        _record_reading(by, journey, account, final_reading, as_at=as_at)
    else:
        _ask_for_reading(journey, account, as_at=as_at)
    return journey


def _record_reading(
    by: Principal,
    journey: models.MoveOut,
    account,
    readings: Sequence[FinalReading],
    *,
    as_at: datetime.datetime,
) -> None:
    """Record the final reading through metering's one validation path, dated the moving
    day: at the moment given when given that day, else at the day's start."""
    identifiers = {a.meter_point.identifier for a in account.agreements.all()}
    day = journey.moving_out_on
    read_at = as_at if london_date(as_at) == day else _shared.london_midnight(day)
    problems: list[Problem] = []
    for number, reading in enumerate(readings):
        if reading.identifier.replace(" ", "") not in identifiers:
            problems.append(
                Problem(
                    f"final_reading.{number}.identifier",
                    "not_on_account",
                    "not a meter point of this account",
                )
            )
    raise_if(problems)
    source = "CUSTOMER" if by.role is Role.CUSTOMER else "AGENT"
    outcomes = metering_operations.record_reads(
        reads=[
            metering_operations.ReadIn(
                meter_point=reading.identifier.replace(" ", ""),
                read_at=read_at,
                value=reading.value,
                register=reading.register,
            )
            for reading in readings
        ],
        source=source,
        received_by=by.username,
        reference=f"move out {journey.id}",
        as_at=as_at,
    )
    for number, outcome in enumerate(outcomes):
        if outcome.status == "REFUSED":
            field = _FIELD_OF_RULE.get(outcome.rule, "value")
            problems.append(
                Problem(f"final_reading.{number}.{field}", outcome.rule, outcome.message)
            )
    raise_if(problems)  # the caller's transaction keeps none of them
    journey.final_reading_at = as_at
    journey.save(update_fields=["final_reading_at"])


def _ask_for_reading(journey: models.MoveOut, account, *, as_at: datetime.datetime) -> None:
    customer = customer_queries.customer_by_id(_shared.SYSTEM, customer_id=account.customer_id)
    to = _shared.email_of(customer.id)
    if not to:
        return  # TODO: a letter through the print bureau when we have no email address
    comms.queue_email(
        key=f"move-out:{journey.id}:reading",
        to=to,
        template="journeys/email/final_reading",
        context={
            "name": _shared.customer_name(customer),
            "account_number": account.number,
            "moving_out_on": journey.moving_out_on,
            "link": _shared.public_url(_shared.MOVE_HOME_PATH),
            "identifiers": sorted({a.meter_point.identifier for a in account.agreements.all()}),
            "today_is_the_day": london_date(as_at) >= journey.moving_out_on,
        },
        as_at=as_at,
    )
    journey.reading_requested_at = as_at
    journey.save(update_fields=["reading_requested_at"])


@transaction.atomic
def record_final_reading(
    *,
    by: Principal,
    account_number: str,
    readings: Sequence[FinalReading],
    as_at: datetime.datetime,
) -> models.MoveOut:
    """Record the final reading of a move out (on or after the moving day), dated the
    moving day.

    :raises NotFound: no such account, or ``by`` may not see it.
    :raises NotAllowed: ``by`` is staff without ``EDIT_CUSTOMERS``.
    :raises InvalidInput: ``account``/``not_moving_out``; ``final_reading``/
        ``before_moving_day``, ``already_given``, ``required``;
        ``final_reading.N.<field>`` (a reading refused).
    """
    account = account_queries.account_for(by, number=account_number)
    _require_may_move(by)
    journey = MoveOut.objects.select_for_update().filter(account_id=account.id).first()
    if journey is None:
        raise InvalidInput.one(
            field="account", rule="not_moving_out", message="no move out is recorded"
        )
    problems = moves.final_reading_problems(
        moving_out_on=journey.moving_out_on, today=london_date(as_at)
    )
    if journey.final_reading_at is not None:
        problems.append(Problem("final_reading", "already_given", "we have your final reading"))
    if not readings:
        problems.append(Problem("final_reading", "required", "give a reading of each register"))
    raise_if(problems)
    _record_reading(by, journey, account, readings, as_at=as_at)
    return journey


def remind_final_reading(*, move_out_id: int, as_at: datetime.datetime) -> bool:
    """Email the one reminder for a final reading; return whether one was queued.

    :raises NotFound: no such move out.
    """
    with transaction.atomic():
        journey = MoveOut.objects.select_for_update().filter(id=move_out_id).first()
        if journey is None:
            raise NotFound(f"move out {move_out_id}")
        if journey.reading_reminded_at is not None or journey.final_reading_at is not None:
            return False
        account = _shared.account_by_id(journey.account_id)
        customer = customer_queries.customer_by_id(_shared.SYSTEM, customer_id=account.customer_id)
        journey.reading_reminded_at = as_at
        journey.save(update_fields=["reading_reminded_at"])
        to = _shared.email_of(customer.id)
        if not to:
            return False
        comms.queue_email(
            key=f"move-out:{journey.id}:reading-reminder",
            to=to,
            template="journeys/email/final_reading_reminder",
            context={
                "name": _shared.customer_name(customer),
                "account_number": account.number,
                "moving_out_on": journey.moving_out_on,
                "link": _shared.public_url(_shared.MOVE_HOME_PATH),
            },
            as_at=as_at,
        )
        return True
