"""The sales force's own writes: a regional sales manager sets their agents' monthly
targets and the commission each product earns; the telesales team chases an unsigned
contract by sending its signing link again.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Permission, Principal, Role
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotAllowed, Problem, raise_if
from kilowatt.platform.periods import london_date
from kilowatt.sales import models
from kilowatt.sales.operations._shared import actor as _actor

MAX_SIGN_UPS = 10_000  # a month's target above this is a typing mistake
MAX_COMMISSION_PENCE = 100_000  # £1,000 a supply
PRODUCT_LENGTH = 100


def _require_manager(by: Principal) -> int:
    if by.role is not Role.SALES_MANAGER or not by.may(Permission.SEE_SALES_PIPELINE):
        raise NotAllowed(f"{by.username} is not a regional sales manager")
    return by.user_id  # type: ignore[return-value]


@transaction.atomic
def set_target(
    *,
    by: Principal,
    agent_id: int,
    month: datetime.date,
    sign_ups: int,
    as_at: datetime.datetime,
) -> models.SalesTarget:
    """Set how many sign-ups one of ``by``'s agents is asked for in a month (the month of
    ``month``), replacing the target set before.

    :raises NotAllowed: ``by`` is not a regional sales manager.
    :raises InvalidInput: ``agent_id``/``not_your_agent`` (no such agent, or another
        manager's: the same answer); ``sign_ups``/``negative`` or ``too_large``;
        ``month``/``in_the_past`` (a month already over).
    """
    manager_id = _require_manager(by)
    problems = []
    if agent_id not in identity_queries.agents_of(manager_id=manager_id):
        problems.append(Problem("agent_id", "not_your_agent", "choose one of your agents"))
    if sign_ups < 0:
        problems.append(Problem("sign_ups", "negative", "a target cannot be below zero"))
    elif sign_ups > MAX_SIGN_UPS:
        problems.append(Problem("sign_ups", "too_large", f"at most {MAX_SIGN_UPS:,} a month"))
    first = month.replace(day=1)
    if first < london_date(as_at).replace(day=1):
        problems.append(Problem("month", "in_the_past", "that month is over"))
    raise_if(problems)
    before = (
        models.SalesTarget.objects.select_for_update()
        .filter(agent_id=agent_id, month=first)
        .first()
    )
    previous = before.sign_ups if before is not None else None
    if before is None:
        target = models.SalesTarget.objects.create(
            agent_id=agent_id, month=first, sign_ups=sign_ups, set_by=by.username
        )
    else:
        target = before
        target.sign_ups, target.set_by = sign_ups, by.username
        target.save(update_fields=["sign_ups", "set_by"])
    audit.record(
        trail=f"sales-target:{agent_id}",
        entity="sales_target",
        entity_id=f"{agent_id}:{first.isoformat()}",
        action="SET",
        changes={"sign_ups": [previous, sign_ups]},
        actor=_actor(by),
        at=as_at,
    )
    return target


def set_commission_rule(
    *,
    by: Principal,
    product: str,
    amount_pence: int,
    valid_from: datetime.date,
    as_at: datetime.datetime,
) -> models.CommissionRule:
    """Set what ``by``'s agents earn for each signed supply of a product (a tariff's name)
    from a day on; the rule before it still applies to supplies signed earlier.

    :raises NotAllowed: ``by`` is not a regional sales manager.
    :raises InvalidInput: ``product``/``required`` or ``too_long``;
        ``amount_pence``/``negative`` or ``too_large``; ``valid_from``/``in_the_past``
        (commission already earned is not changed); ``valid_from``/``already_set`` (a
        rule for this product from this day exists).
    """
    manager_id = _require_manager(by)
    product = " ".join(product.split())
    problems = []
    if not product:
        problems.append(Problem("product", "required", "name the product (the tariff's name)"))
    elif len(product) > PRODUCT_LENGTH:
        problems.append(Problem("product", "too_long", f"at most {PRODUCT_LENGTH} characters"))
    if amount_pence < 0:
        problems.append(Problem("amount_pence", "negative", "commission cannot be below zero"))
    elif amount_pence > MAX_COMMISSION_PENCE:
        problems.append(Problem("amount_pence", "too_large", "at most £1,000 a supply"))
    if valid_from < london_date(as_at):
        problems.append(Problem("valid_from", "in_the_past", "a rule starts today or later"))
    raise_if(problems)
    try:
        with transaction.atomic():
            rule = models.CommissionRule.objects.create(
                manager_id=manager_id,
                product=product,
                amount_pence=amount_pence,
                valid_from=valid_from,
                set_at=as_at,
            )
            audit.record(
                trail=f"commission-rule:{manager_id}",
                entity="commission_rule",
                entity_id=str(rule.id),
                action="SET",
                changes={
                    "product": [None, product],
                    "amount_pence": [None, amount_pence],
                    "valid_from": [None, valid_from.isoformat()],
                },
                actor=_actor(by),
                at=as_at,
            )
    except IntegrityError as error:
        raise InvalidInput.one(
            field="valid_from",
            rule="already_set",
            message="a rule for this product from this day exists",
        ) from error
    return rule
