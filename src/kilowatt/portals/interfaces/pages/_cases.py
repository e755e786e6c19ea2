"""Service cases: the open cases, newest first, and one case with its close form, for
the people who work cases (``WORK_CASES``)."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from kilowatt.cases import operations as case_operations
from kilowatt.cases import queries as case_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages._access import not_found, page, staff_page
from kilowatt.portals.interfaces.pages._shapes import group_digits

CASES_LIMIT = 50


@dataclasses.dataclass(frozen=True)
class CaseShape:
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    meter_point: str
    meter_point_display: str
    fuel_label: str
    summary: str
    opened_at: datetime.datetime
    opened_by: str
    days_open: int
    closed_at: datetime.datetime | None
    closed_by: str
    resolution: str


def _shape(row: case_queries.CaseRow) -> CaseShape:
    return CaseShape(
        id=row.id,
        kind=row.kind,
        kind_label=row.kind_label,
        status=row.status,
        status_label=row.status.title(),
        meter_point=row.meter_point,
        meter_point_display=group_digits(row.meter_point, is_electricity=row.fuel == "ELECTRICITY"),
        fuel_label=row.fuel.title(),
        summary=row.summary,
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        days_open=row.days_open,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        resolution=row.resolution,
    )


def _refused(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/refused.html", status=403)


@require_http_methods(["GET", "HEAD"])
@staff_page
def cases(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the open cases, newest first."""
    before = request.GET.get("after", "")
    try:
        rows = case_queries.cases_page(
            principal,
            today=clock.today(),
            before_id=int(before) if before.isdigit() else 0,
            limit=CASES_LIMIT,
        )
        total = case_queries.case_count(principal)
    except NotAllowed:
        return _refused(request, principal)
    return page(
        request,
        principal,
        "portals/cases/list.html",
        {
            "cases": [_shape(row) for row in rows],
            "total": total,
            "next_after": rows[-1].id if len(rows) == CASES_LIMIT else None,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def case(request: HttpRequest, principal: Principal, case_id: int) -> HttpResponse:
    """Show one case; POST closes it with a note of how it was resolved."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            case_operations.close_case(
                by=principal,
                case_id=case_id,
                note=request.POST.get("note", ""),
                as_at=clock.now(),
            )
        except NotAllowed:
            return _refused(request, principal)
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problems = {problem.field: problem.message for problem in error.problems}
        else:
            messages.success(request, f"Case {case_id} closed.")
            return redirect("portals:cases")
    try:
        row = case_queries.case_for(principal, case_id=case_id, today=clock.today())
    except NotAllowed:
        return _refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    return page(
        request,
        principal,
        "portals/cases/case.html",
        {"case": _shape(row), "problems": problems, "note": request.POST.get("note", "")},
        status=422 if problems else 200,
    )
