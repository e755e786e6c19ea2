"""A person's decisions on reads: working the read-exceptions queue, withdrawing a read
that proved wrong, replacing it with the right one. Each is one transaction, audited on
the meter point's trail, and announced when billing must react (a billed read gone).

Each decision moves the register's EAC or AQ as the reads now stand:

- a held read **accepted** settles as a batch of one would (``_reads._settle``, the
  function ``record_read_frame`` calls): from the accepted read before it to it, blended
  into the register's current value, logged against it;
- an accepted read **withdrawn** undoes what it and every later read did to the value
  (their ``AnnualConsumptionChange`` rows are marked superseded, and the register goes
  back to the value before the first of them), then settles once over the period the
  remaining reads now span, from the accepted read before it to the latest actual read
  after it, logged against that read: the batch's rule for several reads of a register
  ("one annualised advance over the longer period"). With no actual read after it, the
  withdrawal is a plain revert. (The log keeps no period start: a read withdrawn from
  inside a batch that settled several reads at once is re-settled from the read before
  it, not from the batch's first; the value is right, its weight a little lighter.)

Reviews take the one-writer lock on reads (``_reads._lock_reads``) as batches do, so a
batch and a decision never judge or settle a register against each other's half-work.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl
from django.db import transaction

from kilowatt.metering import models, queries
from kilowatt.metering.domain import reads as read_rules
from kilowatt.metering.operations import _reads
from kilowatt.platform import audit, events, periods
from kilowatt.platform.errors import InvalidInput, NotFound

ACCEPT = "ACCEPT"
REFUSE = "REFUSE"


def _locked_read(read_id: int) -> models.Read:
    read = models.Read.objects.select_for_update().filter(id=read_id).first()
    if read is None:
        raise NotFound(f"read {read_id}")
    return read


def _facts(read: models.Read) -> read_rules.RegisterFacts:
    return queries.register_facts(register_id=read.register_id, on=read.read_at)


# What ``_reads._settle`` takes: a row per accepted read, with the period it closes.
_SETTLE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "register_id": pl.Int64,
    "fuel": pl.String,
    "annual_kwh": pl.Float64,
    "previous_date": pl.Date,
    "read_date": pl.Date,
    "read_at": pl.Datetime("us", "UTC"),
    "read_id": pl.Int64,
    "consumption_milli": pl.Int64,
}


def _settle(
    *,
    register_id: int,
    fuel: str,
    annual_kwh: Decimal | None,
    since: datetime.datetime,
    closing: models.Read,
    consumption_kwh: Decimal,
    as_at: datetime.datetime,
) -> None:
    """Recalculate a register's EAC or AQ over ``[since, closing]`` as a batch does."""
    frame = pl.DataFrame(
        [
            {
                "register_id": register_id,
                "fuel": fuel,
                "annual_kwh": None if annual_kwh is None else float(annual_kwh),
                "previous_date": periods.london_date(since),
                "read_date": periods.london_date(closing.read_at),
                "read_at": closing.read_at.astimezone(datetime.UTC),
                "read_id": closing.id,
                "consumption_milli": read_rules.to_milli(consumption_kwh),
            }
        ],
        schema=_SETTLE_SCHEMA,  # type: ignore[arg-type]
    )
    _reads._settle(frame, as_at=as_at)


def _settle_accepted(
    read: models.Read,
    *,
    facts: read_rules.RegisterFacts,
    history: list[tuple[datetime.datetime, Decimal]],
    as_at: datetime.datetime,
) -> None:
    """Settle a read accepted on review: a batch of one (an opening read, an estimate or
    a read without energy moves nothing)."""
    if read.source == models.Read.Source.ESTIMATE or not history:
        return
    if read.consumption_kwh is None:
        return
    _settle(
        register_id=read.register_id,
        fuel=facts.fuel,
        annual_kwh=facts.annual_kwh,
        since=history[-1][0],
        closing=read,
        consumption_kwh=read.consumption_kwh,
        as_at=as_at,
    )


def _resettle_without(read: models.Read, *, as_at: datetime.datetime) -> None:
    """Recalculate a register's EAC or AQ after an accepted read of it was withdrawn (see
    the module's docstring). Call after the read is withdrawn and the next restated."""
    undone = list(
        models.AnnualConsumptionChange.objects.select_for_update(of=("self",))
        .filter(
            register_id=read.register_id,
            superseded_at__isnull=True,
            read__read_at__gte=read.read_at,
        )
        .order_by("read__read_at", "id")
    )
    if not undone:
        return  # neither it nor any read after it moved the value
    base = undone[0].previous_kwh
    models.AnnualConsumptionChange.objects.filter(id__in=[c.id for c in undone]).update(
        superseded_at=as_at
    )
    models.Register.objects.filter(id=read.register_id).update(estimated_annual_kwh=base)
    accepted = models.Read.objects.filter(register_id=read.register_id, status="ACCEPTED")
    after = list(accepted.filter(read_at__gt=read.read_at).order_by("read_at", "id"))
    actual = [r for r in after if r.source != models.Read.Source.ESTIMATE]
    if not actual:
        return
    closing = actual[-1]
    before = accepted.filter(read_at__lt=read.read_at).order_by("-read_at", "-id").first()
    # The period runs from the read before the withdrawn one (or, when the withdrawn one
    # opened the register's history, from the read that now does) to the closing read.
    opening_at = before.read_at if before is not None else after[0].read_at
    spanned = [r for r in after if opening_at < r.read_at <= closing.read_at]
    if not spanned:
        return
    fuel = (
        models.MeterPoint.objects.filter(id=read.meter_point_id)
        .values_list("fuel", flat=True)
        .get()
    )
    _settle(
        register_id=read.register_id,
        fuel=fuel,
        annual_kwh=base,
        since=opening_at,
        closing=closing,
        consumption_kwh=sum((r.consumption_kwh or Decimal(0) for r in spanned), Decimal(0)),
        as_at=as_at,
    )


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
    _reads._lock_reads()
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
    _reads.restate_following(register_id=read.register_id, after=read.read_at, as_at=as_at)
    _settle_accepted(read, facts=facts, history=history, as_at=as_at)
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
    read.save(update_fields=["status", "replaced_by"])
    if was_accepted:
        _reads.restate_following(register_id=read.register_id, after=read.read_at, as_at=as_at)
        _resettle_without(read, as_at=as_at)
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
    _reads._lock_reads()
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
