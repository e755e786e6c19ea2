"""A shop agent's pages (the distributor portal): their month (target, sign-ups by status,
commission earned net of claw-backs), a new customer entered at the counter, and the
sign-up's page, from which the customer signs on the agent's tablet: the same signing
page the emailed link opens, with the one-time code sent to the customer's email.
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
from kilowatt.platform.errors import NotAllowed, NotFound
from kilowatt.platform.money import format_pence
from kilowatt.portals.interfaces.pages._access import not_found, page, staff_page
from kilowatt.portals.interfaces.pages._sales_capture import capture, may_capture
from kilowatt.portals.interfaces.pages._sales_common import (
    STATUS_LABELS,
    order_line,
    order_page,
    refused,
)
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries

CHANNEL = "AGENT"


@dataclasses.dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclasses.dataclass(frozen=True)
class CommissionLine:
    product: str
    supplies: int
    earned: str
    clawed_back: str
    net: str
    has_claw_back: bool


def _month(text: str, today: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        return today.replace(day=1)


def _previous(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _next(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@require_http_methods(["GET", "HEAD"])
@staff_page
def sales_agent(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show a shop agent's month (``?month=2026-01``; this month by default)."""
    today = clock.today()
    month = _month(request.GET.get("month", ""), today)
    try:
        board = sales_queries.agent_dashboard(principal, month=month, today=today)
    except NotAllowed:
        return refused(request, principal)
    target = board.target
    return page(
        request,
        principal,
        "portals/sales/agent.html",
        {
            "month": board.month,
            "is_this_month": board.month == today.replace(day=1),
            "previous_month": f"{_previous(board.month):%Y-%m}",
            "next_month": f"{_next(board.month):%Y-%m}"
            if board.month < today.replace(day=1)
            else "",
            "target": target,
            "target_set_by": board.target_set_by,
            "signed": board.signed,
            "percent": min(100, board.signed * 100 // target) if target else 0,
            "to_go": max(0, target - board.signed) if target else 0,
            "sign_ups": board.sign_ups,
            "sign_ups_today": board.sign_ups_today,
            "statuses": [StatusCount(s, STATUS_LABELS[s], n) for s, n in board.by_status],
            "commission": [
                CommissionLine(
                    product=c.product,
                    supplies=c.supplies,
                    earned=format_pence(c.earned_pence),
                    clawed_back=format_pence(c.clawed_back_pence),
                    net=format_pence(c.net_pence),
                    has_claw_back=c.clawed_back_pence > 0,
                )
                for c in board.commission
            ],
            "earned": format_pence(board.earned_pence),
            "clawed_back": format_pence(board.clawed_back_pence),
            "has_claw_back": board.clawed_back_pence > 0,
            "net": format_pence(board.net_pence),
            "recent": [order_line(row) for row in board.recent],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def sales_agent_new(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Enter a new customer at the counter (see ``_sales_capture``); once taken, open the
    sign-up's page, from which the customer signs on the tablet."""

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
            messages.success(request, f"Sign-up {reference} taken: the customer can sign now.")
        return redirect("portals:sales_agent_order", reference=reference)

    return capture(
        request,
        principal,
        channel=CHANNEL,
        template="portals/sales/agent_new.html",
        context={"submit_label": "Take the sign-up"},
        on_submitted=submitted,
    )


@require_http_methods(["GET", "HEAD"])
@staff_page
def sales_agent_order(request: HttpRequest, principal: Principal, reference: str) -> HttpResponse:
    """Show one of the agent's sign-ups; while its contract waits, the button that opens
    the signing page on this tablet for the customer."""
    if not may_capture(principal, channel=CHANNEL):
        return refused(request, principal)
    try:
        view = sales_queries.order_view(principal, reference=reference)
    except NotFound:
        return not_found(request, principal)
    order = order_page(view)
    return page(
        request,
        principal,
        "portals/sales/agent_order.html",
        {
            "order": order,
            "signing_url": sales_operations.signing_url(view.contract_id)
            if order.awaiting_signature and view.contract_id
            else "",
            "now": timezone.localtime(clock.now()),
        },
    )
