"""The telesales team's pages: a customer captured on the phone (the contract PDF is made
at once and emailed with its signing link), and the team's unsigned contracts, oldest
first, with their age and reminders (chased automatically; "send the link again" on a
customer's request).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages._access import not_found, page, staff_page
from kilowatt.portals.interfaces.pages._sales_capture import capture
from kilowatt.portals.interfaces.pages._sales_common import problems_of, refused, waited
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries

CHANNEL = "TELESALES"


@dataclasses.dataclass(frozen=True)
class UnsignedLine:
    contract_id: int
    reference: str
    signer_name: str
    signer_email: str
    signer_phone: str
    agent: str
    issued_at: datetime.datetime
    age: str
    reminders_sent: int
    last_reminded_at: datetime.datetime | None
    next_reminder_at: datetime.datetime | None
    lapses_at: datetime.datetime
    is_old: bool  # a week or more
    reminder_due: bool  # the automatic chase has not sent it yet


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def sales_telesales(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the team's unsigned contracts; POST ``contract_id`` emails one's signing link
    again."""
    problem = ""
    if request.method == "POST":
        contract_id = request.POST.get("contract_id", "")
        try:
            if not contract_id.isdigit():
                raise NotFound("no contract named")
            contract = sales_operations.send_signing_reminder(
                by=principal, contract_id=int(contract_id), as_at=clock.now()
            )
        except NotAllowed:
            return refused(request, principal)
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problem = "; ".join(problems_of(error).values())
        else:
            messages.success(
                request,
                f"Signing link sent again to {contract.signer_email} "
                f"(reminder {contract.reminders_sent}).",
            )
            return redirect("portals:sales_telesales")
    now = clock.now()
    try:
        found = sales_queries.unsigned_contracts(principal, as_at=now)
    except NotAllowed:
        return refused(request, principal)
    return page(
        request,
        principal,
        "portals/sales/telesales.html",
        {
            "rows": [
                UnsignedLine(
                    contract_id=row.contract_id,
                    reference=row.order_reference,
                    signer_name=row.signer_name,
                    signer_email=row.signer_email,
                    signer_phone=row.signer_phone,
                    agent=row.agent,
                    issued_at=timezone.localtime(row.issued_at),
                    age=waited(row.age),
                    reminders_sent=row.reminders_sent,
                    last_reminded_at=timezone.localtime(row.last_reminded_at)
                    if row.last_reminded_at
                    else None,
                    next_reminder_at=timezone.localtime(row.next_reminder_at)
                    if row.next_reminder_at
                    else None,
                    lapses_at=timezone.localtime(row.lapses_at),
                    is_old=row.age >= datetime.timedelta(days=7),
                    reminder_due=row.next_reminder_at is not None and row.next_reminder_at <= now,
                )
                for row in found.rows
            ],
            "total": found.total,
            "never_reminded": found.never_reminded,
            "problem": problem,
        },
        status=422 if problem else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def sales_telesales_new(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Capture a customer on the phone (see ``_sales_capture``); the contract is emailed
    with its signing link as the sign-up is taken."""

    def submitted(done: sales_operations.SubmittedOrder) -> HttpResponse:
        reference = done.order.reference
        if done.order.status == "CREDIT_CHECK":
            messages.info(
                request,
                f"Sign-up {reference} taken: the contract follows once the business credit "
                "check is back.",
            )
        elif done.order.status == "EXCEPTION":
            messages.warning(
                request,
                f"Sign-up {reference} taken, but an automatic rule stopped it: the admin team "
                "checks it before the contract is sent.",
            )
        else:
            messages.success(
                request,
                f"Sign-up {reference} taken: the contract and its signing link are on their "
                "way to the customer's email.",
            )
        return redirect("portals:sales_telesales")

    return capture(
        request,
        principal,
        channel=CHANNEL,
        template="portals/sales/telesales_new.html",
        context={"submit_label": "Take the sign-up and email the contract"},
        on_submitted=submitted,
    )
