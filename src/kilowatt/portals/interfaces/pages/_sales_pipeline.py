"""A regional sales manager's page (``SEE_SALES_PIPELINE``, their own agents only): the
pipeline of open sign-ups, oldest first, those waiting longer than the chosen time
flagged; the team by agent against this month's targets; targets and commission rules
set from the same page.

The filters ask the same address for the list alone with HTMX (the address is pushed to
the history, so a filtered pipeline can be bookmarked and sent on).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed
from kilowatt.platform.money import format_pence
from kilowatt.portals.interfaces.pages._access import is_htmx, page, staff_page
from kilowatt.portals.interfaces.pages._sales_common import (
    STATUS_LABELS,
    cursor,
    order_line,
    parse_cursor,
    problems_of,
    refused,
)
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries

STUCK_CHOICES = (1, 3, 7, 14, 30)  # days
STUCK_DEFAULT = 7
OPEN = ("CREDIT_CHECK", "EXCEPTION", "AWAITING_SIGNATURE", "SIGNED")


@dataclasses.dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclasses.dataclass(frozen=True)
class AgentLine:
    agent_id: int
    agent: str
    open: int
    stuck: int
    statuses: tuple[StatusCount, ...]
    target: int | None
    signed_this_month: int
    percent: int  # of the target, capped at 100 for the bar


@dataclasses.dataclass(frozen=True)
class RuleLine:
    product: str
    amount: str
    valid_from: datetime.date


def _filters(request: HttpRequest) -> dict[str, object]:
    status = request.GET.get("status", "")
    agent = request.GET.get("agent", "")
    days = request.GET.get("stuck_after", "")
    return {
        "status": status if status in OPEN else "",
        "agent_id": int(agent) if agent.isdigit() else None,
        "stuck_days": int(days) if days.isdigit() and int(days) in STUCK_CHOICES else STUCK_DEFAULT,
        "stuck_only": request.GET.get("stuck") == "1",
        "after": parse_cursor(request.GET.get("after", "")),
    }


def _pounds_to_pence(text: str) -> int | None:
    try:
        value = Decimal(text.strip().lstrip("£").replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


def _month(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        return None


def _day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _act(request: HttpRequest, principal: Principal) -> tuple[dict[str, str], str]:
    """Set a target or a commission rule; return the problems by field and what was done."""
    action = request.POST.get("action", "")
    if action == "set_target":
        agent, count = request.POST.get("agent_id", ""), request.POST.get("sign_ups", "")
        month = _month(request.POST.get("month", ""))
        found = {}
        if not agent.isdigit():
            found["agent_id"] = "choose one of your agents"
        if not count.strip().lstrip("-").isdigit():
            found["sign_ups"] = "give a whole number of sign-ups"
        if month is None:
            found["month"] = "give a month like 2026-02"
        if found:
            return found, ""
        target = sales_operations.set_target(
            by=principal,
            agent_id=int(agent),
            month=month,  # type: ignore[arg-type]
            sign_ups=int(count),
            as_at=clock.now(),
        )
        return {}, f"Target set: {target.sign_ups} sign-ups in {target.month:%B %Y}."
    if action == "set_rule":
        pence = _pounds_to_pence(request.POST.get("amount", ""))
        valid_from = _day(request.POST.get("valid_from", ""))
        found = {}
        if pence is None:
            found["amount"] = "give an amount in pounds, like 25.00"
        if valid_from is None:
            found["valid_from"] = "give a date like 2026-02-01"
        if found:
            return found, ""
        rule = sales_operations.set_commission_rule(
            by=principal,
            product=request.POST.get("product", ""),
            amount_pence=pence,  # type: ignore[arg-type]
            valid_from=valid_from,  # type: ignore[arg-type]
            as_at=clock.now(),
        )
        return {}, (
            f"Commission for “{rule.product}”: {format_pence(rule.amount_pence)} a supply "
            f"from {rule.valid_from:%-d %B %Y}."
        )
    return {"action": "choose what to set"}, ""


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def sales_pipeline(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show the manager's pipeline (filters: ``status``, ``agent``, ``stuck_after`` in
    days, ``stuck=1``, ``after`` a page's cursor); POST sets an agent's target for a month
    (``action=set_target``) or a product's commission (``action=set_rule``)."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            problems, said = _act(request, principal)
        except NotAllowed:
            return refused(request, principal)
        except InvalidInput as error:
            problems = problems_of(error, rename={"amount_pence": "amount"})
        else:
            if not problems:
                messages.success(request, said)
                return redirect("portals:sales_pipeline")
    chosen = _filters(request)
    now = clock.now()
    try:
        found = sales_queries.pipeline(
            principal,
            stuck_after=datetime.timedelta(days=chosen["stuck_days"]),  # type: ignore[arg-type]
            as_at=now,
            status=chosen["status"] or None,  # type: ignore[arg-type]
            agent_id=chosen["agent_id"],  # type: ignore[arg-type]
            stuck_only=bool(chosen["stuck_only"]),
            after=chosen["after"],  # type: ignore[arg-type]
        )
        rules = sales_queries.commission_rules(principal)
    except NotAllowed:
        return refused(request, principal)
    month = timezone.localdate(now).replace(day=1)
    context = {
        "rows": [order_line(row) for row in found.rows],
        "total": found.total,
        "stuck_total": found.stuck_total,
        "statuses": [StatusCount(s, STATUS_LABELS[s], n) for s, n in found.by_status],
        "agents": [
            AgentLine(
                agent_id=a.agent_id,
                agent=a.agent,
                open=a.open,
                stuck=a.stuck,
                statuses=tuple(StatusCount(s, STATUS_LABELS[s], n) for s, n in a.by_status),
                target=a.target,
                signed_this_month=a.signed_this_month,
                percent=min(100, a.signed_this_month * 100 // a.target) if a.target else 0,
            )
            for a in found.agents
        ],
        "rules": [
            RuleLine(
                product=r.product, amount=format_pence(r.amount_pence), valid_from=r.valid_from
            )
            for r in rules
        ],
        "products": sorted({r.product for r in rules}),
        "status_choices": [(s, STATUS_LABELS[s]) for s in OPEN],
        "stuck_choices": STUCK_CHOICES,
        "filters": chosen,
        "next_after": cursor(found.next_after),
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "today": timezone.localdate(now).isoformat(),
        "problems": problems,
        "posted": request.POST,
    }
    if is_htmx(request) and request.method == "GET":
        return page(request, principal, "portals/sales/_pipeline_rows.html", context)
    return page(
        request,
        principal,
        "portals/sales/pipeline.html",
        context,
        status=422 if problems else 200,
    )
