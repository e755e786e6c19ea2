"""The daily step of every journey, and closing an account once its final bill is out.

``advance_journeys`` runs daily (before billing's final bills, so a loss ended that
morning is billed the same day): losses due end their agreement; move outs without a
final reading by the day after are reminded once; move ins are reminded once, 14 days
after the invitation, unless the occupier signed up; accounts whose final bill was
issued (``note_final_bill``, on billing's ``billing.invoice.final_issued.v1``) close.
Due journeys are found with a few queries; each step is its own transaction, so one
journey's problem holds up no other.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.db import transaction
from django.db.models import Q

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.journeys import models
from kilowatt.journeys.domain import moves
from kilowatt.journeys.operations import _losses, _move_in, _move_out, _shared
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import events
from kilowatt.platform.errors import KilowattError
from kilowatt.platform.periods import london_date

logger = logging.getLogger(__name__)


@transaction.atomic
def note_final_bill(*, account_id: int, invoice_id: int, as_at: datetime.datetime) -> bool:
    """Record that billing issued an account's final bill and, when a move out or loss
    of ours is waiting for it and nothing is supplied any more, close the account and
    complete those journeys. Return whether the account closed. Harmless twice."""
    move_outs = list(
        models.MoveOut.objects.select_for_update()
        .filter(account_id=account_id, status=models.MoveOut.Status.OPEN)
        .order_by("id")
    )
    losses = list(
        models.Loss.objects.select_for_update()
        .filter(account_id=account_id, status=models.Loss.Status.ENDED)
        .order_by("id")
    )
    if not move_outs and not losses:
        return False
    for move_out in move_outs:
        move_out.final_invoice_id = invoice_id
        move_out.save(update_fields=["final_invoice_id"])
    for loss in losses:
        loss.final_invoice_id = invoice_id
        loss.save(update_fields=["final_invoice_id"])
    return _close_if_done(account_id, move_outs=move_outs, losses=losses, as_at=as_at)


def _close_if_done(
    account_id: int,
    *,
    move_outs: list[models.MoveOut],
    losses: list[models.Loss],
    as_at: datetime.datetime,
) -> bool:
    ended = account_queries.supply_ended_on(account_id=account_id)
    if ended is None or ended > london_date(as_at):
        return False  # something is still supplied: the journey waits
    account = _shared.account_by_id(account_id)
    if account.status != "CLOSED":
        account_operations.update_account(
            by=_shared.SYSTEM, number=account.number, changes={"status": "CLOSED"}, as_at=as_at
        )
    for move_out in move_outs:
        move_out.status = models.MoveOut.Status.COMPLETED
        move_out.completed_at = as_at
        move_out.save(update_fields=["status", "completed_at"])
    for loss in losses:
        loss.status = models.Loss.Status.COMPLETED
        loss.completed_at = as_at
        loss.save(update_fields=["status", "completed_at"])
    events.publish(
        name="journeys.account.closed.v1",
        payload={"account_id": account_id, "number": account.number},
        at=as_at,
    )
    return True


def close_final_billed(*, account_id: int, as_at: datetime.datetime) -> bool:
    """Close an account whose final bill was noted but which was still supplied then."""
    with transaction.atomic():
        move_outs = list(
            models.MoveOut.objects.select_for_update()
            .filter(account_id=account_id, status="OPEN", final_invoice_id__isnull=False)
            .order_by("id")
        )
        losses = list(
            models.Loss.objects.select_for_update()
            .filter(account_id=account_id, status="ENDED", final_invoice_id__isnull=False)
            .order_by("id")
        )
        if not move_outs and not losses:
            return False
        return _close_if_done(account_id, move_outs=move_outs, losses=losses, as_at=as_at)


@dataclasses.dataclass(frozen=True)
class Advanced:
    """What one run of ``advance_journeys`` did."""

    supplies_ended: int = 0
    readings_reminded: int = 0
    occupiers_reminded: int = 0
    occupiers_signed_up: int = 0
    accounts_closed: int = 0
    failed: int = 0


def _with_reading_on_day(move_outs: list[tuple[int, int, datetime.date]]) -> set[int]:
    """Return which of (move out id, account id, day) have an actual read (not our
    estimate) on the moving day at any of the account's meter points (one read query)."""
    windows: dict[int, tuple[datetime.datetime, datetime.datetime | None]] = {}
    owner: dict[int, int] = {}
    for move_out_id, account_id, day in move_outs:
        for point_id in account_queries.meter_point_ids_of_account(account_id=account_id):
            start = _shared.london_midnight(day)
            windows[point_id] = (start, _shared.london_midnight(day + datetime.timedelta(days=1)))
            owner[point_id] = move_out_id
    reads = metering_queries.latest_reads_of_meter_points(windows=windows, per_meter_point=1)
    return {
        owner[point_id]
        for point_id, rows in reads.items()
        if any(row.source != "ESTIMATE" and row.status != "WITHDRAWN" for row in rows)
    }


