"""What the industry says of each meter point a signed order asked us to supply.

Integrations speaks to the Central Switching Service and reports each outcome here. An
accepted registration starts the agreement on its supply start date; when every meter
point of an order is accepted the order is live. A rejection or objection sends the
order to the admin team's queue. Each outcome is idempotent: told twice, nothing more
happens.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.accounts import operations as account_operations
from kilowatt.comms import operations as comms
from kilowatt.ledger import operations as ledger_operations
from kilowatt.ledger.domain import postings
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.platform.money import format_pence
from kilowatt.platform.periods import london_date
from kilowatt.sales import models
from kilowatt.sales.domain.orders import ERRONEOUS_TRANSFER_COMPENSATION_PENCE
from kilowatt.sales.operations._closing import close_order
from kilowatt.sales.operations._shared import ORDER_LIVE, SIGN_UP, trail_key

Registration = models.OrderSupply.Registration
OUTCOMES = tuple(r.value for r in Registration if r != Registration.NOT_SENT)
_STOPPING: dict[str, str] = {
    Registration.REJECTED: "registration_rejected",
    Registration.OBJECTED: "registration_objected",
}


@transaction.atomic
def record_registration_outcome(
    *,
    supply_id: int,
    outcome: str,
    supply_start_date: datetime.date | None = None,
    reason: str = "",
    as_at: datetime.datetime,
) -> None:
    """Record what the industry said of one meter point's registration.

    ``ACCEPTED`` needs the supply start date: the meter point's agreement starts then.
    ``REJECTED`` and ``OBJECTED`` stop the order for a person (the reason is kept).

    :raises NotFound: no such supply.
    :raises InvalidInput: ``outcome``/``choice``; ``supply_start_date``/``required`` for
        an acceptance without a date.
    """
    if outcome not in OUTCOMES:
        raise InvalidInput.one(
            field="outcome", rule="choice", message=f"must be one of {', '.join(OUTCOMES)}"
        )
    if outcome == Registration.ACCEPTED and supply_start_date is None:
        raise InvalidInput.one(
            field="supply_start_date", rule="required", message="an acceptance has a start date"
        )
    supply = (
        models.OrderSupply.objects.select_for_update()
        .select_related("order")
        .filter(id=supply_id)
        .first()
    )
    if supply is None:
        raise NotFound(f"order supply {supply_id}")
    order = models.Order.objects.select_for_update().get(id=supply.order_id)
    if supply.registration == outcome and supply.supply_start_date == (
        supply_start_date if outcome == Registration.ACCEPTED else supply.supply_start_date
    ):
        return  # told before
    before = supply.registration
    supply.registration = outcome
    supply.registration_reason = reason[:300]
    if outcome == Registration.ACCEPTED:
        supply.supply_start_date = supply_start_date
    supply.save(update_fields=["registration", "registration_reason", "supply_start_date"])
    audit.record(
        trail=trail_key(order.id),
        entity="registration",
        entity_id=supply.identifier,
        action=outcome,
        changes={"registration": [before, outcome], "reason": [None, reason[:300] or None]},
        actor=audit.Actor(id=None, name="industry:css"),
        at=as_at,
    )
    if outcome == Registration.ACCEPTED and order.status in (
        models.Order.Status.SIGNED,
        models.Order.Status.EXCEPTION,
    ):
        _start_supply(order, supply, as_at=as_at)
    elif outcome == Registration.ANNULLED:
        _maybe_reversed(order, as_at=as_at)
    elif outcome in _STOPPING and order.status == models.Order.Status.SIGNED:
        order.status = models.Order.Status.EXCEPTION
        order.exception_rule = _STOPPING[outcome]
        order.exception_message = f"{supply.identifier}: {reason}"[:300]
        order.save(update_fields=["status", "exception_rule", "exception_message"])


def _start_supply(
    order: models.Order, supply: models.OrderSupply, *, as_at: datetime.datetime
) -> None:
    account_operations.add_agreement(
        by=SIGN_UP,
        account_number=account_operations.account_number(order.account_id),  # type: ignore[arg-type]
        meter_point_identifier=supply.identifier,
        tariff_code=supply.tariff_code,
        valid_from=supply.supply_start_date,  # type: ignore[arg-type]
        as_at=as_at,
    )
    waiting = models.OrderSupply.objects.filter(order=order).exclude(
        registration=Registration.ACCEPTED
    )
    if waiting.exists() or order.status != models.Order.Status.SIGNED:
        return
    order.status = models.Order.Status.LIVE
    order.live_at = as_at
    order.save(update_fields=["status", "live_at"])
    models.OrderSupply.objects.filter(order=order).update(is_open=False)
    starts = sorted(
        start
        for start in models.OrderSupply.objects.filter(order=order).values_list(
            "supply_start_date", flat=True
        )
        if start is not None
    )
    comms.queue_email(
        key=f"order:{order.id}:live",
        to=order.details["customer"]["email"],
        template="sales/email/welcome",
        context={
            "name": order.details["customer"].get("first_name")
            or order.details["customer"].get("company_name"),
            "reference": order.reference,
            "account_number": account_operations.account_number(order.account_id),  # type: ignore[arg-type]
            "supply_start": starts[0],
        },
        as_at=as_at,
    )
    events.publish(
        name=ORDER_LIVE,
        payload={
            "order_id": order.id,
            "reference": order.reference,
            "account_id": order.account_id,
        },
        at=as_at,
    )


def _maybe_reversed(order: models.Order, *, as_at: datetime.datetime) -> None:
    """Once every registration of a disputed order is annulled: close the order and the
    account, and pay the customer the guaranteed-standard compensation."""
    if order.status in (models.Order.Status.CANCELLED, models.Order.Status.REJECTED):
        return
    if models.OrderSupply.objects.filter(
        order=order, registration__in=[Registration.REQUESTED, Registration.ACCEPTED]
    ).exists():
        return
    close_order(
        order,
        status=models.Order.Status.CANCELLED,
        reason="erroneous transfer reversed: the customer had not agreed to switch",
        by=SIGN_UP,
        as_at=as_at,
    )
    ledger_operations.post_transaction(
        kind=postings.COMPENSATION,
        reference=f"erroneous-transfer:{order.reference}",
        description=f"Guaranteed standard: erroneous transfer {order.reference}",
        effective_date=london_date(as_at),
        lines=[
            postings.LineSpec(
                postings.RECEIVABLE, -ERRONEOUS_TRANSFER_COMPENSATION_PENCE, holder=order.account_id
            ),
            postings.LineSpec(postings.COMPENSATION, ERRONEOUS_TRANSFER_COMPENSATION_PENCE),
        ],
        posted_at=as_at,
        posted_by=SIGN_UP.username,
    )
    comms.queue_email(
        key=f"order:{order.id}:reversed",
        to=order.details["customer"]["email"],
        template="sales/email/transfer_reversed",
        context={
            "reference": order.reference,
            "compensation": format_pence(ERRONEOUS_TRANSFER_COMPENSATION_PENCE),
        },
        as_at=as_at,
    )
