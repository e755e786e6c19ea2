"""Booking an appointment and moving a field job through its lifecycle.

Each operation is one transaction, audited on the meter point's trail (so the customer
page shows it) and announced as ``field.job.<status>.v1``. Booking emails the customer a
confirmation. A missed appointment owes the customer the guaranteed-standard £30,
recorded once (a unique row per job), credited at once to the account supplying the
meter point that day (a ``COMPENSATION`` ledger transaction, in the same transaction as
the miss), announced as ``field.compensation.owed.v1`` and apologised for by email.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from kilowatt.accounts import queries as account_queries
from kilowatt.field import models
from kilowatt.field.domain import compensation
from kilowatt.field.domain import jobs as job_rules
from kilowatt.field.domain import slots as slot_rules
from kilowatt.field.operations import _customers
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.ledger import operations as ledger_operations
from kilowatt.ledger.domain import postings
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.metering.domain import supply
from kilowatt.platform import audit, events, periods
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound, Problem, raise_if
from kilowatt.platform.money import format_pence

COMPENSATION_OWED = "field.compensation.owed.v1"
logger = logging.getLogger(__name__)


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(id=principal.user_id, name=principal.username)


def _event(status: str) -> str:
    return f"field.job.{status.lower()}.v1"


def _announce(job: models.Job, identifier: str, actor: audit.Actor, as_at: datetime.datetime,
              changes: dict) -> None:  # fmt: skip
    audit.record(
        trail=metering_queries.trail_key(job.meter_point_id),
        entity="field_job",
        entity_id=job.id,
        action=job.status,
        changes=changes,
        actor=actor,
        at=as_at,
    )
    events.publish(
        name=_event(job.status),
        payload={
            "job_id": job.id,
            "kind": job.kind,
            "meter_point_id": job.meter_point_id,
            "identifier": identifier,
            "capacity_id": job.capacity_id,
        },
        at=as_at,
    )


@transaction.atomic
def book_appointment(
    *, by: Principal, identifier: str, capacity_id: int, kind: str, as_at: datetime.datetime
) -> models.Job:
    """Book a field visit of ``kind`` on a meter point into one slot: takes one of the
    slot's places (a raised job of that kind is booked, otherwise a new one is made), and
    emails a confirmation to the customer of the account supplying the meter point today
    (if we have their address).

    :raises NotAllowed: ``by`` may not book appointments.
    :raises NotFound: no such meter point, or ``by`` may not see it.
    :raises InvalidInput: no such slot (``slot``, ``choice``); the slot is full
        (``slot_full``), in another region, too soon or too far; the kind does not fit
        the meter (``already_smart``, ``no_meter``); or a job of that kind is already
        booked on the meter point (``kind``, ``already_booked``).
    """
    if not by.may(Permission.BOOK_APPOINTMENTS):
        raise NotAllowed(f"{by.username} may not book appointments")
    point = account_queries.meter_point_for(by, identifier=identifier)
    capacity = models.Capacity.objects.select_for_update().filter(id=capacity_id).first()
    if capacity is None:
        raise InvalidInput.one(field="slot", rule="choice", message="choose one of the slots")
    meter = metering_queries.current_meter(meter_point_id=point.id)
    problems = job_rules.kind_problems(kind=kind, current_meter_type=meter.type if meter else None)
    problems += slot_rules.booking_problems(
        slot_rules.SlotFacts(
            region=capacity.region,
            date=capacity.date,
            slot=capacity.slot,
            engineers=capacity.engineers,
            booked=capacity.booked,
        ),
        meter_point_region=point.region,
        today=periods.london_date(as_at),
    )
    raise_if(problems)
    job = (
        models.Job.objects.select_for_update()
        .filter(meter_point_id=point.id, kind=kind, status__in=sorted(job_rules.OPEN))
        .first()
    )
    if job is not None and job.status != job_rules.RAISED:
        raise InvalidInput.one(
            field="kind",
            rule="already_booked",
            message="a visit of this kind is already booked on this meter point",
        )
    # The counter moves in the database, guarded: a slot filled meanwhile refuses here
    # (and the check constraint holds booked <= engineers whatever the caller does).
    taken = models.Capacity.objects.filter(id=capacity.id, booked__lt=F("engineers")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise InvalidInput.one(
            field="slot", rule="slot_full", message="this slot is full: choose another"
        )
    if job is None:
        try:
            with transaction.atomic():
                job = models.Job.objects.create(
                    kind=kind,
                    meter_point_id=point.id,
                    capacity=capacity,
                    status=job_rules.BOOKED,
                    created_at=as_at,
                    created_by=by.username[:150],
                    updated_at=as_at,
                )
        except IntegrityError as error:  # a concurrent booking of the same visit
            raise InvalidInput.one(
                field="kind",
                rule="already_booked",
                message="a visit of this kind is already booked on this meter point",
            ) from error
    else:
        job.capacity, job.status, job.updated_at = capacity, job_rules.BOOKED, as_at
        job.save(update_fields=["capacity", "status", "updated_at"])
    _announce(
        job,
        point.identifier,
        _actor(by),
        as_at,
        {
            "status": [None, job.status],
            "kind": [None, kind],
            "slot": [None, f"{capacity.date.isoformat()} {capacity.slot}"],
        },
    )
    # The confirmation is queued in this transaction (comms sends it after commit): a
    # refused booking rolls it back with everything else.
    account_id = _customers.supplying_account_id(
        meter_point_id=point.id, on=periods.london_date(as_at)
    )
    if account_id is not None:
        _customers.email_booked(
            to=_customers.addressee(account_id),
            job_id=job.id,
            capacity_id=capacity.id,
            kind=kind,
            identifier=point.identifier,
            day=capacity.date,
            slot=capacity.slot,
            as_at=as_at,
        )
    return job


def _locked_job(job_id: int) -> models.Job:
    job = models.Job.objects.select_for_update().filter(id=job_id).first()
    if job is None:
        raise NotFound(f"job {job_id}")
    return job


def _move(
    job: models.Job, target: str, *, reason: str, actor: audit.Actor, as_at: datetime.datetime
) -> str:
    """Move a locked job to ``target`` (the domain decides whether it may), hand back its
    slot or record what the customer is owed; return the meter point's identifier."""
    current = job.status
    raise_if(job_rules.transition_problems(current=current, target=target, reason=reason))
    if job_rules.frees_slot(current=current, target=target) and job.capacity_id:
        models.Capacity.objects.filter(id=job.capacity_id, booked__gt=0).update(
            booked=F("booked") - 1
        )
    job.status, job.updated_at = target, as_at
    if target == job_rules.ABORTED:
        job.abort_reason = " ".join(reason.split())[:300]
    job.save(update_fields=["status", "updated_at", "abort_reason"])
    identifier = metering_queries.meter_points_by_ids(ids=[job.meter_point_id])[0].identifier
    changes: dict = {"status": [current, target]}
    if job.abort_reason:
        changes["reason"] = [None, job.abort_reason]
    _announce(job, identifier, actor, as_at, changes)
    if job_rules.owes_compensation(target):
        _owe_for_missed(job, identifier, actor=actor, as_at=as_at)
    return identifier


