"""What the journeys' operations share: the principal they act through, links, emails."""

from __future__ import annotations

import datetime

from django.conf import settings

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.platform.periods import LONDON

# The journeys act through the accounts' operations as a system principal (as sign-ups
# do: user id 0 is no person); the audit trail keeps the name of whoever set it off.
SYSTEM = Principal(user_id=0, username="journeys", role=Role.ADMIN)


def acting_for(by: Principal) -> Principal:
    """Return the system principal under the name of the person acting (a customer may
    end their own agreements by moving out, which they may not do directly)."""
    return Principal(user_id=0, username=by.username, role=Role.ADMIN)


def public_url(path: str) -> str:
    return f"{settings.KILOWATT_PUBLIC_URL.rstrip('/')}{path}"


MOVE_HOME_PATH = "/my/move-home/"
SIGN_UP_PATH = "/sign-up/"


def email_of(customer_id: int) -> str:
    """Return where a customer's emails go, or "" when we have no address."""
    return customer_queries.billing_email_addresses(customer_ids=[customer_id]).get(customer_id, "")


def account_by_id(account_id: int):
    """Return an account (with agreements) by id, as the system sees it."""
    return account_queries.account_for(SYSTEM, number=account_operations.account_number(account_id))


def london_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LONDON)


def customer_name(customer) -> str:
    name = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    return name or customer.company_name or "customer"
