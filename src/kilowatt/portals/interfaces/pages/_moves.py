"""Moving home: a customer's ``/my/move-home/`` (the day they move, where to send the
final bill, the final reading on the day) and the staff's ``/moves/move-in/`` (a new
occupier at a site we supply).

Each POST parses the form, makes one call to ``journeys.operations`` and either sends the
person back to the page (303, Post/Redirect/Get) with what happened, or shows the form
again (422) with each problem beside its field.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kilowatt.accounts.operations import account_number
from kilowatt.identity.domain.roles import Principal
from kilowatt.journeys import operations, queries
from kilowatt.journeys.domain import moves
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.portals.interfaces.pages._access import customer_page, page, staff_page
from kilowatt.properties.domain.addresses import Address

_ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "county", "postcode")
_ADDRESS_LABELS = (
    ("address_line_1", "Address", "address-line1"),
    ("address_line_2", "Address line 2 (optional)", "address-line2"),
    ("town", "Town or city", "address-level2"),
    ("county", "County (optional)", "address-level1"),
    ("postcode", "Postcode", "postal-code"),
)
_BANDS = {"ANYTIME": "Reading", "DAY": "Day reading", "NIGHT": "Night reading"}


@dataclasses.dataclass(frozen=True)
class Posted:
    values: dict[str, str]
    problems: dict[str, list[str]]


def _date(text: str, field: str, problems: dict[str, list[str]]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        problems.setdefault(field, []).append("Give a date, for example 2026-03-20.")
        return None


def _readings(
    post: QueryDict, home: queries.HomeToLeave, problems: dict[str, list[str]]
) -> list[operations.FinalReading]:
    readings = []
    for register in home.registers:
        name = f"reading-{register.identifier}-{register.register}"
        text = post.get(name, "").strip()
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            problems.setdefault(name, []).append("Give the numbers on the meter.")
            continue
        readings.append(operations.FinalReading(register.identifier, register.register, value))
    return readings


def _by_field(
    refused: InvalidInput, home: queries.HomeToLeave | None, sent: list[operations.FinalReading]
) -> dict[str, list[str]]:
    """Map the operation's problems to the form's field names."""
    found: dict[str, list[str]] = {}
    for problem in refused.problems:
        field = problem.field.removeprefix("forwarding_address.")
        parts = problem.field.split(".")
        if parts[0] == "final_reading" and len(parts) == 3 and int(parts[1]) < len(sent):
            reading = sent[int(parts[1])]
            field = f"reading-{reading.identifier}-{reading.register}"
        found.setdefault(field, []).append(problem.message[:1].upper() + problem.message[1:])
    return found


def _home_shape(
    home: queries.HomeToLeave,
    values: dict[str, str],
    problems: dict[str, list[str]],
    today: datetime.date,
) -> dict[str, Any]:
    move_out = home.move_out
    return {
        "problems": problems,
        "general_problems": [
            message for key in ("account", "final_reading") for message in problems.get(key, [])
        ],
        "moving_out_on": values.get("moving_out_on", ""),
        "moving_out_on_problem": " ".join(problems.get("moving_out_on", [])),
        "address_fields": [
            {
                "name": name,
                "label": label,
                "autocomplete": autocomplete,
                "value": values.get(name, ""),
                "problem": " ".join(problems.get(name, [])),
            }
            for name, label, autocomplete in _ADDRESS_LABELS
        ],
        "account_number": home.account_number,
        "address": home.address,
        "postcode": home.postcode,
        "may_move_out": home.may_move_out,
        "may_give_final_reading": home.may_give_final_reading,
        "move_out": None
        if move_out is None
        else {
            "moving_out_on": move_out.moving_out_on,
            "closed": move_out.status == "COMPLETED",
            "reading_given": move_out.final_reading_at is not None,
            "reading_on_day": move_out.moving_out_on > today,
            "forwarding": ", ".join(
                part
                for part in (
                    move_out.forwarding_address_line_1,
                    move_out.forwarding_address_line_2,
                    move_out.forwarding_town,
                    move_out.forwarding_postcode,
                )
                if part
            ),
        },
        "registers": [
            {
                "name": f"reading-{r.identifier}-{r.register}",
                "label": f"{r.fuel.title()} · {_BANDS.get(r.band, r.band.title())}",
                "identifier": r.identifier,
                "value": values.get(f"reading-{r.identifier}-{r.register}", ""),
                "problem": " ".join(problems.get(f"reading-{r.identifier}-{r.register}", [])),
            }
            for r in home.registers
        ],
    }


def _show_home(
    request: HttpRequest,
    principal: Principal,
    *,
    posted: Posted | None = None,
    account: str = "",
    status: int = 200,
) -> HttpResponse:
    today = clock.today()
    try:
        homes = queries.homes_to_leave(principal, today=today)
    except NotAllowed:
        return page(request, principal, "portals/my/refused.html", status=403)
    values = posted.values if posted else {}
    problems = posted.problems if posted else {}
    return page(
        request,
        principal,
        "portals/my/move_home.html",
        {
            "homes": [
                _home_shape(home, values, problems, today)
                if home.account_number == account
                else _home_shape(home, {}, {}, today)
                for home in homes
            ],
            "earliest": today - datetime.timedelta(days=moves.MOVE_OUT_MAX_DAYS_PAST),
            "latest": today + datetime.timedelta(days=moves.MOVE_MAX_DAYS_AHEAD),
            "today": today,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@customer_page
def my_move_home(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show the customer's homes and their moves (GET); record a move out or a final
    reading (POST)."""
    if request.method != "POST":
        return _show_home(request, principal)
    post = request.POST
    number = post.get("account_number", "").strip()
    try:
        homes = {
            h.account_number: h for h in queries.homes_to_leave(principal, today=clock.today())
        }
    except NotAllowed:
        return page(request, principal, "portals/my/refused.html", status=403)
    home = homes.get(number.upper())
    if home is None:
        return page(request, principal, "portals/my/not_found.html", status=404)
    values = {key: post.get(key, "") for key in post if key != "csrfmiddlewaretoken"}
    problems: dict[str, list[str]] = {}
    readings = _readings(post, home, problems)
    giving_reading = post.get("action") == "final_reading"
    moving_out_on = (
        None if giving_reading else _date(post.get("moving_out_on", ""), "moving_out_on", problems)
    )
    if problems:
        return _show_home(
            request,
            principal,
            posted=Posted(values, problems),
            account=home.account_number,
            status=422,
        )
    try:
        if giving_reading:
            operations.record_final_reading(
                by=principal, account_number=number, readings=readings, as_at=clock.now()
            )
            messages.success(request, "Thank you: we have your final reading.")
        else:
            assert moving_out_on is not None
            operations.record_move_out(
                by=principal,
                account_number=number,
                moving_out_on=moving_out_on,
                forwarding_address=Address(**{f: post.get(f, "") for f in _ADDRESS_FIELDS}),
                final_reading=readings,
                as_at=clock.now(),
            )
            messages.success(
                request,
                f"Thank you: your supply ends on {moving_out_on:%-d %B %Y}. Your final bill "
                "follows within six weeks.",
            )
    except NotFound:
        return page(request, principal, "portals/my/not_found.html", status=404)
    except InvalidInput as refused:
        return _show_home(
            request,
            principal,
            posted=Posted(values, _by_field(refused, home, readings)),
            account=home.account_number,
            status=422,
        )
    return HttpResponseRedirect(reverse("portals:my_move_home"), status=303)


