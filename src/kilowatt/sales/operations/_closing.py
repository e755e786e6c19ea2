"""Closing a sign-up (cancelled in cooling-off, rejected, lapsed unsigned, reversed):
its meter points are free again, an unsigned contract is void, and what a signed one
opened is unwound: agreements not started are withdrawn, started ones end, the account
closes and the agent's commission is clawed back."""

from __future__ import annotations

import datetime

from django.db.models import Q

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import audit, events
from kilowatt.platform.periods import london_date
from kilowatt.sales import models
from kilowatt.sales.operations._shared import ORDER_CANCELLED, SIGN_UP, actor, trail_key


def undo_activation(*, order: models.Order, as_at: datetime.datetime) -> None:
    """Unwind a signed order that is cancelled or rejected (inside the caller's
    transaction): agreements not started are withdrawn, started ones end today, the
    account closes and commission is clawed back."""
    today = london_date(as_at)
    number = account_operations.account_number(order.account_id)  # type: ignore[arg-type]
    account = account_queries.account_for(SIGN_UP, number=number)
    for agreement in account.agreements.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today)):
        if agreement.valid_from > today:
            account_operations.withdraw_agreement(
                by=SIGN_UP, agreement_id=agreement.id, as_at=as_at
            )
        else:
            account_operations.end_agreement(
                by=SIGN_UP,
                agreement_id=agreement.id,
                valid_to=max(today, agreement.valid_from + datetime.timedelta(days=1)),
                as_at=as_at,
            )
    account_operations.update_account(
        by=SIGN_UP, number=account.number, changes={"status": "CLOSED"}, as_at=as_at
    )
    models.Commission.objects.filter(supply__order=order, clawed_back_at__isnull=True).update(
        clawed_back_at=as_at
    )


def close_order(
    order: models.Order, *, status: str, reason: str, by: Principal, as_at: datetime.datetime
) -> None:
    """Close an order (cancelled or rejected): free its meter points, void an unsigned
    contract, and (signed) withdraw its registrations and close what it opened."""
    before = order.status
    order.status = status
    order.closed_at = as_at
    order.close_reason = reason[:300]
    order.decided_at, order.decided_by = as_at, by.username
    order.save()
    models.OrderSupply.objects.filter(order=order).update(is_open=False)
    models.Contract.objects.filter(
        order=order, status=models.Contract.Status.AWAITING_SIGNATURE
    ).update(status=models.Contract.Status.CANCELLED)
    if order.account_id is not None:
        undo_activation(order=order, as_at=as_at)
    audit.record(
        trail=trail_key(order.id),
        entity="order",
        entity_id=order.reference,
        action=status,
        changes={"status": [before, status], "reason": [None, reason[:300]]},
        actor=actor(by),
        at=as_at,
    )
    events.publish(
        name=ORDER_CANCELLED,
        payload={"order_id": order.id, "reference": order.reference, "status": status},
        at=as_at,
    )
