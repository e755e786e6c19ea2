"""The read-exceptions queue: held meter reads, each with why it was held, the photo of
the meter when one came with it, and the register's reads around it, for the
metering/billing team to accept or refuse."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit, clock
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.portals.interfaces.pages import _shapes
from kilowatt.portals.interfaces.pages._access import not_found, page, staff_page

QUEUE_LIMIT = 50


def _refused(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/refused.html", status=403)


@staff_page
def read_exceptions(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the held reads, oldest first."""
    if not principal.may(Permission.WORK_READ_EXCEPTIONS):
        return _refused(request, principal)
    after = (
        int(request.GET.get("after", "0") or 0) if request.GET.get("after", "0").isdigit() else 0
    )
    held = metering_queries.held_reads(after_id=after, limit=QUEUE_LIMIT)
    return page(
        request,
        principal,
        "portals/reads/exceptions.html",
        {
            "queue": _shapes.read_queue(
                held, total=metering_queries.held_read_count(), limit=QUEUE_LIMIT
            )
        },
    )


@staff_page
def read_exception(request: HttpRequest, principal: Principal, read_id: int) -> HttpResponse:
    """Show one held read with its register's history; POST decides it."""
    if not principal.may(Permission.WORK_READ_EXCEPTIONS):
        return _refused(request, principal)
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            metering_operations.resolve_held_read(
                read_id=read_id,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
                actor=audit.Actor(id=principal.user_id, name=principal.username),
                as_at=clock.now(),
            )
        except NotFound:
            return not_found(request, principal)
        except InvalidInput as error:
            problems = {problem.field: problem.message for problem in error.problems}
        else:
            messages.success(request, f"Read {read_id} decided.")
            return redirect("portals:read_exceptions")
    try:
        read = metering_queries.read_by_id(read_id=read_id)
    except NotFound:
        return not_found(request, principal)
    history = metering_queries.reads_around(read_id=read_id)
    return page(
        request,
        principal,
        "portals/reads/exception.html",
        {
            "read": _shapes.read_row(read),
            "history": [_shapes.read_row(r) for r in history],
            "problems": problems,
        },
        status=422 if problems else 200,
    )


@require_http_methods(["GET", "HEAD"])
@staff_page
def read_exception_photo(request: HttpRequest, principal: Principal, read_id: int) -> HttpResponse:
    """Serve the photo of the meter given with a read, as its own bytes, to whoever may
    work the read exceptions; 404 when it has none."""
    if not principal.may(Permission.WORK_READ_EXCEPTIONS):
        return _refused(request, principal)
    try:
        photo = metering_queries.read_photo(read_id=read_id)
    except NotFound:
        return not_found(request, principal)
    response = HttpResponse(photo.content, content_type=photo.content_type)
    response["Content-Length"] = str(photo.size_bytes)
    response["Content-Disposition"] = f'inline; filename="read-{photo.read_id}-photo"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["ETag"] = f'"{photo.sha256}"'
    return response
