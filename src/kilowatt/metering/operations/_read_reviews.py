"""A person's decisions on reads: working the read-exceptions queue, withdrawing a read
that proved wrong, replacing it with the right one. Each is one transaction, audited on
the meter point's trail, and announced when billing must react (a billed read gone).

Each decision moves the register's EAC or AQ as the reads now stand (the figure in force
is the latest accepted read's, ``models.Read``):

- a held read **accepted** is settled as a batch of one would (``_reads.settle_read``):
  recalculated from its period when it is the register's latest read, else carrying the
  figure in force before it; the read after it is restated, and settled again when it
  is the latest;
- an accepted read **withdrawn** takes its figure with it (its logged change, if any, is
  marked superseded); the read after it is restated against the one before, and
  settled again when it is the latest. (Reads after that keep their figures: each was
  right for the advance it had.)

Reviews take the read lock of the read's meter point (``_reads.lock_reads_of``) as batches do, so a
batch and a decision never judge or settle a register against each other's half-work.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from kilowatt.metering import models, queries
from kilowatt.metering.domain import reads as read_rules
from kilowatt.metering.operations import _reads
from kilowatt.platform import audit, events, periods
from kilowatt.platform.errors import InvalidInput, NotFound

ACCEPT = "ACCEPT"
REFUSE = "REFUSE"


def _lock_reads_of_read(read_id: int) -> None:
    """Take the read lock of the read's meter point first, as batches do, so a batch and
    a decision never judge or settle a register against each other's half-work."""
    meter_point_id = models.Read.objects.filter(id=read_id).values_list("meter_point_id", flat=True)
    for point in meter_point_id:
        _reads.lock_reads_of(meter_point_id=point)


def _locked_read(read_id: int) -> models.Read:
    read = models.Read.objects.select_for_update().filter(id=read_id).first()
    if read is None:
        raise NotFound(f"read {read_id}")
    return read


def _facts(read: models.Read) -> read_rules.RegisterFacts:
    return queries.register_facts(register_id=read.register_id, on=read.read_at)


def _record(
    read: models.Read, action: str, changes: dict, actor: audit.Actor, at: datetime.datetime
) -> None:
    audit.record(
        trail=queries.trail_key(read.meter_point_id),
        entity="read",
        entity_id=read.id,
        action="UPDATED",
        changes={"action": [None, action], **changes},
        actor=actor,
        at=at,
    )


@transaction.atomic
def resolve_held_read(
    *, read_id: int, decision: str, note: str, actor: audit.Actor, as_at: datetime.datetime
) -> models.Read:
    """Decide a held read: ``ACCEPT`` keeps it as an actual read (withdrawing any other
    accepted read at the same moment, which it replaces), ``REFUSE`` refuses it with
    the note as the reason the customer is told.

    Accepting one recalculates the register's EAC or AQ as a batch would (see the
    module's docstring).

    :raises NotFound: no such read.
    :raises InvalidInput: the read is not held, the decision is unknown, or a refusal
        has no note.
    """
    _lock_reads_of_read(read_id)
    read = _locked_read(read_id)
    if read.status != "HELD":
        raise InvalidInput.one(field="read", rule="held", message="only a held read can be decided")
    if decision not in (ACCEPT, REFUSE):
        raise InvalidInput.one(field="decision", rule="choice", message="must be ACCEPT or REFUSE")
    note = " ".join(note.split())
    if decision == REFUSE:
        if not note:
            raise InvalidInput.one(
                field="note", rule="required", message="say why, in words the customer will read"
            )
        read.status, read.rule, read.message = "REFUSED", "refused_on_review", note[:300]
        read.save(update_fields=["status", "rule", "message"])
        _record(read, "refused on review", {"note": [None, note]}, actor, as_at)
        return read
    later = (
        models.Read.objects.filter(
            register_id=read.register_id, status="ACCEPTED", read_at__gt=read.read_at
        )
        .order_by("read_at")
        .first()
    )
    if later is not None and later.value < read.value:
        raise InvalidInput.one(
            field="decision",
            rule="later_read_lower",
            message=(
                f"a later accepted reading ({later.value.normalize():f} on "
                f"{periods.london_date(later.read_at):%d %b %Y}) is lower: withdraw it first, "
                "or refuse this one"
            ),
        )
    for other in models.Read.objects.select_for_update().filter(
        register_id=read.register_id, status="ACCEPTED", read_at=read.read_at
    ):
        _withdraw(
            other, reason="replaced by a reviewed read", actor=actor, as_at=as_at, replaced_by=read
        )
    history = queries.accepted_history(register_id=read.register_id, before=read.read_at)
    facts = _facts(read)
    outcome = read_rules.assess_one(
        facts=facts,
        read_at=read.read_at,
        value=read.value,
        history=history,
        today=periods.london_date(as_at),
    )
    read.status, read.rule, read.message = "ACCEPTED", "", ""
    read.advance, read.consumption_kwh = outcome.advance, outcome.consumption_kwh
    read.rolled_over = outcome.rolled_over
    read.save(
        update_fields=["status", "rule", "message", "advance", "consumption_kwh", "rolled_over"]
    )
    # Its own figure first: the read after it is restated against it.
    _reads.settle_read(
        read, facts=facts, previous_at=history[-1][0] if history else None, as_at=as_at
    )
    _reads.restate_following(register_id=read.register_id, after=read.read_at, as_at=as_at)
    _record(read, "accepted on review", {"note": [None, note]} if note else {}, actor, as_at)
    return read