def _owe_for_missed(
    job: models.Job, identifier: str, *, actor: audit.Actor, as_at: datetime.datetime
) -> None:
    """Record the £30 a missed appointment owes and pay it, in the caller's transaction:
    credit the account supplying the meter point on the appointment day, announce it and
    apologise to the customer. With no such account the payment stays owed (no account,
    no ``paid_at``) for a person to settle."""
    reason, pence = compensation.owed_for_missed_appointment()
    day = job.capacity.date if job.capacity else periods.london_date(as_at)
    account_id = _customers.supplying_account_id(meter_point_id=job.meter_point_id, on=day)
    owed, created = models.Compensation.objects.get_or_create(
        job=job,
        defaults={
            "meter_point_id": job.meter_point_id,
            "amount_pence": pence,
            "reason": reason,
            "created_at": as_at,
            "account_id": account_id,
            "paid_at": as_at if account_id is not None else None,
        },
    )
    if not created:  # never twice: the job can be missed only once, and the row is unique
        return
    if account_id is None:
        logger.warning(
            "missed appointment on field job %s owes %s but no account supplied meter point"
            " %s on %s: compensation %s is left unpaid",
            job.id,
            format_pence(pence),
            identifier,
            day.isoformat(),
            owed.id,
        )
    else:
        # Credit the customer now rather than leave it to a bill run: the guaranteed
        # standard is paid automatically, and the next bill shows the credit through the
        # account's ledger balance. The reference makes a replay post nothing more.
        ledger_operations.post_transaction(
            kind=postings.COMPENSATION,
            reference=f"missed-appointment:{job.id}",
            description=(
                f"Guaranteed standard: missed appointment on {day.isoformat()} "
                f"at meter point {identifier}"
            ),
            effective_date=periods.london_date(as_at),
            lines=[
                postings.LineSpec(postings.RECEIVABLE, -pence, holder=account_id),
                postings.LineSpec(postings.COMPENSATION, pence),
            ],
            posted_at=as_at,
            posted_by=actor.name,
        )
    audit.record(
        trail=metering_queries.trail_key(job.meter_point_id),
        entity="compensation",
        entity_id=owed.id,
        action="OWED" if account_id is None else "PAID",
        changes=audit.created(
            {
                "job_id": job.id,
                "amount_pence": pence,
                "reason": reason,
                "account_id": account_id,
            }
        ),
        actor=actor,
        at=as_at,
    )
    events.publish(
        name=COMPENSATION_OWED,
        payload={
            "compensation_id": owed.id,
            "job_id": job.id,
            "meter_point_id": job.meter_point_id,
            "identifier": identifier,
            "amount_pence": pence,
            "reason": reason,
            "appointment_date": job.capacity.date.isoformat() if job.capacity else None,
            "account_id": account_id,  # None: owed, not yet paid to any account
        },
        at=as_at,
    )
    if account_id is not None:
        _customers.email_missed(
            to=_customers.addressee(account_id),
            job_id=job.id,
            kind=job.kind,
            identifier=identifier,
            day=day,
            slot=job.capacity.slot if job.capacity else "",
            amount=format_pence(pence),
            as_at=as_at,
        )


