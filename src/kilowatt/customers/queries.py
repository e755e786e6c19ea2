"""Public reads of customers. Every read a person triggers passes their ``Principal``.

``visible_customers`` is the gate: the access rule of ``identity.domain.roles`` as a
database filter. Everything else narrows it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from kilowatt.customers import models
from kilowatt.identity.domain.roles import Principal, Reach
from kilowatt.platform import audit
from kilowatt.platform.errors import NotFound


def visible_customers(principal: Principal) -> QuerySet[models.Customer]:
    """Return the customers ``principal`` may see (none for anonymous)."""
    customers = models.Customer.objects.all()
    reach = principal.reach
    if reach is Reach.ALL:
        return customers
    if reach is Reach.RESIDENTIAL:
        return customers.filter(kind=models.Customer.Kind.RESIDENTIAL)
    if reach is Reach.BUSINESS:
        return customers.filter(kind=models.Customer.Kind.BUSINESS)
    if reach is Reach.SIGNED_UP_BY_SELF:
        return customers.filter(signed_up_by_id=principal.user_id)
    if reach is Reach.OWN and principal.user_id is not None:
        return customers.filter(
            id__in=models.Contact.objects.filter(user_id=principal.user_id).values("customer_id")
        )
    return customers.none()


def visible_customer_ids(principal: Principal) -> QuerySet[models.Customer, Any]:
    """Return the ids of the customers ``principal`` may see, as a subquery."""
    return visible_customers(principal).values("id")


def _with_details(customers: QuerySet[models.Customer]) -> QuerySet[models.Customer]:
    return customers.prefetch_related(
        Prefetch("contacts", queryset=models.Contact.objects.order_by("id")),
        Prefetch("consents", queryset=models.MarketingConsent.objects.order_by("channel")),
        Prefetch("priority_needs", queryset=models.PriorityNeed.objects.order_by("need")),
    )


def customer_for(principal: Principal, *, number: str) -> models.Customer:
    """Return the customer with this number, with contacts, consents and priority needs.

    :raises NotFound: no such customer, or ``principal`` may not see it.
    """
    customer = _with_details(visible_customers(principal)).filter(number=number).first()
    if customer is None:
        raise NotFound(f"customer {number}")
    return customer


def customer_by_id(principal: Principal, *, customer_id: int) -> models.Customer:
    """Return a customer by id, through the same gate as ``customer_for``.

    :raises NotFound: no such customer, or ``principal`` may not see it.
    """
    customer = _with_details(visible_customers(principal)).filter(id=customer_id).first()
    if customer is None:
        raise NotFound(f"customer {customer_id}")
    return customer


def customers_page(
    principal: Principal,
    *,
    kind: str | None = None,
    name_starts: str | None = None,
    ids: QuerySet | list[int] | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[models.Customer]:
    """Return one page of visible customers in id order, optionally filtered.

    Keyset pagination (``after_id``) so the millionth page costs what the first does.
    """
    customers = visible_customers(principal).filter(id__gt=after_id)
    if kind:
        customers = customers.filter(kind=kind.upper())
    if name_starts:
        customers = customers.filter(search_name__startswith=name_starts.strip().lower())
    if ids is not None:
        customers = customers.filter(id__in=ids)
    return list(_with_details(customers.order_by("id")[:limit]))


def customers_by_ids(
    principal: Principal, *, ids: QuerySet | list[int], limit: int | None = None
) -> list[models.Customer]:
    """Return the visible customers among ``ids`` (a list, or a subquery of ids), in id
    order, the first ``limit`` of them if given.

    The customers alone, without the contacts, consents and priority needs that
    ``customers_page`` fetches: a list of search results shows none of them, and at 50
    results those three extra queries cost more than the search itself.
    """
    customers = visible_customers(principal).filter(id__in=ids).order_by("id")
    if limit is not None:
        customers = customers[:limit]
    return list(customers)


def customers_named(principal: Principal, *, text: str, limit: int = 50) -> list[models.Customer]:
    """Return visible customers whose search name starts with ``text`` (surname first)."""
    prefix = " ".join(text.lower().split())
    if not prefix:
        return []
    return list(
        visible_customers(principal)
        .filter(search_name__startswith=prefix)
        .order_by("search_name", "id")[:limit]
    )


def audit_trail(principal: Principal, *, number: str) -> list[audit.AuditRecord]:
    """Return every recorded change under a customer, newest first.

    :raises NotFound: no such customer, or ``principal`` may not see it.
    """
    customer = visible_customers(principal).filter(number=number).values("id").first()
    if customer is None:
        raise NotFound(f"customer {number}")
    return audit.trail_for(trails=[trail_key(customer["id"])])


def trail_key(customer_id: int) -> str:
    """Return the audit trail key grouping every change under one customer."""
    return f"customer:{customer_id}"


def billing_email_addresses(*, customer_ids: list[int]) -> dict[int, str]:
    """Return where each customer's bills are emailed (customer id -> address), for
    workers acting for no one: a business's billing officer's email (the first such
    contact with one), else the customer's own email. Customers with neither are left
    out. Two queries."""
    addresses = {
        customer_id: email
        for customer_id, email in models.Customer.objects.filter(id__in=customer_ids)
        .exclude(email="")
        .values_list("id", "email")
    }
    officers: dict[int, str] = {}
    for customer_id, email in (
        models.Contact.objects.filter(
            customer_id__in=customer_ids,
            customer__kind=models.Customer.Kind.BUSINESS,
            role=models.Contact.Role.BILLING_OFFICER,
        )
        .exclude(email="")
        .order_by("customer_id", "id")
        .values_list("customer_id", "email")
    ):
        officers.setdefault(customer_id, email)
    return {**addresses, **officers}
