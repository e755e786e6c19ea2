"""Public writes of customers: one transaction each, audited, rules checked first."""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction

from kilowatt.customers import models, queries
from kilowatt.customers.domain import customers as rules
from kilowatt.identity.domain.roles import Permission, Principal, may_create_customer
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput, NotAllowed, raise_if

_FIELDS = (
    "kind",
    "title",
    "first_name",
    "last_name",
    "date_of_birth",
    "company_name",
    "company_number",
    "sector",
    "is_micro_business",
    "email",
    "phone",
)


def _actor(principal: Principal) -> audit.Actor:
    return audit.Actor(id=principal.user_id, name=principal.username)


def customer_number(customer_id: int) -> str:
    """Return the customer number shown to people for a customer id."""
    return f"C{customer_id:08d}"


def _values(details: rules.CustomerDetails) -> dict[str, object]:
    return {field: getattr(details, field) for field in _FIELDS}


def _snapshot(customer: models.Customer) -> dict[str, object]:
    values: dict[str, object] = {field: getattr(customer, field) for field in _FIELDS}
    values["consents"] = sorted(
        f"{c.channel}={'yes' if c.granted else 'no'}" for c in customer.consents.all()
    )
    values["priority_needs"] = sorted(p.need for p in customer.priority_needs.all())
    values["contacts"] = sorted(f"{c.role}: {c.name}" for c in customer.contacts.all())
    return values


def _write_children(
    customer: models.Customer, details: rules.CustomerDetails, *, as_at: datetime.datetime
) -> None:
    models.MarketingConsent.objects.filter(customer=customer).delete()
    models.MarketingConsent.objects.bulk_create(
        models.MarketingConsent(
            customer=customer, channel=channel, granted=granted, recorded_at=as_at
        )
        for channel, granted in details.consents
    )
    models.PriorityNeed.objects.filter(customer=customer).exclude(
        need__in=details.priority_needs
    ).delete()
    existing = set(customer.priority_needs.values_list("need", flat=True))
    models.PriorityNeed.objects.bulk_create(
        models.PriorityNeed(customer=customer, need=need, recorded_at=as_at)
        for need in details.priority_needs
        if need not in existing
    )


@transaction.atomic
def create_customer(
    *, by: Principal, details: rules.CustomerDetails, as_at: datetime.datetime
) -> models.Customer:
    """Record a new customer with their contacts, consents and priority needs.

    An agent becomes the customer's ``signed_up_by`` (so they, and only they, see it).

    :raises NotAllowed: ``by`` may not sign up customers of this kind.
    :raises InvalidInput: the details break a rule (each problem names its field).
    """
    details = rules.normalise(details)
    raise_if(rules.problems(details, today=as_at.date()))
    if not may_create_customer(by, is_business=details.kind == "BUSINESS"):
        raise NotAllowed(f"{by.username} may not sign up {details.kind.lower()} customers")
    customer = models.Customer.objects.create(
        number=f"N{as_at.timestamp():.6f}"[:12],  # replaced below, once the id is known
        search_name=rules.search_name(details),
        signed_up_by_id=by.user_id or None,  # 0 is the system acting (a web sign-up)
        created_at=as_at,
        **_values(details),
    )
    customer.number = customer_number(customer.id)
    customer.save(update_fields=["number"])
    models.Contact.objects.bulk_create(
        models.Contact(customer=customer, role=c.role, name=c.name, email=c.email, phone=c.phone)
        for c in details.contacts
    )
    _write_children(customer, details, as_at=as_at)
    audit.record(
        trail=queries.trail_key(customer.id),
        entity="customer",
        entity_id=customer.number,
        action="CREATED",
        changes=audit.created(_snapshot(customer)),
        actor=_actor(by),
        at=as_at,
    )
    events.publish(
        name="customers.customer.created.v1",
        payload={"customer_id": customer.id, "number": customer.number, "kind": customer.kind},
        at=as_at,
    )
    return customer


@transaction.atomic
def update_customer(
    *, by: Principal, number: str, changes: dict[str, object], as_at: datetime.datetime
) -> models.Customer:
    """Change some of a customer's details; record what changed in the audit trail.

    ``changes`` holds only the fields to change (``consents`` and ``priority_needs``
    replace the whole set). The customer's kind cannot change.

    :raises NotFound: no such customer, or ``by`` may not see it.
    :raises NotAllowed: ``by`` may not edit customers.
    :raises InvalidInput: the result would break a rule.
    """
    customer = queries.customer_for(by, number=number)
    if not by.may(Permission.EDIT_CUSTOMERS):
        raise NotAllowed(f"{by.username} may not change customers")
    if "kind" in changes and changes["kind"] != customer.kind:
        raise InvalidInput.one(
            field="kind", rule="immutable", message="a customer's kind cannot change"
        )
    models.Customer.objects.select_for_update().filter(id=customer.id).get()
    before = _snapshot(customer)
    current = rules.CustomerDetails(
        **{field: getattr(customer, field) for field in _FIELDS},
        consents=tuple((c.channel, c.granted) for c in customer.consents.all()),
        priority_needs=tuple(p.need for p in customer.priority_needs.all()),
        contacts=tuple(
            rules.ContactDetails(role=c.role, name=c.name, email=c.email, phone=c.phone)
            for c in customer.contacts.all()
        ),
    )
    unknown = set(changes) - set(_FIELDS) - {"consents", "priority_needs"}
    if unknown:
        raise InvalidInput.one(
            field=sorted(unknown)[0], rule="unknown_field", message="not a field that can change"
        )
    proposed = _apply(current, changes)
    details = rules.normalise(proposed)
    raise_if(rules.problems(details, today=as_at.date()))
    for field, value in _values(details).items():
        setattr(customer, field, value)
    customer.search_name = rules.search_name(details)
    customer.save()
    _write_children(customer, details, as_at=as_at)
    customer = queries.customer_for(by, number=number)
    changed = audit.diff(before, _snapshot(customer))
    if changed:
        audit.record(
            trail=queries.trail_key(customer.id),
            entity="customer",
            entity_id=customer.number,
            action="UPDATED",
            changes=changed,
            actor=_actor(by),
            at=as_at,
        )
    return customer


def _apply(current: rules.CustomerDetails, changes: dict[str, object]) -> rules.CustomerDetails:
    values = dict(changes)
    if "consents" in values:
        values["consents"] = tuple(values["consents"])  # type: ignore[arg-type]
    if "priority_needs" in values:
        values["priority_needs"] = tuple(values["priority_needs"])  # type: ignore[arg-type]
    return dataclasses.replace(current, **values)  # type: ignore[arg-type]


@transaction.atomic
def link_login(*, contact_id: int, user_id: int) -> None:
    """Let a login act as this contact in the portals (the login then sees this customer)."""
    models.Contact.objects.filter(id=contact_id).update(user_id=user_id)
