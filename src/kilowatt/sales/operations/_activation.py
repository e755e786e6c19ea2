"""A signed order becomes a customer we supply: the customer, an active account, its sites
and meter points are recorded from the order, commission is earned, and the industry is
asked to register each meter point (``sales.order.signed.v1``, handled by integrations).

Undone when the customer cancels in cooling-off or the admin team rejects the order:
agreements not yet started are withdrawn, started ones end, the account closes and the
agent's commission is clawed back.
"""

from __future__ import annotations

import datetime

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain import customers as customer_rules
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import events
from kilowatt.platform.errors import NotFound
from kilowatt.platform.periods import london_date
from kilowatt.sales import models
from kilowatt.sales.domain import orders as order_rules
from kilowatt.sales.domain.regions import region_for_postcode
from kilowatt.sales.operations._registrations import record_registration_outcome
from kilowatt.sales.operations._shared import (
    ORDER_SIGNED,
    SIGN_UP,
)


def _customer_details(request: order_rules.OrderRequest) -> customer_rules.CustomerDetails:
    customer = request.customer
    agreed = set(request.consents.marketing)
    contacts = customer.contacts
    if customer.kind == "BUSINESS" and not any(c.role == "PRIMARY" for c in contacts):
        contacts = (
            customer_rules.ContactDetails(
                role="PRIMARY", name=request.signer_name, email=customer.email, phone=customer.phone
            ),
            *contacts,
        )
    return customer_rules.CustomerDetails(
        **{
            **{
                f: getattr(customer, f) for f in customer_rules.CustomerDetails.__dataclass_fields__
            },
            "consents": tuple(
                (channel, channel in agreed) for channel in customer_rules.CONSENT_CHANNELS
            ),
            "contacts": contacts,
        }
    )


def _creator(order: models.Order, agent: Principal | None) -> Principal:
    """Who the customer is recorded as signed up by: the shop agent (so they, and only
    they, see their customers), else the system."""
    return agent if agent is not None and agent.role is Role.AGENT else SIGN_UP


def activate(
    *,
    order: models.Order,
    request: order_rules.OrderRequest,
    contract: models.Contract,
    as_at: datetime.datetime,
    agent: Principal | None = None,
) -> None:
    """Record the customer, account, sites and meter points of a signed order (inside the
    signing transaction), earn commission, and announce the order signed."""
    if agent is None and order.created_by_id is not None:
        agent = _agent_of(order)
    customer = customer_operations.create_customer(
        by=_creator(order, agent), details=_customer_details(request), as_at=as_at
    )
    account = account_operations.create_account(
        by=SIGN_UP,
        customer_number=customer.number,
        payment_method=request.payment_method,
        bill_delivery=request.bill_delivery,
        as_at=as_at,
    )
    account_operations.update_account(
        by=SIGN_UP, number=account.number, changes={"status": "ACTIVE"}, as_at=as_at
    )
    site_ids: dict[int, int] = {}
    regions = {
        index: region_for_postcode(site.postcode) or order.region
        for index, site in enumerate(request.sites)
    }
    for supply in request.supplies:
        try:
            metering_queries.meter_point_by_identifier(identifier=supply.identifier)
            continue  # known from before (a customer won back): its site stays
        except NotFound:
            pass
        if supply.site not in site_ids:
            site_ids[supply.site] = account_operations.create_site(
                by=SIGN_UP, address=request.sites[supply.site], as_at=as_at
            ).id
        account_operations.register_meter_point(
            by=SIGN_UP,
            site_id=site_ids[supply.site],
            details=order_rules.meter_point_details(
                supply,
                entered_identifier=supply.mpan_top_line + supply.identifier,
                customer_kind=request.customer.kind,
                region=regions[supply.site],
            ),
            as_at=as_at,
        )
    order.status = models.Order.Status.SIGNED
    order.signed_at = as_at
    order.customer_id = customer.id
    order.account_id = account.id
    order.save(update_fields=["status", "signed_at", "customer", "account"])
    if agent is not None and agent.role is Role.AGENT:
        _earn_commission(order=order, agent_id=agent.user_id, as_at=as_at)  # type: ignore[arg-type]
    events.publish(
        name=ORDER_SIGNED,
        payload={"order_id": order.id, "reference": order.reference, "account_id": account.id},
        at=as_at,
    )
    _take_over_from_occupiers(order, as_at=as_at)


def _take_over_from_occupiers(order: models.Order, *, as_at: datetime.datetime) -> None:
    """Supply from tomorrow the meter points we supply already on an occupier's deemed
    contract (the occupier signing up properly): no switch, so no registration; the
    deemed agreement ends where the new one starts."""
    start = london_date(as_at) + datetime.timedelta(days=1)
    supplies = list(order.supplies.order_by("position"))
    deemed = account_queries.occupier_agreements(
        identifiers=[supply.identifier for supply in supplies], on=start
    )
    for supply in supplies:
        if (agreement_id := deemed.get(supply.identifier)) is None:
            continue
        ending = account_queries.agreement_by_id(agreement_id=agreement_id)
        if ending.valid_from >= start:
            account_operations.withdraw_agreement(
                by=SIGN_UP, agreement_id=agreement_id, as_at=as_at
            )
        else:
            account_operations.end_agreement(
                by=SIGN_UP, agreement_id=agreement_id, valid_to=start, as_at=as_at
            )
        models.OrderSupply.objects.filter(id=supply.id).update(took_over_agreement_id=agreement_id)
        record_registration_outcome(
            supply_id=supply.id,
            outcome="ACCEPTED",
            supply_start_date=start,
            reason="taken over from the occupier's deemed contract",
            as_at=as_at,
        )


def _agent_of(order: models.Order) -> Principal | None:
    if order.created_by_id is None:
        return None
    return identity_queries.principal_by_id(user_id=order.created_by_id)


def _earn_commission(*, order: models.Order, agent_id: int, as_at: datetime.datetime) -> None:
    """Pay the agent, for each supply, what their manager's rule for its product says on
    the day it was signed (no rule: nothing)."""
    manager_id = identity_queries.manager_of(user_id=agent_id)
    if manager_id is None:
        return
    today = london_date(as_at)
    for supply in order.supplies.order_by("position"):
        product = account_queries.tariff_for(code=supply.tariff_code).name
        rule = (
            models.CommissionRule.objects.filter(
                manager_id=manager_id, product=product, valid_from__lte=today
            )
            .order_by("-valid_from")
            .first()
        )
        if rule is not None and rule.amount_pence:
            models.Commission.objects.create(
                agent_id=agent_id,
                supply=supply,
                product=product,
                amount_pence=rule.amount_pence,
                earned_at=as_at,
            )