def _withdraw(
    read: models.Read,
    *,
    reason: str,
    actor: audit.Actor,
    as_at: datetime.datetime,
    replaced_by: models.Read | None = None,
) -> None:
    was_accepted = read.status == "ACCEPTED"
    read.status = "WITHDRAWN"
    read.replaced_by = replaced_by
    read.withdrawn_at = as_at
    read.save(update_fields=["status", "replaced_by", "withdrawn_at"])
    if was_accepted:
        # Its EAC/AQ leaves with it: the figure in force is the latest accepted read's.
        models.AnnualConsumptionChange.objects.filter(
            read_id=read.id, superseded_at__isnull=True
        ).update(superseded_at=as_at)
        _reads.restate_following(register_id=read.register_id, after=read.read_at, as_at=as_at)
    _record(read, "withdrawn", {"reason": [None, reason]}, actor, as_at)
    events.publish(
        name="metering.read.withdrawn.v1",
        payload={
            "read_id": read.id,
            "meter_point_id": read.meter_point_id,
            "register_id": read.register_id,
            "read_date": periods.london_date(read.read_at).isoformat(),
            "billed_reference": read.billed_reference,  # billing re-bills when set
            "replaced_by_read_id": replaced_by.id if replaced_by else None,
        },
        at=as_at,
    )


@transaction.atomic
def withdraw_read(
    *, read_id: int, reason: str, actor: audit.Actor, as_at: datetime.datetime
) -> models.Read:
    """Withdraw a read that proved wrong. The read after it on the register is restated
    against the one before, the register's EAC or AQ recalculated without it (see the
    module's docstring), and a read a bill used is announced
    (``metering.read.withdrawn.v1`` with its ``billed_reference``) so the bill is redone.

    :raises NotFound: no such read.
    :raises InvalidInput: the read is already withdrawn or refused, or no reason given.
    """
    _lock_reads_of_read(read_id)
    read = _locked_read(read_id)
    if read.status in ("WITHDRAWN", "REFUSED"):
        raise InvalidInput.one(
            field="read",
            rule="withdrawable",
            message=f"a {read.status.lower()} read cannot be withdrawn",
        )
    if not reason.strip():
        raise InvalidInput.one(field="reason", rule="required", message="say why it is withdrawn")
    _withdraw(read, reason=reason.strip(), actor=actor, as_at=as_at)
    return read


@transaction.atomic
def replace_read(
    *, read_id: int, value: Decimal, reason: str, actor: audit.Actor, as_at: datetime.datetime
) -> _reads.ReadOutcome:
    """Replace a read with the right value for the same moment: the old one is withdrawn
    (announced as for ``withdraw_read``) and the new one takes the validation path.

    :raises NotFound: no such read.
    :raises InvalidInput: the read cannot be withdrawn, or no reason given.
    """
    _lock_reads_of_read(read_id)  # before the row lock, as batches take them
    old = _locked_read(read_id)
    withdraw_read(read_id=read_id, reason=reason, actor=actor, as_at=as_at)
    register = models.Register.objects.select_related("meter__meter_point").get(id=old.register_id)
    (outcome,) = _reads.record_reads(
        reads=[
            _reads.ReadIn(
                meter_point=register.meter.meter_point.identifier,
                meter_serial=register.meter.serial_number,
                register=register.identifier,
                read_at=old.read_at,
                value=value,
            )
        ],
        source=old.source,
        received_by=actor.name,
        reference=f"replaces read {old.id}",
        as_at=as_at,
    )
    if outcome.read_id is not None:
        models.Read.objects.filter(id=old.id).update(replaced_by_id=outcome.read_id)
    return outcome


@transaction.atomic
def mark_reads_billed(*, read_ids: list[int], bill_reference: str) -> int:
    """Note that a bill used these reads, so withdrawing one later flags that bill."""
    return models.Read.objects.filter(id__in=read_ids).update(billed_reference=bill_reference)