def _may_work(by: Principal) -> None:
    if not by.may(Permission.WORK_FIELD_JOBS):
        raise NotAllowed(f"{by.username} may not work field jobs")


@transaction.atomic
def move_job(
    *, by: Principal, job_id: int, status: str, reason: str = "", as_at: datetime.datetime
) -> models.Job:
    """Move a field job to ``EN_ROUTE``, ``ABORTED`` (with a reason) or ``MISSED`` (which
    owes the customer £30, once). Cancelling a booked job hands its slot back.

    :raises NotAllowed: ``by`` may not work field jobs.
    :raises NotFound: no such job.
    :raises InvalidInput: the move is not allowed from the job's status
        (``illegal_transition``), an abort gives no reason, or ``COMPLETED`` is asked
        for here (``use_complete_job``: completion needs what was done).
    """
    _may_work(by)
    if status == job_rules.COMPLETED:
        raise InvalidInput.one(
            field="status",
            rule="use_complete_job",
            message="complete a job with what was done on the visit",
        )
    job = _locked_job(job_id)
    _move(job, status, reason=reason, actor=_actor(by), as_at=as_at)
    return job


@dataclasses.dataclass(frozen=True)
class ExchangeIn:
    """What the engineer reports on completing a visit.

    For a smart installation or meter exchange: the new meter's serial and digits (its
    registers mirror the old meter's unless given), its type (smart), the old meter's
    final reads and the new meter's first reads, by register identifier. For a must-read:
    ``final_reads`` are the reads taken of the meter. For a recertification: the reads
    taken and no serial when the meter was recertified in place, or everything an
    exchange gives when the engineer replaced it.
    """

    final_reads: Sequence[tuple[str, Decimal]] = ()
    new_serial: str = ""
    new_digits: int = 0
    new_type: str = "SMART"
    first_reads: Sequence[tuple[str, Decimal]] = ()
    new_registers: Sequence[tuple[str, str]] = ()  # (identifier, band); () mirrors the old


