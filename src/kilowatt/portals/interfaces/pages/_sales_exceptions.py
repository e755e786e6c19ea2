"""The admin team's sales exceptions (``WORK_SALES_EXCEPTIONS``): only the sign-ups an
automatic rule stopped (a gas check-digit warning, a meter point under objection ...)
reach a person, who lets each go on or rejects it with a reason for the customer. A
signed sign-up the customer says they never agreed to (an erroneous transfer) is found
by its reference and reversed from the same page.
"""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages._access import not_found, page, staff_page
from kilowatt.portals.interfaces.pages._sales_common import (
    cursor,
    order_line,
    order_page,
    parse_cursor,
    problems_of,
    refused,
    rule_label,
)
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries


@dataclasses.dataclass(frozen=True)
class RuleCount:
    rule: str
    label: str
    count: int


@require_http_methods(["GET", "HEAD"])
@staff_page
def sales_exceptions(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the stopped sign-ups, oldest first (``?rule=``, ``?after=``); ``?reference=``
    opens one sign-up (to reverse a signed one)."""
    reference = request.GET.get("reference", "").strip().upper()
    rule = request.GET.get("rule", "").strip()
    try:
        queue = sales_queries.exceptions_queue(
            principal,
            as_at=clock.now(),
            rule=rule or None,
            after=parse_cursor(request.GET.get("after", "")),
        )
    except NotAllowed:
        return refused(request, principal)
    if reference:
        return redirect("portals:sales_exception", reference=reference)
    return page(
        request,
        principal,
        "portals/sales/exceptions.html",
        {
            "rows": [order_line(row) for row in queue.rows],
            "total": queue.total,
            "all_total": sum(count for _, count in queue.by_rule),
            "rule": rule,
            "rule_label": rule_label(rule),
            "filters": [RuleCount(r, rule_label(r), n) for r, n in queue.by_rule],
            "next_after": cursor(queue.next_after),
        },
    )


_DONE = {
    "proceed": "Sign-up {ref} goes on: its contract is sent for signing (or its registration asked for again).",
    "reject": "Sign-up {ref} rejected; the customer is told why.",
    "reverse": "Sign-up {ref}: the industry is asked to reverse the transfer.",
}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def sales_exception(request: HttpRequest, principal: Principal, reference: str) -> HttpResponse:
    """Show one sign-up with why it was stopped; POST ``action=proceed`` (with a note),
    ``reject`` (with the reason the customer is told) or ``reverse`` (a signed sign-up the
    customer disputes, with what they said)."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        now = clock.now()
        try:
            if action == "proceed":
                sales_operations.proceed_with_order(
                    by=principal, reference=reference, note=request.POST.get("note", ""), as_at=now
                )
            elif action == "reject":
                sales_operations.reject_order(
                    by=principal,
                    reference=reference,
                    reason=request.POST.get("reason", ""),
                    as_at=now,
                )
            elif action == "reverse":
                sales_operations.dispute_transfer(
                    by=principal,
                    reference=reference,
                    reason=request.POST.get("dispute_reason", ""),
                    as_at=now,
                )
            else:
                problems = {"action": "Choose to let it go on, reject it or reverse it."}
        except NotAllowed:
            return refused(request, principal)
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problems = problems_of(
                error, rename={"reason": "dispute_reason"} if action == "reverse" else None
            )
        else:
            if not problems:
                messages.success(request, _DONE[action].format(ref=reference))
                if action == "reverse":
                    return redirect("portals:sales_exception", reference=reference)
                return redirect("portals:sales_exceptions")
    try:
        view = sales_queries.exception_order(principal, reference=reference)
    except NotAllowed:
        return refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    return page(
        request,
        principal,
        "portals/sales/exception.html",
        {
            "order": order_page(view),
            "problems": problems,
            "note": request.POST.get("note", ""),
            "reason": request.POST.get("reason", ""),
            "dispute_reason": request.POST.get("dispute_reason", ""),
        },
        status=422 if problems else 200,
    )
