"""Load many customers at once, set-based: the demo book, or a migration from another
system. Rows are plain tuples in the column orders below, with ids (and customer numbers,
``customer_number(id)``) assigned by the caller; PostgreSQL gets one ``COPY`` per table.

Bypasses the one-at-a-time operations (no audit entry or event per row: a load is one
event in itself), so the identifiers are checked here, at the door. Call inside a
transaction: a refused batch raises ``InvalidInput`` naming the field, and nothing of it
is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from kilowatt import validation
from kilowatt.customers import models
from kilowatt.customers.domain.customers import KINDS
from kilowatt.platform import bulk
from kilowatt.platform.errors import InvalidInput

CUSTOMER_COLUMNS = (
    "id",
    "number",
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
    "search_name",
    "signed_up_by_id",
    "created_at",
)
CONTACT_COLUMNS = ("id", "customer_id", "role", "name", "email", "phone", "user_id")
CONSENT_COLUMNS = ("id", "customer_id", "channel", "granted", "recorded_at")
PRIORITY_NEED_COLUMNS = ("id", "customer_id", "need", "note", "recorded_at")

_KIND = CUSTOMER_COLUMNS.index("kind")
_COMPANY_NUMBER = CUSTOMER_COLUMNS.index("company_number")


def _check_customers(rows: Sequence[tuple]) -> None:
    kinds = frozenset(KINDS)
    for row in rows:
        if row[_KIND] not in kinds:
            raise InvalidInput.one(
                field="customer.kind",
                rule="choice",
                message=f"customer {row[0]}: {row[_KIND]!r} is not one of {', '.join(KINDS)}",
            )
        number = row[_COMPANY_NUMBER]
        if number and (problem := validation.company_number_problem(number)):
            raise InvalidInput.one(
                field="customer.company_number",
                rule="company_number_format",
                message=f"customer {row[0]}: {number!r}: {problem}",
            )


def load_customers(
    *,
    customers: Sequence[tuple],
    contacts: Sequence[tuple] = (),
    consents: Sequence[tuple] = (),
    priority_needs: Sequence[tuple] = (),
) -> int:
    """Write customers with their contacts, marketing consents and priority needs.

    Returns the number of rows written.

    :raises InvalidInput: a customer's kind is unknown or its company number is not a
        Companies House number (the field is named; nothing is written).
    """
    _check_customers(customers)
    return (
        bulk.write_rows(models.Customer, CUSTOMER_COLUMNS, customers)
        + bulk.write_rows(models.Contact, CONTACT_COLUMNS, contacts)
        + bulk.write_rows(models.MarketingConsent, CONSENT_COLUMNS, consents)
        + bulk.write_rows(models.PriorityNeed, PRIORITY_NEED_COLUMNS, priority_needs)
    )


def next_customer_ids() -> dict[str, int]:
    """Return the first free id of each customers table (for a caller assigning ids)."""
    return {
        "customer": bulk.next_id(models.Customer),
        "contact": bulk.next_id(models.Contact),
        "consent": bulk.next_id(models.MarketingConsent),
        "priority_need": bulk.next_id(models.PriorityNeed),
    }


def finish_customer_load() -> None:
    """After a load: move the id sequences past the ids it assigned, refresh the planner's statistics."""
    bulk.finish_load(models.Customer, models.Contact, models.MarketingConsent, models.PriorityNeed)


def set_aside_customer_indexes() -> contextlib.AbstractContextManager[None]:
    """Set the customers tables' secondary indexes and constraints aside for a big load and
    rebuild them after it, inside the caller's transaction (``bulk.indexes_set_aside``)."""
    return bulk.indexes_set_aside(
        models.Customer, models.Contact, models.MarketingConsent, models.PriorityNeed
    )
