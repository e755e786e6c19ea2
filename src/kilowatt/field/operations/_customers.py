"""Whose visit it is: the account supplying a meter point on a day, its customer and where
their emails go, and the emails we send them about their visits."""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.comms import operations as comms
from kilowatt.customers import queries as customer_queries
from kilowatt.field.domain import notices
from kilowatt.identity.domain.roles import Principal, Role

# Field reads accounts and customers as the system (user id 0 is no person), as the
# journeys do: the customer is found from the meter point, not from who is acting, so an
# engineer marking a job missed needs no access to customers.
SYSTEM = Principal(user_id=0, username="field", role=Role.ADMIN)
OUR_PHONE = "0330 123 4567"


@dataclasses.dataclass(frozen=True)
class Addressee:
    """The account a visit is for and whom we write to about it."""

    account_id: int
    account_number: str
    name: str
    email: str  # "" when we have no address


def supplying_account_id(*, meter_point_id: int, on: datetime.date) -> int | None:
    """Return the account supplying the meter point on ``on``, or None. Two accounts
    overlap only on a change of tenancy's day; the lowest id (the older account) is taken
    so that a retry names the same one."""
    found = account_queries.account_ids_supplying(meter_point_id=meter_point_id, on=on)
    return min(found) if found else None


def addressee(account_id: int) -> Addressee:
    """Return an account's number, its customer's name and billing email address.

    :raises NotFound: no such account.
    """
    account = account_queries.account_for(
        SYSTEM, number=account_operations.account_number(account_id)
    )
    customer = customer_queries.customer_by_id(SYSTEM, customer_id=account.customer_id)
    return Addressee(
        account_id=account.id,
        account_number=account.number,
        name=notices.greeting_name(
            first_name=customer.first_name,
            last_name=customer.last_name,
            company_name=customer.company_name,
        ),
        email=customer_queries.billing_email_addresses(customer_ids=[customer.id]).get(
            customer.id, ""
        ),
    )


def booking_link(identifier: str) -> str:
    """Return the page where the customer sees the meter point's visits and books one."""
    return f"{settings.KILOWATT_PUBLIC_URL.rstrip('/')}/meter-points/{identifier}/book/"


def _visit_context(
    to: Addressee, *, kind: str, identifier: str, day: datetime.date, slot: str
) -> dict[str, str]:
    """What every email about a visit says: to whom, which visit, when, where to change it."""
    return {
        "name": to.name,
        "visit": notices.visit_in_words(kind),
        "day": notices.day_in_words(day),
        "slot": notices.slot_in_words(slot),
        "identifier": identifier,
        "account_number": to.account_number,
        "link": booking_link(identifier),
        "phone": OUR_PHONE,
    }


def email_booked(
    *,
    to: Addressee,
    job_id: int,
    capacity_id: int,
    kind: str,
    identifier: str,
    day: datetime.date,
    slot: str,
    as_at: datetime.datetime,
) -> None:
    """Queue the confirmation of a booked visit. Keyed by job and slot: a retry sends
    nothing more, a move to another slot confirms the new one."""
    if not to.email:
        return
    comms.queue_email(
        key=f"field-job:{job_id}:booked:{capacity_id}",
        to=to.email,
        template="field/email/appointment_booked",
        context={
            **_visit_context(to, kind=kind, identifier=identifier, day=day, slot=slot),
            "expect": notices.what_to_expect(kind),
        },
        as_at=as_at,
    )


def email_missed(
    *,
    to: Addressee,
    job_id: int,
    kind: str,
    identifier: str,
    day: datetime.date,
    slot: str,
    amount: str,
    as_at: datetime.datetime,
) -> None:
    """Queue the apology for a missed appointment, saying what we credited. Once per job."""
    if not to.email:
        return
    comms.queue_email(
        key=f"field-job:{job_id}:missed",
        to=to.email,
        template="field/email/missed_appointment",
        context={
            **_visit_context(to, kind=kind, identifier=identifier, day=day, slot=slot),
            "amount": amount,
        },
        as_at=as_at,
    )
