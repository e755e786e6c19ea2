"""The settlement flags: EAC/AQ changes a recalculation flagged (a large swing, or a
result that was not positive and so not applied), for the metering/billing team to check
and acknowledge. The same team and permission as the read exceptions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit, clock
from kilowatt.platform.errors import InvalidInput, NotFound
from kilowatt.portals.interfaces.pages import _shapes
from kilowatt.portals.interfaces.pages._access import not_found, page, staff_page

QUEUE_LIMIT = 50


def _listing(
    request: HttpRequest, principal: Principal, *, problems: dict[str, str], status: int = 200
) -> HttpResponse:
    after_text = request.GET.get("after", "0")
    after = int(after_text) if after_text.isdigit() else 0
    flags = metering_queries.settlement_flags(after_id=after, limit=QUEUE_LIMIT)
    return page(
        request,
        principal,
        "portals/reads/settlement_flags.html",
        {
            "queue": _shapes.settlement_flag_queue(
                flags, total=metering_queries.settlement_flag_count(), limit=QUEUE_LIMIT
            ),
            "problems": problems,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@staff_page
def settlement_flags(request: HttpRequest, principal: Principal) -> HttpResponse:
    """List the flagged EAC/AQ changes awaiting review, oldest first."""
    if not principal.may(Permission.WORK_READ_EXCEPTIONS):
        return page(request, principal, "portals/refused.html", status=403)
    return _listing(request, principal, problems={})


@require_http_methods(["POST"])
@staff_page
def review_settlement_flag(
    request: HttpRequest, principal: Principal, change_id: int
) -> HttpResponse:
    """Acknowledge one flagged change, then back to the list (422 with the reason when it
    cannot be: reviewed already, or no longer standing)."""
    if not principal.may(Permission.WORK_READ_EXCEPTIONS):
        return page(request, principal, "portals/refused.html", status=403)
    try:
        metering_operations.review_settlement_flag(
            change_id=change_id,
            note=request.POST.get("note", ""),
            actor=audit.Actor(id=principal.user_id, name=principal.username),
            as_at=clock.now(),
        )
    except NotFound:
        return not_found(request, principal)
    except InvalidInput as error:
        problems = {str(change_id): " ".join(p.message for p in error.problems)}
        return _listing(request, principal, problems=problems, status=422)
    messages.success(request, f"Flag {change_id} reviewed.")
    return HttpResponseRedirect(reverse("portals:settlement_flags"), status=303)
