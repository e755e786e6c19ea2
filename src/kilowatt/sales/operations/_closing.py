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
    ended: dict[int, datetime.date] = {}  # meter point -> where our supply now stops
    for agreement in account.agreements.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today)):
        if agreement.valid_from > today:
            account_operations.withdraw_agreement(
                by=SIGN_UP, agreement_id=agreement.id, as_at=as_at
            )
            ended[agreement.meter_point_id] = agreement.valid_from
        else:
            end = max(today, agreement.valid_from + datetime.timedelta(days=1))
            account_operations.end_agreement(
                by=SIGN_UP, agreement_id=agreement.id, valid_to=end, as_at=as_at
            )
            ended[agreement.meter_point_id] = end
    _give_back_to_occupiers(order, ended=ended, as_at=as_at)
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


def _give_back_to_occupiers(
    order: models.Order, *, ended: dict[int, datetime.date], as_at: datetime.datetime
) -> None:
    """An occupier's supply a cancelled sign-up took over goes back on their deemed
    contract from where the sign-up's stops, so the meter point is never unbilled."""
    for supply in order.supplies.filter(took_over_agreement_id__isnull=False):
        deemed = account_queries.agreement_by_id(agreement_id=supply.took_over_agreement_id)  # type: ignore[arg-type]
        account_operations.add_agreement(
            by=SIGN_UP,
            account_number=account_operations.account_number(deemed.account_id),
            meter_point_identifier=supply.identifier,
            tariff_code=deemed.tariff.code,
            valid_from=ended.get(deemed.meter_point_id, deemed.valid_to or london_date(as_at)),
            as_at=as_at,
        )
