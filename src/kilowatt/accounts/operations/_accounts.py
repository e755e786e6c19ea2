from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.accounts import models, queries
from kilowatt.accounts.domain import agreements as agreement_rules
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound, Problem, raise_if
from kilowatt.platform.periods import DatePeriod, london_date

_EDITABLE = ("status", "payment_method", "bill_delivery")


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(id=principal.user_id, name=principal.username)


def _require_edit(principal: Principal) -> None:
    if not principal.may(Permission.EDIT_CUSTOMERS):
        raise NotAllowed(f"{principal.username} may not change accounts")


def account_number(account_id: int) -> str:
    """Return the account number shown to people for an account id."""
    return f"A{account_id:08d}"


def _choice_problems(values: dict[str, str]) -> list[Problem]:
    choices = {
        "status": models.Account.Status.values,
        "payment_method": models.PaymentMethod.values,
        "bill_delivery": models.Account.BillDelivery.values,
    }
    return [
        Problem(field, "choice", f"must be one of {', '.join(choices[field])}")
        for field, value in values.items()
        if value not in choices[field]
    ]


@transaction.atomic
def create_account(
    *,
    by: Principal,
    customer_number: str,
    payment_method: str,
    bill_delivery: str,
    as_at: datetime.datetime,
    occupier: bool = False,
) -> models.Account:
    """Open a pending account for a customer ``by`` may see (``occupier``: a new
    occupier's, on a deemed contract until they sign up).

    Business customers are paperless: their bills go by email.

    :raises NotFound: no such customer, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not change customers' accounts.
    :raises InvalidInput: a choice is not valid.
    """
    customer = customer_queries.customer_for(by, number=customer_number)
    _require_edit(by)
    values = {"payment_method": payment_method.upper(), "bill_delivery": bill_delivery.upper()}
    problems = _choice_problems(values)
    if customer.kind == "BUSINESS" and values["bill_delivery"] == "PAPER":
        problems.append(
            Problem("bill_delivery", "business_paperless", "business accounts are paperless")
        )
    raise_if(problems)
    account = models.Account.objects.create(
        number=f"N{as_at.timestamp():.0f}"[:12],  # replaced below, once the id is known
        customer_id=customer.id,
        status=models.Account.Status.PENDING,
        created_at=as_at,
        is_occupier=occupier,
        **values,
    )
    account.number = account_number(account.id)
    account.save(update_fields=["number"])
    audit.record(
        trail=queries.trail_key(account.id),
        entity="account",
        entity_id=account.number,
        action="CREATED",
        changes=audit.created({"customer": customer.number, "status": account.status, **values}),
        actor=_actor(by),
        at=as_at,
    )
    events.publish(
        name="accounts.account.opened.v1",
        payload={"account_id": account.id, "number": account.number, "customer_id": customer.id},
        at=as_at,
    )
    return account


@transaction.atomic
def update_account(
    *, by: Principal, number: str, changes: dict[str, str], as_at: datetime.datetime
) -> models.Account:
    """Change an account's status, payment method or bill delivery.

    :raises NotFound: no such account, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not change accounts.
    :raises InvalidInput: a field is unknown or a choice is not valid.
    """
    account = queries.account_for(by, number=number)
    _require_edit(by)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput.one(
            field=sorted(unknown)[0], rule="unknown_field", message="not a field that can change"
        )
    values = {field: str(value).upper() for field, value in changes.items()}
    raise_if(_choice_problems(values))
    account = models.Account.objects.select_for_update().get(id=account.id)
    before = {field: getattr(account, field) for field in _EDITABLE}
    for field, value in values.items():
        setattr(account, field, value)
    account.save(update_fields=list(_EDITABLE))
    if changed := audit.diff(before, {field: getattr(account, field) for field in _EDITABLE}):
        audit.record(
            trail=queries.trail_key(account.id),
            entity="account",
            entity_id=account.number,
            action="UPDATED",
            changes=changed,
            actor=_actor(by),
            at=as_at,
        )
    return queries.account_for(by, number=number)


