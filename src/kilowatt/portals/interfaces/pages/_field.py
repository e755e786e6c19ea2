"""Field appointments and jobs: booking a visit for a meter point (staff who book, and a
customer for their own meter points), and the field jobs list where the field team moves
each job through its lifecycle."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.field import operations as field_operations
from kilowatt.field import queries as field_queries
from kilowatt.field.domain import jobs as job_rules
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages._access import StaffView, not_found, page

KIND_LABELS = {
    job_rules.SMART_INSTALL: "Smart meter installation",
    job_rules.METER_EXCHANGE: "Meter exchange",
    job_rules.MUST_READ: "Must-read visit",
    job_rules.RECERTIFICATION: "Meter recertification",
}
STATUS_LABELS = {
    job_rules.RAISED: "Raised, to book",
    job_rules.BOOKED: "Booked",
    job_rules.EN_ROUTE: "En route",
    job_rules.COMPLETED: "Completed",
    job_rules.ABORTED: "Aborted",
    job_rules.MISSED: "Missed",
}
SLOT_LABELS = {"AM": "Morning", "PM": "Afternoon"}
JOBS_LIMIT = 50


def signed_in_page(view: StaffView) -> StaffView:
    """Let any signed-in person in (the view's query decides what they may do);
    anonymous visitors sign in first."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = identity_queries.principal_for(request.user)
        if principal.is_anonymous:
            return redirect_to_login(request.get_full_path())
        return view(request, principal, *args, **kwargs)

    return guarded


def _refused(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/refused.html", status=403)


def _problems(error: InvalidInput) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in error.problems:
        found.setdefault(problem.field.split(".")[0], problem.message)
        found.setdefault(problem.field, problem.message)
    return found


# --- booking ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DayOfSlots:
    date: datetime.date
    slots: tuple[dict[str, Any], ...]


def _days(view: field_queries.BookingView) -> tuple[DayOfSlots, ...]:
    by_day: dict[datetime.date, list[dict[str, Any]]] = {}
    for row in view.slots:
        by_day.setdefault(row.date, []).append(
            {
                "capacity_id": row.capacity_id,
                "slot": row.slot,
                "label": SLOT_LABELS.get(row.slot, row.slot),
                "window": row.window,
                "free": row.free,
            }
        )
    return tuple(DayOfSlots(date=day, slots=tuple(slots)) for day, slots in by_day.items())


def _kinds(meter_type: str) -> list[tuple[str, str]]:
    return [
        (kind, label)
        for kind, label in KIND_LABELS.items()
        if not job_rules.kind_problems(kind=kind, current_meter_type=meter_type or None)
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def book_appointment(request: HttpRequest, principal: Principal, identifier: str) -> HttpResponse:
    """Show a meter point's free slots of the next 14 days (GET); book one (POST)."""
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            job = field_operations.book_appointment(
                by=principal,
                identifier=identifier,
                capacity_id=_int(request.POST.get("slot", "")),
                kind=request.POST.get("kind", ""),
                as_at=clock.now(),
            )
        except NotAllowed:
            return _refused(request, principal)
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problems = _problems(error)
        else:
            return redirect(reverse("portals:booked", args=[identifier]) + f"?job={job.id}")
    try:
        view = field_queries.booking_view(principal, identifier=identifier, today=clock.today())
    except NotAllowed:
        return _refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    return page(
        request,
        principal,
        "portals/field/book.html",
        {
            "point": view,
            "days": _days(view),
            "kinds": _kinds(view.meter_type),
            "open_jobs": [_job(row) for row in view.open_jobs],
            "chosen_slot": request.POST.get("slot", ""),
            # A raised job (a must-read waiting for a slot) is what most want to book.
            "chosen_kind": request.POST.get("kind", "")
            or request.GET.get("kind", "")  # what the link offered (a smart meter, say)
            or next((j.kind for j in view.open_jobs if j.status == job_rules.RAISED), ""),
            "problems": problems,
        },
        status=422 if problems else 200,
    )


@require_http_methods(["GET", "HEAD"])
@signed_in_page
def booked(request: HttpRequest, principal: Principal, identifier: str) -> HttpResponse:
    """Confirm a booking: the meter point's open jobs, the new one first."""
    try:
        view = field_queries.booking_view(principal, identifier=identifier, today=clock.today())
    except NotAllowed:
        return _refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    job_id = _int(request.GET.get("job", ""))
    jobs = [_job(row) for row in view.open_jobs]
    confirmed = next((job for job in jobs if job["id"] == job_id), None)
    if confirmed is None:
        return not_found(request, principal)
    return page(request, principal, "portals/field/booked.html", {"point": view, "job": confirmed})


# --- the field jobs list ----------------------------------------------------------------


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _job(row: field_queries.JobRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": KIND_LABELS.get(row.kind, row.kind),
        "status": row.status,
        "status_label": STATUS_LABELS.get(row.status, row.status),
        "identifier": row.identifier,
        "fuel_label": row.fuel.title(),
        "region": row.region,
        "date": row.date,
        "slot_label": SLOT_LABELS.get(row.slot, ""),
        "window": row.window,
        "abort_reason": row.abort_reason,
        "meter_serial": row.meter_serial,
        "meter_type_label": row.meter_type.title(),
        "meter_digits": row.meter_digits,
        "registers": [{"identifier": r.identifier, "band": r.band.title()} for r in row.registers],
        "exchanges_meter": row.kind in job_rules.EXCHANGES_METER,
        # A recertification may fit a new meter instead (its fields are then optional).
        "may_replace_meter": row.kind == job_rules.RECERTIFICATION,
        "compensation": f"£{row.compensation_pence / 100:.2f}" if row.compensation_pence else "",
        "may_set_off": job_rules.EN_ROUTE in row.next_statuses,
        "may_complete": job_rules.COMPLETED in row.next_statuses,
        "may_abort": job_rules.ABORTED in row.next_statuses,
        "may_miss": job_rules.MISSED in row.next_statuses,
    }


@require_http_methods(["GET", "HEAD"])
@signed_in_page
def field_jobs(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List field jobs, optionally of one status, with the moves each may make."""
    status = request.GET.get("status", "").upper()
    if status not in job_rules.STATUSES:
        status = ""
    try:
        rows = field_queries.jobs_page(
            principal, status=status, after_id=_int(request.GET.get("after", "")), limit=JOBS_LIMIT
        )
        counts = field_queries.job_counts(principal)
    except NotAllowed:
        return _refused(request, principal)
    return page(
        request,
        principal,
        "portals/field/jobs.html",
        {
            "jobs": [_job(row) for row in rows],
            "status": status,
            "filters": [
                {"status": s, "label": STATUS_LABELS[s], "count": counts[s]}
                for s in job_rules.STATUSES
            ],
            "total": sum(counts.values()),
            "next_after": rows[-1].id if len(rows) >= JOBS_LIMIT else None,
            "problems": {},
        },
    )


def _reads(post: QueryDict, prefix: str) -> list[tuple[str, Decimal]]:
    found = []
    for key in sorted(post):
        text = str(post.get(key, "")).strip()
        if key.startswith(prefix) and text:
            try:
                found.append((key[len(prefix) :], Decimal(text)))
            except InvalidOperation:
                raise InvalidInput.one(
                    field=key, rule="number", message="a read is a number"
                ) from None
    return found


def _done(post: QueryDict) -> field_operations.ExchangeIn:
    return field_operations.ExchangeIn(
        final_reads=_reads(post, "final_"),
        new_serial=post.get("new_serial", ""),
        new_digits=_int(post.get("new_digits", "")),
        first_reads=_reads(post, "first_"),
    )


@require_http_methods(["POST"])
@signed_in_page
def field_job(request: HttpRequest, principal: Principal, job_id: int) -> HttpResponse:
    """Move one job: ``status`` EN_ROUTE, ABORTED (with ``reason``), MISSED, or COMPLETED
    with what the visit did (reads ``final_<register>``, ``new_serial``, ``new_digits``,
    ``first_<register>``)."""
    status = request.POST.get("status", "")
    back = reverse("portals:field_jobs") + (
        f"?status={request.POST['filter']}" if request.POST.get("filter") else ""
    )
    try:
        if status == job_rules.COMPLETED:
            field_operations.complete_job(
                by=principal, job_id=job_id, done=_done(request.POST), as_at=clock.now()
            )
        else:
            field_operations.move_job(
                by=principal,
                job_id=job_id,
                status=status,
                reason=request.POST.get("reason", ""),
                as_at=clock.now(),
            )
    except NotAllowed:
        return _refused(request, principal)
    except NotFound:
        return not_found(request, principal)
    except InvalidInput as error:
        try:
            row = field_queries.job_for(principal, job_id=job_id)
        except NotFound:
            return not_found(request, principal)
        return page(
            request,
            principal,
            "portals/field/job_refused.html",
            {"job": _job(row), "problems": _problems(error), "back": back, "tried": status},
            status=422,
        )
    messages.success(request, f"Job {job_id}: {STATUS_LABELS.get(status, status).lower()}.")
    return redirect(back)