def _exchange(
    job: models.Job, done: ExchangeIn, *, by: Principal, as_at: datetime.datetime
) -> metering_operations.Exchange:
    old = metering_queries.current_meter(meter_point_id=job.meter_point_id)
    if old is None:
        raise InvalidInput.one(field="meter", rule="no_meter", message="no meter to exchange")
    identifier = metering_queries.meter_points_by_ids(ids=[job.meter_point_id])[0].identifier
    registers = tuple(
        supply.RegisterDetails(identifier=i, band=b) for i, b in done.new_registers
    ) or tuple(
        supply.RegisterDetails(identifier=r.identifier, band=r.band) for r in old.registers.all()
    )
    day = periods.london_date(as_at)
    return metering_operations.exchange_meter(
        identifier=identifier,
        exchanged_at=as_at,
        final_reads=[metering_operations.RegisterRead(r, v) for r, v in done.final_reads],
        new_meter=supply.MeterDetails(
            serial_number=done.new_serial,
            type=done.new_type,
            digits=done.new_digits,
            installed_date=day,
            units=old.units,
            registers=registers,
        ),
        first_reads=[metering_operations.RegisterRead(r, v) for r, v in done.first_reads],
        received_by=by.username,
        reference=f"field-job-{job.id}",
        actor=_actor(by),
        as_at=as_at,
    )


def _read(job: models.Job, done: ExchangeIn, *, by: Principal, as_at: datetime.datetime) -> None:
    identifier = metering_queries.meter_points_by_ids(ids=[job.meter_point_id])[0].identifier
    if job.kind == job_rules.RECERTIFICATION:  # recertified in place
        metering_operations.recertify_meter(
            identifier=identifier,
            recertified_on=periods.london_date(as_at),
            actor=_actor(by),
            as_at=as_at,
        )
    if not done.final_reads:
        if job.kind == job_rules.MUST_READ:
            raise InvalidInput.one(
                field="final_reads", rule="required", message="a must-read visit records a read"
            )
        return
    outcomes = metering_operations.record_reads(
        reads=[
            metering_operations.ReadIn(
                meter_point=identifier, read_at=as_at, value=value, register=register
            )
            for register, value in done.final_reads
        ],
        source="FIELD",
        received_by=by.username,
        reference=f"field-job-{job.id}",
        as_at=as_at,
    )
    raise_if(
        [
            Problem(f"final_reads.{o.row}", o.rule, o.message)
            for o in outcomes
            if o.status == "REFUSED"
        ]
    )


@transaction.atomic
def complete_job(
    *, by: Principal, job_id: int, done: ExchangeIn, as_at: datetime.datetime
) -> models.Job:
    """Complete a field job that is en route, recording what the visit did in the same
    transaction: a smart installation or meter exchange exchanges the meter
    (``metering.operations.exchange_meter``: final read, removal, new meter certified
    afresh, first read); a must-read records the read (source ``FIELD``); a
    recertification renews the meter's certification in place
    (``metering.operations.recertify_meter``, with any reads taken) or, given a new
    serial, exchanges the meter. Announces ``field.job.completed.v1``.

    :raises NotAllowed: ``by`` may not work field jobs.
    :raises NotFound: no such job.
    :raises InvalidInput: the job is not en route (``illegal_transition``); the exchange
        or the reads break a rule (each problem names its field, e.g.
        ``new_meter.serial_number`` or ``final_reads.0``); nothing is written.
    """
    _may_work(by)
    job = _locked_job(job_id)
    raise_if(job_rules.transition_problems(current=job.status, target=job_rules.COMPLETED))
    if job_rules.completion_replaces_meter(kind=job.kind, new_serial=done.new_serial):
        _exchange(job, done, by=by, as_at=as_at)
    else:
        _read(job, done, by=by, as_at=as_at)
    _move(job, job_rules.COMPLETED, reason="", actor=_actor(by), as_at=as_at)
    return job
