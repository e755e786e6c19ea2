"""A meter exchange: the old meter's final read and removal, the new meter (certified
from the exchange day) and its first read, in one transaction, announced as
``metering.meter.exchanged.v1``: integrations reacts by queueing the industry's
notification of the exchange (a D0150 and D0010 for electricity, a gas transporter
notification for gas)."""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from kilowatt.metering import models, queries
from kilowatt.metering.domain import reads as read_rules
from kilowatt.metering.domain import supply
from kilowatt.metering.operations import _reads
from kilowatt.metering.operations._meter_points import _create_meter, locked_point_and_meter
from kilowatt.platform import audit, events, periods
from kilowatt.platform.errors import Problem, raise_if

EXCHANGED = "metering.meter.exchanged.v1"


@dataclasses.dataclass(frozen=True)
class RegisterRead:
    """One register's value at the exchange: ``register`` is the register's identifier."""

    register: str
    value: Decimal


@dataclasses.dataclass(frozen=True)
class Exchange:
    """What an exchange did: the meters' ids and serials and the reads it recorded."""

    meter_point_id: int
    identifier: str
    old_meter_id: int
    old_serial: str
    new_meter_id: int
    new_serial: str
    exchanged_on: datetime.date
    final_read_ids: tuple[int, ...]
    first_read_ids: tuple[int, ...]
    held: tuple[str, ...]  # "final_reads.0" ... for reads held for a person to review


def _check_reads(reads: Sequence[RegisterRead], registers: set[str], field: str) -> list[Problem]:
    given = [read.register for read in reads]
    if sorted(given) != sorted(registers) or len(set(given)) != len(given):
        return [
            Problem(
                field,
                "one_per_register",
                f"give one read for each register: {', '.join(sorted(registers))}",
            )
        ]
    return [
        Problem(f"{field}.{index}", "not_negative", "a read cannot be negative")
        for index, read in enumerate(reads)
        if read.value < 0
    ]


def _record(
    identifier: str,
    serial: str,
    reads: Sequence[RegisterRead],
    *,
    at: datetime.datetime,
    field: str,
    received_by: str,
    reference: str,
    as_at: datetime.datetime,
) -> tuple[list[int], list[str]]:
    outcomes = _reads.record_reads(
        reads=[
            _reads.ReadIn(
                meter_point=identifier,
                read_at=at,
                value=read.value,
                meter_serial=serial,
                register=read.register,
            )
            for read in reads
        ],
        source=models.Read.Source.FIELD,
        received_by=received_by,
        reference=reference,
        as_at=as_at,
    )
    refused = [
        Problem(f"{field}.{outcome.row}", outcome.rule or "refused", outcome.message)
        for outcome in outcomes
        if outcome.status == read_rules.REFUSED
    ]
    raise_if(refused)
    held = [f"{field}.{o.row}" for o in outcomes if o.status == read_rules.HELD]
    return [o.read_id for o in outcomes if o.read_id is not None], held


@transaction.atomic
def exchange_meter(
    *,
    identifier: str,
    exchanged_at: datetime.datetime,
    final_reads: Sequence[RegisterRead],
    new_meter: supply.MeterDetails,
    first_reads: Sequence[RegisterRead],
    received_by: str,
    reference: str = "",
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> Exchange:
    """Replace the meter on a meter point: record the old meter's final reads (source
    ``FIELD``), remove it on the exchange day, install ``new_meter`` (installed that day,
    certified from that day for its fuel's certification life) and record its first
    reads, and announce ``metering.meter.exchanged.v1`` (ids and ISO dates). All or
    nothing. A read validation holds for review does not stop the exchange (``held``
    names it); a refused one does.

    :raises NotFound: no such meter point.
    :raises InvalidInput: the meter point has no meter on it (rule ``no_meter``); the new
        meter breaks a rule, is not installed on the exchange day or reuses the old
        serial; the reads do not cover each register once; the old meter was installed
        that same day (``installed_same_day``); or validation refused a read (its rule).
    """
    point, old = locked_point_and_meter(identifier=identifier, doing="exchange")
    day = exchanged_at.astimezone(zoneinfo.ZoneInfo(read_rules.LONDON)).date()
    problems = supply.meter_problems(
        new_meter,
        fuel=point.fuel,
        profile_class=point.profile_class,
        today=periods.london_date(as_at),
        prefix="new_meter.",
    )
    if new_meter.installed_date != day:
        problems.append(
            Problem("new_meter.installed_date", "exchange_day", "installed on the exchange day")
        )
    if new_meter.serial_number.strip().upper() == old.serial_number:
        problems.append(
            Problem("new_meter.serial_number", "new_serial", "the new meter has its own serial")
        )
    if old.installed_date >= day:
        problems.append(
            Problem(
                "exchanged_at",
                "installed_same_day",
                "the old meter must have been installed before the exchange day",
            )
        )
    problems += _check_reads(
        final_reads, {register.identifier for register in old.registers.all()}, "final_reads"
    )
    problems += _check_reads(
        first_reads, {register.identifier for register in new_meter.registers}, "first_reads"
    )
    raise_if(problems)
    final_ids, held = _record(
        point.identifier,
        old.serial_number,
        final_reads,
        at=exchanged_at,
        field="final_reads",
        received_by=received_by,
        reference=reference,
        as_at=as_at,
    )
    old.removed_date = day
    old.save(update_fields=["removed_date"])
    new = _create_meter(point, new_meter)
    # The supply's consumption does not change with its meter: the new registers start
    # from the old ones' EAC or AQ (matched by register identifier), so the first reads on
    # the new meter are judged against it.
    annual = {
        r.identifier: queries.annual_kwh_in_force(register_id=r.id) for r in old.registers.all()
    }
    for register in models.Register.objects.filter(meter=new):
        if annual.get(register.identifier) is not None:
            register.estimated_annual_kwh = annual[register.identifier]
            register.save(update_fields=["estimated_annual_kwh"])
    first_ids, first_held = _record(
        point.identifier,
        new.serial_number,
        first_reads,
        at=exchanged_at,
        field="first_reads",
        received_by=received_by,
        reference=reference,
        as_at=as_at,
    )
    exchange = Exchange(
        meter_point_id=point.id,
        identifier=point.identifier,
        old_meter_id=old.id,
        old_serial=old.serial_number,
        new_meter_id=new.id,
        new_serial=new.serial_number,
        exchanged_on=day,
        final_read_ids=tuple(final_ids),
        first_read_ids=tuple(first_ids),
        held=(*held, *first_held),
    )
    audit.record(
        trail=queries.trail_key(point.id),
        entity="meter",
        entity_id=new.serial_number,
        action="EXCHANGED",
        changes={
            "removed": [old.serial_number, None],
            "installed": [None, new.serial_number],
            "type": [old.type, new.type],
            "exchanged_on": [None, day.isoformat()],
        },
        actor=actor,
        at=as_at,
    )
    events.publish(
        name=EXCHANGED,
        payload={
            "meter_point_id": point.id,
            "identifier": point.identifier,
            "fuel": point.fuel,
            "old_meter_id": old.id,
            "old_serial": old.serial_number,
            "new_meter_id": new.id,
            "new_serial": new.serial_number,
            "new_type": new.type,
            "new_certified_until": (
                new.certified_until.isoformat() if new.certified_until else None
            ),
            "exchanged_on": day.isoformat(),
            "final_read_ids": list(final_ids),
            "first_read_ids": list(first_ids),
        },
        at=as_at,
    )
    return exchange
