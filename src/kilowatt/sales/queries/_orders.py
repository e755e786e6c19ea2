"""Orders as people may see them: the one gate (``order_for``), the exceptions queue,
and the registrations integrations reports on."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Q, QuerySet

from kilowatt.customers import queries as customer_queries
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal, Reach, Role
from kilowatt.platform.errors import NotFound
from kilowatt.sales import models


def visible_orders(principal: Principal) -> QuerySet[models.Order]:
    """Return the orders ``principal`` may see.

    Everyone sees the orders they took. A telesales agent also sees the telesales
    team's orders (the team chases unsigned contracts together); a regional sales manager
    their agents' orders; a corporate relations manager business orders; a customer the
    orders that became their own customer record; other staff who see every customer
    (the admin team ...) every order.
    """
    orders = models.Order.objects.all()
    if principal.is_anonymous:
        return orders.none()
    if principal.role is Role.TELESALES:
        return orders.filter(
            Q(channel=models.Channel.TELESALES) | Q(created_by_id=principal.user_id)
        )
    if principal.role is Role.AGENT:
        return orders.filter(created_by_id=principal.user_id)
    if principal.role is Role.SALES_MANAGER:
        agents = identity_queries.agents_of(manager_id=principal.user_id)  # type: ignore[arg-type]
        return orders.filter(created_by_id__in=[principal.user_id, *agents])
    if principal.role is Role.CUSTOMER:
        own = customer_queries.visible_customers(principal).values("id")
        return orders.filter(customer_id__in=own)
    if principal.reach is Reach.BUSINESS:
        return orders.filter(Q(customer_kind="BUSINESS") | Q(created_by_id=principal.user_id))
    if principal.reach is Reach.ALL:
        return orders
    return orders.none()


def order_for(principal: Principal, *, reference: str) -> models.Order:
    """Return an order ``principal`` may see, with its supplies and contract.

    :raises NotFound: no such order, or ``principal`` may not see it (the same answer).
    """
    order = (
        visible_orders(principal)
        .select_related("contract")
        .prefetch_related("supplies")
        .filter(reference=reference)
        .first()
    )
    if order is None:
        raise NotFound(f"order {reference}")
    return order


def contract_for(principal: Principal, *, contract_id: int) -> models.Contract:
    """Return a contract whose order ``principal`` may see.

    :raises NotFound: no such contract, or not visible (the same answer).
    """
    contract = (
        models.Contract.objects.select_related("order")
        .filter(id=contract_id, order__in=visible_orders(principal))
        .first()
    )
    if contract is None:
        raise NotFound(f"contract {contract_id}")
    return contract


def contract_by_id(*, contract_id: int) -> models.Contract:
    """Return a contract by id for the signing page, which a signing link opens (the
    link's signed token is the gate, checked by the caller).

    :raises NotFound: no such contract.
    """
    contract = models.Contract.objects.select_related("order").filter(id=contract_id).first()
    if contract is None:
        raise NotFound(f"contract {contract_id}")
    return contract


@dataclasses.dataclass(frozen=True)
class RegistrationRow:
    supply_id: int
    order_id: int
    order_reference: str
    identifier: str
    fuel: str
    registration: str
    supply_start_date: datetime.date | None


def _registration_rows(supplies: QuerySet[models.OrderSupply]) -> list[RegistrationRow]:
    return [
        RegistrationRow(
            supply_id=row["id"],
            order_id=row["order_id"],
            order_reference=row["order__reference"],
            identifier=row["identifier"],
            fuel=row["fuel"],
            registration=row["registration"],
            supply_start_date=row["supply_start_date"],
        )
        for row in supplies.order_by("order_id", "position").values(
            "id",
            "order_id",
            "order__reference",
            "identifier",
            "fuel",
            "registration",
            "supply_start_date",
        )
    ]


def registrations_for_order(*, order_id: int) -> list[RegistrationRow]:
    """Return each meter point of an order with where its registration stands."""
    return _registration_rows(models.OrderSupply.objects.filter(order_id=order_id))


def registration_for_supply(*, supply_id: int) -> RegistrationRow:
    """Return one meter point of an order with where its registration stands.

    :raises NotFound: no such supply.
    """
    rows = _registration_rows(models.OrderSupply.objects.filter(id=supply_id))
    if not rows:
        raise NotFound(f"order supply {supply_id}")
    return rows[0]