@transaction.atomic
def add_agreement(
    *,
    by: Principal,
    account_number: str,
    meter_point_identifier: str,
    tariff_code: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    as_at: datetime.datetime,
) -> models.Agreement:
    """Supply a meter point on an account under a tariff from ``valid_from``.

    :raises NotFound: no such account (or not visible to ``by``), meter point or tariff.
    :raises NotAllowed: ``by`` may not change accounts.
    :raises InvalidInput: the tariff does not fit the meter point or account, it is not on
        sale then, or the meter point already has an agreement over those dates.
    """
    account = queries.account_for(by, number=account_number)
    _require_edit(by)
    point = metering_queries.meter_point_by_identifier(identifier=meter_point_identifier)
    try:
        tariff = queries.tariff_for(code=tariff_code)
    except NotFound as error:
        raise InvalidInput.one(
            field="tariff", rule="exists", message=f"no tariff {tariff_code}"
        ) from error
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidInput.one(
            field="valid_to", rule="after_valid_from", message="must be after valid_from"
        )
    # Lock the meter point's agreements so two concurrent agreements cannot both pass the
    # overlap check.
    existing = list(
        models.Agreement.objects.select_for_update().filter(meter_point_id=point.id).order_by("id")
    )
    customer = customer_queries.customer_by_id(by, customer_id=account.customer_id)
    raise_if(
        agreement_rules.problems(
            period=DatePeriod(valid_from, valid_to),
            tariff=agreement_rules.TariffFacts(
                fuel=tariff.fuel,
                region=tariff.region,
                customer_kind=tariff.customer_kind,
                payment_method=tariff.payment_method,
                valid_from=tariff.valid_from,
                valid_to=tariff.valid_to,
            ),
            meter_point=agreement_rules.MeterPointFacts(fuel=point.fuel, region=point.region),
            customer_kind=customer.kind,
            payment_method=account.payment_method,
            existing=[DatePeriod(a.valid_from, a.valid_to) for a in existing],
        )
    )
    agreement = models.Agreement.objects.create(
        account_id=account.id,
        meter_point_id=point.id,
        tariff=tariff,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    metering_operations.note_supply_from(meter_point_id=point.id, start=valid_from)
    audit.record(
        trail=queries.trail_key(account.id),
        entity="agreement",
        entity_id=agreement.id,
        action="CREATED",
        changes=audit.created(
            {
                "meter_point": point.identifier,
                "tariff": tariff.code,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
            }
        ),
        actor=_actor(by),
        at=as_at,
    )
    events.publish(
        name="accounts.agreement.started.v1",
        payload={
            "agreement_id": agreement.id,
            "account_id": account.id,
            "meter_point_id": point.id,
            "valid_from": valid_from.isoformat(),
        },
        at=as_at,
    )
    return agreement


@transaction.atomic
def end_agreement(
    *, by: Principal, agreement_id: int, valid_to: datetime.date, as_at: datetime.datetime
) -> models.Agreement:
    """End an agreement on ``valid_to`` (exclusive).

    :raises NotFound: no such agreement on an account ``by`` may see.
    :raises NotAllowed: ``by`` may not change accounts.
    :raises InvalidInput: ``valid_to`` is not after the agreement's start.
    """
    agreement = (
        models.Agreement.objects.select_for_update()
        .filter(id=agreement_id, account_id__in=queries.visible_accounts(by).values("id"))
        .first()
    )
    if agreement is None:
        raise NotFound(f"agreement {agreement_id}")
    _require_edit(by)
    if valid_to <= agreement.valid_from:
        raise InvalidInput.one(
            field="valid_to", rule="after_valid_from", message="must be after the agreement's start"
        )
    before = agreement.valid_to
    agreement.valid_to = valid_to
    agreement.save(update_fields=["valid_to"])
    audit.record(
        trail=queries.trail_key(agreement.account_id),
        entity="agreement",
        entity_id=agreement.id,
        action="UPDATED",
        changes={"valid_to": [before.isoformat() if before else None, valid_to.isoformat()]},
        actor=_actor(by),
        at=as_at,
    )
    return agreement


@transaction.atomic
def withdraw_agreement(*, by: Principal, agreement_id: int, as_at: datetime.datetime) -> None:
    """Remove an agreement that has not started (a switch cancelled before its supply
    start date): nothing was supplied or billed under it.

    :raises NotFound: no such agreement on an account ``by`` may see.
    :raises NotAllowed: ``by`` may not change accounts.
    :raises InvalidInput: ``valid_from``/``not_started``: it has started; end it instead.
    """
    agreement = (
        models.Agreement.objects.select_for_update()
        .filter(id=agreement_id, account_id__in=queries.visible_accounts(by).values("id"))
        .first()
    )
    if agreement is None:
        raise NotFound(f"agreement {agreement_id}")
    _require_edit(by)
    if agreement.valid_from <= london_date(as_at):
        raise InvalidInput.one(
            field="valid_from", rule="not_started", message="it has started: end it instead"
        )
    audit.record(
        trail=queries.trail_key(agreement.account_id),
        entity="agreement",
        entity_id=agreement.id,
        action="WITHDRAWN",
        changes={"valid_from": [agreement.valid_from.isoformat(), None]},
        actor=_actor(by),
        at=as_at,
    )
    agreement.delete()