def advance_journeys(*, as_at: datetime.datetime, limit: int = 1_000) -> Advanced:
    """Take every journey's step that is due (see the module's docstring); return counts."""
    today = london_date(as_at)
    counts = dict.fromkeys(Advanced.__dataclass_fields__, 0)

    def attempt(name: str, step, **kwargs) -> None:
        try:
            if step(as_at=as_at, **kwargs):
                counts[name] += 1
        except KilowattError as refused:  # one journey's problem stops no other
            logger.warning("journey step %s %s not taken: %s", name, kwargs, refused)
            counts["failed"] += 1

    for loss_id in (
        models.Loss.objects.filter(status=models.Loss.Status.PENDING, supply_end_date__lte=today)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    ):
        attempt("supplies_ended", _losses.end_lost_supply, loss_id=loss_id)

    due = list(
        models.MoveOut.objects.filter(
            status=models.MoveOut.Status.OPEN,
            final_reading_at__isnull=True,
            reading_reminded_at__isnull=True,
            moving_out_on__lte=today - moves.READING_REMINDER_AFTER,
        )
        .exclude(origin=models.MoveOut.Origin.MOVE_IN)  # the occupier who left is gone
        .order_by("id")
        .values_list("id", "account_id", "moving_out_on")[:limit]
    )
    read = _with_reading_on_day(due)
    for move_out_id, _account_id, moving_out_on in due:
        step = moves.next_move_out_step(
            moves.MoveOutState(
                moving_out_on=moving_out_on,
                has_final_reading=move_out_id in read,
                reminded=False,
                final_bill_issued=False,
                supply_ended=False,
            ),
            today=today,
        )
        if step is moves.Step.REMIND_READING:
            attempt("readings_reminded", _move_out.remind_final_reading, move_out_id=move_out_id)

    for move_in_id in (
        models.MoveIn.objects.filter(status=models.MoveIn.Status.INVITED)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    ):
        try:
            taken = _move_in.advance_move_in(move_in_id=move_in_id, as_at=as_at)
        except KilowattError as refused:
            logger.warning("move in %s not advanced: %s", move_in_id, refused)
            counts["failed"] += 1
            continue
        if taken is moves.Step.REMIND_SIGN_UP:
            counts["occupiers_reminded"] += 1
        elif taken is moves.Step.SIGNED_UP:
            counts["occupiers_signed_up"] += 1

    waiting = set(
        models.MoveOut.objects.filter(status="OPEN", final_invoice_id__isnull=False).values_list(
            "account_id", flat=True
        )
    ) | set(
        models.Loss.objects.filter(
            Q(status="ENDED") & Q(final_invoice_id__isnull=False)
        ).values_list("account_id", flat=True)
    )
    for account_id in sorted(a for a in waiting if a is not None)[:limit]:
        attempt("accounts_closed", close_final_billed, account_id=account_id)
    return Advanced(**counts)
