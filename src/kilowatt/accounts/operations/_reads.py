"""A person gives a meter reading: the gate around metering's one validation path.

Metering knows nothing of who may see a meter point; accounts does (a meter point is
seen through the accounts that supply it). So a reading from a customer or an agent on
the phone comes through here: check the permission and the meter point (``NotFound``
alike for missing and not yours), then record it through the same path every other
source takes. A refused reading is answered as invalid input naming the field and the
rule, and nothing of it is kept.

A photo of the meter may come with it: checked first (by its bytes: a JPEG, PNG or WebP
of at most 5 MB), then kept with the recorded read in the same transaction, so a bad
photo keeps nothing and a kept read has its photo.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from kilowatt.accounts import queries
from kilowatt.identity.domain.roles import Permission, Principal, Role
from kilowatt.metering import operations as metering_operations
from kilowatt.platform import periods as periods_rules
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound, Problem

# Which input field a refused reading's rule is about.
_FIELD_OF_RULE = {
    "read_date_future": "read_at",
    "before_supply_start": "read_at",
    "after_supply_end": "read_at",
    "meter_not_installed": "meter_serial",
    "too_many_digits": "value",
    "negative_value": "value",
    "unknown_register": "register",
    "register_ambiguous": "register",
}


@dataclasses.dataclass(frozen=True)
class SubmittedRead:
    """What became of a reading given by a person: ``ReadOutcome``'s fields, and whether
    a photo was kept with it (not for a reading we already had)."""

    status: str
    rule: str
    message: str
    read_id: int | None
    has_photo: bool


@transaction.atomic
def submit_read(
    *,
    by: Principal,
    identifier: str,
    read: metering_operations.ReadIn,
    photo: bytes | None = None,
    photo_content_type: str = "",
    as_at: datetime.datetime,
) -> SubmittedRead:
    """Record a reading ``by`` gives for a meter point they may see: a customer's own,
    or any an agent may see (taken on the phone), with a photo of the meter if given.

    Returns the outcome: ``ACCEPTED``, ``DUPLICATE`` (already had it: a photo with it
    is not kept) or ``HELD`` (a person will check it; the message says why).

    :raises NotFound: no such meter point, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not give readings.
    :raises InvalidInput: the reading was refused (the field and rule are named), or
        the photo was (field ``photo``: ``empty``, ``too_large``, ``not_an_image``;
        ``photo_content_type``: ``does_not_match_photo``); nothing is kept.
    """
    point = queries.meter_point_for(by, identifier=identifier)
    if not by.may(Permission.SUBMIT_READS):
        raise NotAllowed(f"{by.username} may not give meter readings")
    if photo is not None:
        metering_operations.check_read_photo(content=photo, declared_type=photo_content_type)
    if by.role is Role.CUSTOMER:
        # A customer reads their own supply: not a meter they have left, nor a day outside
        # their time there.
        periods = queries.own_supply_periods(by, meter_point_id=point.id)
        today, day = periods_rules.london_date(as_at), periods_rules.london_date(read.read_at)
        if not any(period.contains(today) for period in periods):
            raise NotFound(f"meter point {identifier}")
        ours = point.supply_start_date is not None and day >= point.supply_start_date
        if ours and not any(period.contains(day) for period in periods):
            raise InvalidInput.one(
                field="read_at",
                rule="outside_own_supply",
                message="the reading is from a day we did not supply you there",
            )
    source = "CUSTOMER" if by.role is Role.CUSTOMER else "AGENT"
    (outcome,) = metering_operations.record_reads(
        reads=[
            metering_operations.ReadIn(
                meter_point=point.identifier,
                read_at=read.read_at,
                value=read.value,
                meter_serial=read.meter_serial,
                register=read.register,
            )
        ],
        source=source,
        received_by=by.username,
        as_at=as_at,
    )
    if outcome.status == "REFUSED":
        raise InvalidInput.one(
            field=_FIELD_OF_RULE.get(outcome.rule, "value"),
            rule=outcome.rule,
            message=outcome.message,
        )
    kept_photo = False
    if photo is not None and outcome.read_id is not None:
        metering_operations.attach_read_photo(
            read_id=outcome.read_id,
            content=photo,
            declared_type=photo_content_type,
            received_by=by.username,
            as_at=as_at,
        )
        kept_photo = True
    return SubmittedRead(
        status=outcome.status,
        rule=outcome.rule,
        message=outcome.message,
        read_id=outcome.read_id,
        has_photo=kept_photo,
    )


@dataclasses.dataclass(frozen=True)
class RegisterReading:
    """One register's value in a reading of a whole meter (day and night on Economy 7),
    with a photo of it if given."""

    register: str
    value: Decimal
    photo: bytes | None = None
    photo_content_type: str = ""


@transaction.atomic
def submit_meter_reading(
    *,
    by: Principal,
    identifier: str,
    read_at: datetime.datetime,
    readings: Sequence[RegisterReading],
    as_at: datetime.datetime,
) -> list[SubmittedRead]:
    """Record a reading of every register of a meter at once (``submit_read`` each): all
    or nothing, so a refusal of any keeps none of them.

    :raises NotFound: no such meter point, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not give readings.
    :raises InvalidInput: one or more readings were refused; each problem's field is
        ``readings.<n>.<field>`` (``n`` counting from 0 in the order given).
    """
    problems: list[Problem] = []
    outcomes = []
    for number, reading in enumerate(readings):
        try:
            outcomes.append(
                submit_read(
                    by=by,
                    identifier=identifier,
                    read=metering_operations.ReadIn(
                        meter_point=identifier,
                        read_at=read_at,
                        value=reading.value,
                        register=reading.register,
                    ),
                    photo=reading.photo,
                    photo_content_type=reading.photo_content_type,
                    as_at=as_at,
                )
            )
        except InvalidInput as refused:  # its own transaction kept nothing of it
            problems += [
                Problem(field=f"readings.{number}.{p.field}", rule=p.rule, message=p.message)
                for p in refused.problems
            ]
    if problems:
        raise InvalidInput(problems)  # and the readings accepted before it are undone
    return outcomes
