"""Sign-ups taken on every channel: validated whole before anything is written, one order
per submission (idempotency key), one open sign-up per meter point."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import uuid

from django.db import IntegrityError, transaction

from kilowatt.accounts import queries as account_queries
from kilowatt.identity.domain.roles import Permission, Principal, Role
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound, Problem, raise_if
from kilowatt.platform.periods import london_date
from kilowatt.sales import models
from kilowatt.sales import queries as order_queries
from kilowatt.sales.domain import orders as order_rules
from kilowatt.sales.domain.regions import region_for_postcode
from kilowatt.sales.operations._closing import close_order
from kilowatt.sales.operations._contracts import issue_contract
from kilowatt.sales.operations._links import order_id_for_cancellation_token
from kilowatt.sales.operations._shared import (
    ORDER_SIGNED,
    ORDER_SUBMITTED,
    TRANSFER_DISPUTED,
    order_reference,
    trail_key,
)
from kilowatt.sales.operations._shared import actor as _actor


@dataclasses.dataclass(frozen=True)
class SubmittedOrder:
    order: models.Order
    created: bool  # False: the same submission was sent before; this is its order


def tariff_facts(codes: set[str]) -> dict[str, order_rules.TariffFacts]:
    """Return what the order rules check of each named tariff that exists."""
    found = {}
    for code in sorted(codes):
        try:
            tariff = account_queries.tariff_for(code=code)
        except NotFound:
            continue
        found[code] = order_rules.TariffFacts(
            code=tariff.code,
            fuel=tariff.fuel,
            region=tariff.region,
            customer_kind=tariff.customer_kind,
            payment_method=tariff.payment_method,
            bands=frozenset(rate.band for rate in tariff.rates.all()),
            valid_from=tariff.valid_from,
            valid_to=tariff.valid_to,
        )
    return found


def site_regions(request: order_rules.OrderRequest) -> dict[int, str | None]:
    return {index: region_for_postcode(site.postcode) for index, site in enumerate(request.sites)}


def _scoped_key(by: Principal, key: str | None) -> str | None:
    if key is None or not key.strip():
        return None
    if len(key) > 200:
        raise InvalidInput.one(field="idempotency_key", rule="too_long", message="at most 200")
    return f"{by.user_id or 'web'}:{key.strip()}"


def _already_submitted(key: str, digest: str) -> models.Order | None:
    order = models.Order.objects.filter(idempotency_key=key).first()
    if order is not None and order.request_sha256 != digest:
        raise InvalidInput.one(
            field="idempotency_key",
            rule="reused",
            message="this key was already used for a different sign-up",
        )
    return order


def _duplicate_problems(
    request: order_rules.OrderRequest, *, today: datetime.date
) -> list[Problem]:
    identifiers = [supply.identifier for supply in request.supplies]
    # A meter point an occupier has on a deemed contract is theirs to sign up for properly.
    ours = account_queries.identifiers_supplied(identifiers=identifiers, on=today, occupiers=False)
    pending = set(
        models.OrderSupply.objects.filter(identifier__in=identifiers, is_open=True).values_list(
            "identifier", flat=True
        )
    )
    found = []
    for index, identifier in enumerate(identifiers):
        if identifier in ours:
            found.append(
                Problem(
                    f"supplies.{index}.identifier",
                    "already_supplied",
                    f"{identifier} is already supplied by us",
                )
            )
        elif identifier in pending:
            found.append(
                Problem(
                    f"supplies.{index}.identifier",
                    "already_in_sign_up",
                    f"{identifier} is already in an open sign-up",
                )
            )
    return found


def submit_order(
    *,
    by: Principal,
    channel: str,
    request: order_rules.OrderRequest,
    idempotency_key: str | None = None,
    as_at: datetime.datetime,
) -> SubmittedOrder:
    """Take a sign-up: refuse it whole, or record it and send its contract for signing
    (or to the admin team's queue when an automatic rule stops it).

    The same ``idempotency_key`` from the same person again returns the first order.

    :raises NotAllowed: ``by`` may not sign up this kind of customer on this channel.
    :raises InvalidInput: every rule the order breaks, each naming its field: a bad
        postcode, MPAN, MPRN, bank account, a missing consent, a tariff that does not fit,
        a meter point already ours (``already_supplied``) or in another open sign-up
        (``already_in_sign_up``); ``idempotency_key``/``reused`` for a key sent before
        with a different order. Nothing is written.
    """
    request = order_rules.normalise(request)
    is_business = request.customer.kind == "BUSINESS"
    if not order_rules.may_submit(by, channel=channel, is_business=is_business):
        raise NotAllowed(f"{by.username} may not take {channel.lower()} sign-ups of this kind")
    details = order_rules.to_json(request)
    digest = hashlib.sha256(json.dumps(details, sort_keys=True).encode()).hexdigest()
    key = _scoped_key(by, idempotency_key)
    if key is not None and (existing := _already_submitted(key, digest)) is not None:
        return SubmittedOrder(existing, created=False)
    today = london_date(as_at)
    regions = site_regions(request)
    raise_if(
        order_rules.order_problems(
            request,
            site_regions=regions,
            tariffs=tariff_facts({supply.tariff_code for supply in request.supplies}),
            today=today,
        )
    )
    raise_if(_duplicate_problems(request, today=today))
    try:
        with transaction.atomic():
            order = _record(
                by=by,
                channel=channel,
                request=request,
                details=details,
                digest=digest,
                key=key,
                region=regions[request.supplies[0].site] or "",
                as_at=as_at,
            )
    except IntegrityError:
        # A double submission raced this one, or another sign-up took a meter point
        # between the check and the insert: answer as if it had been there first.
        if key is not None and (existing := _already_submitted(key, digest)) is not None:
            return SubmittedOrder(existing, created=False)
        raise_if(_duplicate_problems(request, today=today))
        raise
    return SubmittedOrder(order, created=True)


def _record(
    *,
    by: Principal,
    channel: str,
    request: order_rules.OrderRequest,
    details: dict,
    digest: str,
    key: str | None,
    region: str,
    as_at: datetime.datetime,
) -> models.Order:
    stopped = order_rules.exception_for(request)
    checking = stopped is None and order_rules.needs_credit_check(request)
    if stopped:
        status = models.Order.Status.EXCEPTION
    elif checking:
        status = models.Order.Status.CREDIT_CHECK
    else:
        status = models.Order.Status.AWAITING_SIGNATURE
    order = models.Order.objects.create(
        reference=f"T{uuid.uuid4().hex[:11]}",  # replaced below, once the id is known
        channel=channel,
        customer_kind=request.customer.kind,
        status=status,
        idempotency_key=key,
        request_sha256=digest,
        details=details,
        payment_method=request.payment_method,
        region=region,
        created_by_id=by.user_id or None,
        submitted_at=as_at,
        exception_rule=stopped.rule if stopped else "",
        exception_message=stopped.message[:300] if stopped else "",
    )
    order.reference = order_reference(order.id)
    order.save(update_fields=["reference"])
    models.OrderSupply.objects.bulk_create(
        models.OrderSupply(
            order=order,
            position=position,
            site_position=supply.site,
            identifier=supply.identifier,
            fuel=supply.fuel,
            tariff_code=supply.tariff_code,
            annual_kwh=supply.annual_kwh,
        )
        for position, supply in enumerate(request.supplies)
    )
    audit.record(
        trail=trail_key(order.id),
        entity="order",
        entity_id=order.reference,
        action="SUBMITTED",
        changes={"channel": [None, channel], "status": [None, order.status]},
        actor=_actor(by),
        at=as_at,
    )
    events.publish(
        name=ORDER_SUBMITTED,
        payload={
            "order_id": order.id,
            "reference": order.reference,
            "status": order.status,
            "customer_kind": order.customer_kind,
        },
        at=as_at,
    )
    if status == models.Order.Status.AWAITING_SIGNATURE:
        issue_contract(order=order, request=request, as_at=as_at)
    return order


def _locked_order(reference: str) -> models.Order:
    order = models.Order.objects.select_for_update().filter(reference=reference).first()
    if order is None:
        raise NotFound(f"order {reference}")
    return order


@transaction.atomic
def proceed_with_order(
    *, by: Principal, reference: str, note: str = "", as_at: datetime.datetime
) -> models.Order:
    """Let an order the automatic rules stopped go on, once a person has checked it: its
    contract is sent for signing, or (stopped at registration) its registration is
    asked for again.

    :raises NotAllowed: ``by`` does not work the sales exceptions queue.
    :raises NotFound: no such order.
    :raises InvalidInput: ``status``/``not_an_exception``: the order is not waiting for a
        person.
    """
    _require_exceptions(by)
    order = _locked_order(reference)
    if order.status != models.Order.Status.EXCEPTION:
        raise InvalidInput.one(
            field="status",
            rule="not_an_exception",
            message="this order is not waiting for a person",
        )
    rule = order.exception_rule
    order.decided_at, order.decided_by = as_at, by.username
    order.exception_rule, order.exception_message = "", ""
    if order.account_id is None:
        order.status = models.Order.Status.AWAITING_SIGNATURE
        order.save()
        issue_contract(order=order, request=order_rules.from_json(order.details), as_at=as_at)
    else:
        # Stopped at registration (rejected or objected): ask the industry again.
        order.status = models.Order.Status.SIGNED
        order.save()
        models.OrderSupply.objects.filter(
            order=order,
            registration__in=[
                models.OrderSupply.Registration.REJECTED,
                models.OrderSupply.Registration.OBJECTED,
            ],
        ).update(registration=models.OrderSupply.Registration.NOT_SENT, registration_reason="")
        events.publish(
            name=ORDER_SIGNED,
            payload={
                "order_id": order.id,
                "reference": order.reference,
                "account_id": order.account_id,
            },
            at=as_at,
        )
    audit.record(
        trail=trail_key(order.id),
        entity="order",
        entity_id=order.reference,
        action="PROCEEDED",
        changes={"exception_rule": [rule, None], "note": [None, note[:300]]},
        actor=_actor(by),
        at=as_at,
    )
    return order


def _require_exceptions(by: Principal) -> None:
    if not by.may(Permission.WORK_SALES_EXCEPTIONS):
        raise NotAllowed(f"{by.username} may not work the sales exceptions queue")


@transaction.atomic
def reject_order(
    *, by: Principal, reference: str, reason: str, as_at: datetime.datetime
) -> models.Order:
    """Refuse an order the automatic rules stopped, with the reason the customer is told.

    :raises NotAllowed: ``by`` does not work the sales exceptions queue.
    :raises NotFound: no such order.
    :raises InvalidInput: ``reason``/``required``; ``status``/``not_an_exception``.
    """
    _require_exceptions(by)
    if not reason.strip():
        raise InvalidInput.one(field="reason", rule="required", message="say why, for the customer")
    order = _locked_order(reference)
    if order.status != models.Order.Status.EXCEPTION:
        raise InvalidInput.one(
            field="status",
            rule="not_an_exception",
            message="this order is not waiting for a person",
        )
    close_order(
        order, status=models.Order.Status.REJECTED, reason=reason.strip(), by=by, as_at=as_at
    )
    return order


def _cancel(
    order: models.Order, *, reason: str, by: Principal, as_at: datetime.datetime
) -> models.Order:
    contract = models.Contract.objects.filter(order=order).first()
    problem = order_rules.cancellation_problem(
        status=order.status,
        cooling_off_ends=contract.cooling_off_ends if contract else None,
        today=london_date(as_at),
    )
    if problem is not None:
        raise InvalidInput([problem])
    close_order(
        order,
        status=models.Order.Status.CANCELLED,
        reason=reason.strip() or "cancelled by the customer",
        by=by,
        as_at=as_at,
    )
    return order


@transaction.atomic
def cancel_order(
    *, by: Principal, reference: str, reason: str = "", as_at: datetime.datetime
) -> models.Order:
    """Cancel a sign-up for the customer: before signing at any time, after signing within
    the cooling-off period (14 days from the day after the contract was made); the
    registrations are withdrawn and the account closed.

    :raises NotFound: no such order, or ``by`` may not see it.
    :raises NotAllowed: ``by`` sees it but may not cancel orders.
    :raises InvalidInput: ``status``/``closed`` or ``cooling_off_ended``.
    """
    order_queries.order_for(by, reference=reference)
    if not (
        by.may(Permission.WORK_SALES_EXCEPTIONS)
        or by.may(Permission.EDIT_CUSTOMERS)
        or by.role is Role.CUSTOMER
    ):
        raise NotAllowed(f"{by.username} may not cancel sign-ups")
    return _cancel(_locked_order(reference), reason=reason, by=by, as_at=as_at)


@transaction.atomic
def cancel_order_by_link(*, token: str, reason: str = "", as_at: datetime.datetime) -> models.Order:
    """Cancel a sign-up through the link its customer was emailed (see ``cancel_order``).

    :raises NotFound: the link is not valid.
    :raises InvalidInput: ``status``/``closed`` or ``cooling_off_ended``.
    """
    order = (
        models.Order.objects.select_for_update()
        .filter(id=order_id_for_cancellation_token(token))
        .first()
    )
    if order is None:
        raise NotFound("no such order")
    signer = audit.Actor(id=None, name="customer:cancellation-link")
    return _cancel(
        order,
        reason=reason,
        by=Principal(user_id=None, username=signer.name, role=None),
        as_at=as_at,
    )


@transaction.atomic
def dispute_transfer(
    *, by: Principal, reference: str, reason: str, as_at: datetime.datetime
) -> models.Order:
    """Start reversing an erroneous transfer: the customer says they never agreed to it.
    The industry is asked to annul each registration; when it has, the account is closed
    and the customer is paid the guaranteed-standard compensation.

    :raises NotAllowed: ``by`` does not work the sales exceptions queue.
    :raises NotFound: no such order.
    :raises InvalidInput: ``reason``/``required``; ``status``/``not_signed``.
    """
    _require_exceptions(by)
    if not reason.strip():
        raise InvalidInput.one(field="reason", rule="required", message="what the customer said")
    order = _locked_order(reference)
    if order.status not in (models.Order.Status.SIGNED, models.Order.Status.LIVE):
        raise InvalidInput.one(
            field="status", rule="not_signed", message="only a signed sign-up can be reversed"
        )
    audit.record(
        trail=trail_key(order.id),
        entity="order",
        entity_id=order.reference,
        action="DISPUTED",
        changes={"reason": [None, reason.strip()[:300]]},
        actor=_actor(by),
        at=as_at,
    )
    events.publish(
        name=TRANSFER_DISPUTED,
        payload={"order_id": order.id, "reference": order.reference, "reason": reason.strip()},
        at=as_at,
    )
    return order


@transaction.atomic
def record_credit_check(
    *,
    reference: str,
    decision: str,
    reason: str = "",
    agency_reference: str = "",
    as_at: datetime.datetime,
) -> models.Order:
    """Record the credit reference agency's answer for a business sign-up: a pass sends
    its contract for signing; a refer or a fail sends it to the admin team's queue.
    Told again, nothing more happens.

    :raises NotFound: no such order.
    :raises InvalidInput: ``decision``/``choice``.
    """
    if decision not in order_rules.CREDIT_DECISIONS:
        raise InvalidInput.one(
            field="decision",
            rule="choice",
            message=f"must be one of {', '.join(order_rules.CREDIT_DECISIONS)}",
        )
    order = _locked_order(reference)
    if order.status != models.Order.Status.CREDIT_CHECK:
        return order  # answered before (or the order moved on): nothing more to do
    order.credit_decision = decision
    order.credit_reference = agency_reference[:40]
    stopped = order_rules.credit_exception(decision, reason)
    if stopped is None:
        order.status = models.Order.Status.AWAITING_SIGNATURE
    else:
        order.status = models.Order.Status.EXCEPTION
        order.exception_rule, order.exception_message = stopped.rule, stopped.message[:300]
    order.save()
    audit.record(
        trail=trail_key(order.id),
        entity="order",
        entity_id=order.reference,
        action="CREDIT",
        changes={"credit_decision": [None, decision], "reason": [None, reason[:300] or None]},
        actor=audit.Actor(id=None, name="credit-agency"),
        at=as_at,
    )
    if stopped is None:
        issue_contract(order=order, request=order_rules.from_json(order.details), as_at=as_at)
    return order
