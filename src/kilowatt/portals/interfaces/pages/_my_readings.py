"""A customer's meter readings page (``/my/meter-readings/``): each meter point we supply
them, a form to give a reading of each register (with a photo of the meter if they
like), what became of it, and the meter point's reading history.

GET shows the page (one query call). POST gives one meter point's readings through
``accounts.operations.submit_meter_reading`` (all registers in one transaction), so a
submit is all or nothing: a refusal of any register keeps none of them and comes back
(422) with each problem beside its field; otherwise the customer is sent back to the
page (303, Post/Redirect/Get) where it says what became of each reading. Without
JavaScript that is the whole story; with HTMX the form posts in place and the meter
point's section of the answer is swapped in (``hx-select``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.field import queries as field_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages import _reading_form, _shapes
from kilowatt.portals.interfaces.pages._access import customer_page, page

# A reading's outcome travels to the page after the redirect as a message tagged
# "reading <meter point> <register> <kind>".
_OUTCOME_TAG = "reading"


def _outcomes(request: HttpRequest) -> dict[str, list[_shapes.ReadingOutcome]]:
    by_point: dict[str, list[_shapes.ReadingOutcome]] = {}
    for message in messages.get_messages(request):
        tags = message.extra_tags.split()
        if len(tags) == 4 and tags[0] == _OUTCOME_TAG:
            _, identifier, register, kind = tags
            by_point.setdefault(identifier, []).append(
                _shapes.ReadingOutcome(kind=kind, text=str(message), register=register)
            )
    return by_point


def _refused(request: HttpRequest, principal: Principal) -> HttpResponse:
    return page(request, principal, "portals/my/refused.html", status=403)


def _show(
    request: HttpRequest,
    principal: Principal,
    *,
    form: _shapes.FormState | None = None,
    status: int = 200,
) -> HttpResponse:
    now = clock.now()
    try:
        own = account_queries.own_meter_points(principal, today=clock.today())
    except NotAllowed:
        return _refused(request, principal)
    return page(
        request,
        principal,
        "portals/my/meter_readings.html",
        {
            "my": _shapes.my_readings(
                own,
                now_input=_reading_form.local_input(now),
                outcomes=_outcomes(request),
                form=form,
                visits=field_queries.visit_offers(
                    principal,
                    meter_types=_shapes.meter_types(own),
                    latest_actual_reads=_shapes.latest_actual_reads(own),
                ),
            )
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@customer_page
def my_meter_readings(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show the customer's meter points and their readings (GET), or give readings of
    one meter point (POST)."""
    if request.method == "POST":
        return _give_readings(request, principal)
    return _show(request, principal)


def _form_state(
    posted: _reading_form.PostedForm, problems: list[tuple[str, str]]
) -> _shapes.FormState:
    by_field: dict[str, list[str]] = {}
    for field, message in problems:
        by_field.setdefault(field, []).append(message)
    return _shapes.FormState(
        meter_point=posted.meter_point,
        read_at=posted.read_at_text,
        values=posted.values,
        problems=by_field,
    )


def _give_readings(request: HttpRequest, principal: Principal) -> HttpResponse:
    posted = _reading_form.parse(request.POST, request.FILES)
    if posted.problems or posted.read_at is None:
        problems = [(p.field, p.message) for p in posted.problems]
        return _show(request, principal, form=_form_state(posted, problems), status=422)
    try:
        submitted = account_operations.submit_meter_reading(
            by=principal,
            identifier=posted.meter_point,
            read_at=posted.read_at,
            readings=[
                account_operations.RegisterReading(
                    register=reading.register,
                    value=reading.value,
                    photo=reading.photo,
                    photo_content_type=reading.photo_content_type,
                )
                for reading in posted.readings
            ],
            as_at=clock.now(),
        )
    except NotFound:
        return page(request, principal, "portals/my/not_found.html", status=404)
    except NotAllowed:
        return _refused(request, principal)
    except InvalidInput as refused:
        problems = [_reading_form.problem_field(p, posted.readings) for p in refused.problems]
        return _show(request, principal, form=_form_state(posted, problems), status=422)
    outcomes = [
        (r.register, outcome) for r, outcome in zip(posted.readings, submitted, strict=True)
    ]
    for register, outcome in outcomes:
        text = _shapes.OUTCOME_WORDS.get(outcome.status, outcome.status.title())
        if outcome.status == "HELD" and outcome.message:
            text = f"{text}: {_shapes.why_held(outcome.message)}"
        messages.success(
            request,
            text,
            extra_tags=f"{_OUTCOME_TAG} {posted.meter_point} {register} {outcome.status.lower()}",
        )
    return HttpResponseRedirect(
        f"{reverse('portals:my_meter_readings')}#mp-{posted.meter_point}", status=303
    )