# --- staff: a new occupier -------------------------------------------------------------------


def _show_move_in(
    request: HttpRequest,
    principal: Principal,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = clock.today()
    return page(
        request,
        principal,
        "portals/moves/move_in.html",
        {
            "values": values or {"moving_in_on": today.isoformat()},
            "problems": problems or {},
            "earliest": today - datetime.timedelta(days=moves.MOVE_IN_MAX_DAYS_PAST),
            "latest": today + datetime.timedelta(days=moves.MOVE_MAX_DAYS_AHEAD),
        },
        status=status,
    )


def _move_in_problems(refused: InvalidInput) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in refused.problems:
        field = problem.field
        if field.startswith("meter_point_identifiers"):
            index = field.split(".")[1] if "." in field else ""
            message = (
                f"Meter point {int(index) + 1}: {problem.message}"
                if index
                else problem.message[:1].upper() + problem.message[1:]
            )
            found.setdefault("meter_point_identifiers", []).append(message)
        else:
            found.setdefault(field, []).append(problem.message[:1].upper() + problem.message[1:])
    return found


@require_http_methods(["GET", "HEAD", "POST"])
@staff_page
def move_in(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show the new-occupier form (GET) or record a move in (POST)."""
    if request.method != "POST":
        return _show_move_in(request, principal)
    post = request.POST
    values = {
        key: post.get(key, "") for key in ("identifiers", "moving_in_on", "occupier_name", "email")
    }
    problems: dict[str, list[str]] = {}
    day = _date(values["moving_in_on"], "moving_in_on", problems)
    identifiers = [i for i in values["identifiers"].replace(",", " ").split() if i]
    if problems or day is None:
        return _show_move_in(request, principal, values=values, problems=problems, status=422)
    try:
        journey = operations.record_move_in(
            by=principal,
            meter_point_identifiers=identifiers,
            moving_in_on=day,
            occupier_name=values["occupier_name"],
            email=values["email"],
            as_at=clock.now(),
        )
    except NotAllowed:
        return page(request, principal, "portals/refused.html", status=403)
    except NotFound:
        problems = {"meter_point_identifiers": ["No meter point we supply has that number."]}
        return _show_move_in(request, principal, values=values, problems=problems, status=422)
    except InvalidInput as refused:
        return _show_move_in(
            request, principal, values=values, problems=_move_in_problems(refused), status=422
        )
    greeted = "greeted by email" if journey.email else "a greeting letter is due"
    messages.success(
        request,
        f"Occupier account {account_number(journey.account_id)} opened from "
        f"{day:%-d %B %Y} on the standard variable tariff; {greeted}.",
    )
    return HttpResponseRedirect(reverse("portals:move_in"), status=303)
