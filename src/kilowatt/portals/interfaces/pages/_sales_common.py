"""What the sales pages share: a sign-up as a list row shows it, labels, waiting times and
the keyset cursor of a long list."""

from __future__ import annotations

import dataclasses
import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kilowatt.identity.domain.roles import Principal
from kilowatt.platform.errors import InvalidInput
from kilowatt.portals.interfaces.pages._access import page
from kilowatt.sales import queries as sales_queries

STATUS_LABELS = {
    "CREDIT_CHECK": "Credit check",
    "EXCEPTION": "Needs a person",
    "AWAITING_SIGNATURE": "Awaiting signature",
    "SIGNED": "Signed, switching",
    "LIVE": "Supplied",
    "CANCELLED": "Cancelled",
    "REJECTED": "Rejected",
}
CHANNEL_LABELS = {"WEB": "Web", "AGENT": "Shop", "TELESALES": "Telesales", "PARTNER": "Partner"}
REGISTRATION_LABELS = {
    "NOT_SENT": "Not yet sent",
    "REQUESTED": "Requested",
    "ACCEPTED": "Accepted",
    "REJECTED": "Rejected",
    "OBJECTED": "Objected to",
    "WITHDRAWN": "Withdrawn",
    "ANNULLED": "Reversed",
}


def refused(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/refused.html", status=403)


def rule_label(rule: str) -> str:
    """Return an automatic rule as a person reads it: ``gas_check_digit`` -> "Gas check digit"."""
    words = rule.replace("_", " ").capitalize().split(" ") if rule else []
    return " ".join(_ACRONYMS.get(word.lower(), word) for word in words)


_ACRONYMS = {"mprn": "MPRN", "mpan": "MPAN"}


def waited(delta: datetime.timedelta) -> str:
    """Return a waiting time as people say it: "45 min", "5 h", "3 d 4 h"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def problems_of(error: InvalidInput, *, rename: dict[str, str] | None = None) -> dict[str, str]:
    """Return each problem's message under its field (renamed to the form's field)."""
    names = rename or {}
    found: dict[str, str] = {}
    for problem in error.problems:
        found.setdefault(names.get(problem.field, problem.field), problem.message)
    return found


def cursor(after: tuple[datetime.datetime, int] | None) -> str:
    """Return a list's next-page cursor as text for a link (``"<epoch µs>-<id>"``)."""
    if after is None:
        return ""
    at, last_id = after
    return f"{int(at.timestamp() * 1_000_000)}-{last_id}"


def parse_cursor(text: str) -> tuple[datetime.datetime, int] | None:
    """Return the cursor ``cursor`` wrote, or None for anything else."""
    stamp, _, last_id = text.partition("-")
    if not (stamp.isdigit() and last_id.isdigit()):
        return None
    try:
        at = datetime.datetime.fromtimestamp(int(stamp) / 1_000_000, tz=datetime.UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return at, int(last_id)


@dataclasses.dataclass(frozen=True)
class OrderLine:
    """One sign-up in a list."""

    reference: str
    channel: str
    channel_label: str
    status: str  # lower case, for the badge's class
    status_label: str
    customer_name: str
    postcode: str
    agent: str
    submitted_at: datetime.datetime
    waited: str
    stuck: bool
    rule: str
    rule_label: str
    message: str


def order_line(row: sales_queries.OrderRow) -> OrderLine:
    return OrderLine(
        reference=row.reference,
        channel=row.channel,
        channel_label=CHANNEL_LABELS.get(row.channel, row.channel.title()),
        status=row.status.lower().replace("_", "-"),
        status_label=STATUS_LABELS.get(row.status, row.status.title()),
        customer_name=row.customer_name or "(no name)",
        postcode=row.postcode,
        agent=row.agent,
        submitted_at=timezone.localtime(row.submitted_at),
        waited=waited(row.waited),
        stuck=row.stuck,
        rule=row.exception_rule,
        rule_label=rule_label(row.exception_rule),
        message=row.exception_message,
    )


@dataclasses.dataclass(frozen=True)
class SupplyLine:
    identifier: str
    fuel: str
    tariff_code: str
    annual_kwh: str
    registration: str
    registration_label: str
    registration_reason: str
    supply_start_date: datetime.date | None


@dataclasses.dataclass(frozen=True)
class OrderPage:
    """One sign-up on its page."""

    reference: str
    channel_label: str
    status: str  # the raw status, upper case
    status_class: str
    status_label: str
    customer_kind: str
    customer_name: str
    email: str
    phone: str
    sites: tuple[str, ...]
    payment_method: str
    agent: str
    submitted_at: datetime.datetime
    signed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    close_reason: str
    rule: str
    rule_label: str
    message: str
    decided_by: str
    decided_at: datetime.datetime | None
    supplies: tuple[SupplyLine, ...]
    contract_id: int | None
    contract_status: str
    signer_name: str
    signer_email: str
    reminders_sent: int
    awaiting_signature: bool
    is_exception: bool
    may_reverse: bool  # signed or supplied: a transfer the customer disputes can be reversed


def order_page(view: sales_queries.OrderView) -> OrderPage:
    return OrderPage(
        reference=view.reference,
        channel_label=CHANNEL_LABELS.get(view.channel, view.channel.title()),
        status=view.status,
        status_class=view.status.lower().replace("_", "-"),
        status_label=STATUS_LABELS.get(view.status, view.status.title()),
        customer_kind="Business" if view.customer_kind == "BUSINESS" else "Home",
        customer_name=view.customer_name or "(no name)",
        email=view.email,
        phone=view.phone,
        sites=view.sites,
        payment_method=view.payment_method.replace("_", " ").capitalize(),
        agent=view.agent,
        submitted_at=timezone.localtime(view.submitted_at),
        signed_at=timezone.localtime(view.signed_at) if view.signed_at else None,
        closed_at=timezone.localtime(view.closed_at) if view.closed_at else None,
        close_reason=view.close_reason,
        rule=view.exception_rule,
        rule_label=rule_label(view.exception_rule),
        message=view.exception_message,
        decided_by=view.decided_by,
        decided_at=timezone.localtime(view.decided_at) if view.decided_at else None,
        supplies=tuple(
            SupplyLine(
                identifier=s.identifier,
                fuel=s.fuel.title(),
                tariff_code=s.tariff_code,
                annual_kwh=s.annual_kwh,
                registration=s.registration.lower().replace("_", "-"),
                registration_label=REGISTRATION_LABELS.get(s.registration, s.registration),
                registration_reason=s.registration_reason,
                supply_start_date=s.supply_start_date,
            )
            for s in view.supplies
        ),
        contract_id=view.contract_id,
        contract_status=view.contract_status,
        signer_name=view.signer_name,
        signer_email=view.signer_email,
        reminders_sent=view.reminders_sent,
        awaiting_signature=view.status == "AWAITING_SIGNATURE"
        and view.contract_status == "AWAITING_SIGNATURE",
        is_exception=view.status == "EXCEPTION",
        may_reverse=view.status in ("SIGNED", "LIVE"),
    )
