"""Moving in: a new occupier at a site we supply. An occupier account opens at once on
the region's standard variable tariff (a deemed contract, paid on receipt of the bill),
the previous occupier's agreements there end on the day (recorded as their move out
when they did not tell us), and the occupier is greeted before their first bill and
invited to sign up properly; one reminder follows 14 days later if they have not.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from kilowatt import validation
from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.comms import operations as comms
from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain.customers import CustomerDetails
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.journeys import models
from kilowatt.journeys.domain import moves
from kilowatt.journeys.operations import _move_out, _shared
from kilowatt.platform import events
from kilowatt.platform.errors import NotAllowed, NotFound, Problem, raise_if
from kilowatt.platform.periods import london_date
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import quotes as quote_rules

MoveIn = models.MoveIn
DEEMED_KIND, DEEMED_PAYMENT = "RESIDENTIAL", "ON_RECEIPT"


def current_bands(point) -> frozenset[str]:
    """Return the register bands of a meter point's meter in service (its newest)."""
    meters = [m for m in point.meters.all() if m.removed_date is None] or list(point.meters.all())
    if not meters:
        return frozenset()
    return frozenset(register.band for register in meters[-1].registers.all())


def deemed_tariff(point, *, on: datetime.date) -> str | None:
    """Return the code of the standard variable tariff a new occupier of a meter point is
    deemed to take on a day (on sale, variable, for homes paying on receipt, with bands
    that fit the meter; the first by code when several do), or None."""
    meter_type = moves.meter_type_of_bands(current_bands(point))
    if meter_type is None:
        return None
    offers = sales_queries.offers_on_sale(
        customer_kind=DEEMED_KIND,
        payment_method=DEEMED_PAYMENT,
        regions={point.region},
        fuels={point.fuel},
        on=on,
    )
    fitting = sorted(
        offer.code
        for offer in offers
        if offer.kind == "VARIABLE"
        and quote_rules.fits(
            offer,
            region=point.region,
            fuel=point.fuel,
            customer_kind=DEEMED_KIND,
            payment_method=DEEMED_PAYMENT,
            meter_type=meter_type,
            day=on,
        )
    )
    return fitting[0] if fitting else None


def _supplied_by_us(point, day: datetime.date) -> bool:
    start, end = point.supply_start_date, point.supply_end_date
    return start is not None and start <= day and (end is None or day < end)


@transaction.atomic
def record_move_in(
    *,
    by: Principal,
    meter_point_identifiers: Sequence[str],
    moving_in_on: datetime.date,
    occupier_name: str = "",
    email: str = "",
    as_at: datetime.datetime,
) -> models.MoveIn:
    """Record a new occupier at a site we supply from ``moving_in_on`` (their first day):
    end the previous occupier's agreements at these meter points on that day (as their
    move out, unless they told us), open an active occupier account for "The Occupier"
    (or the name given) on the deemed tariffs, and greet them by email (with an
    invitation to sign up) when we have an address.

    :raises NotAllowed: ``by`` may not edit customers.
    :raises NotFound: a meter point does not exist or ``by`` may not see it.
    :raises InvalidInput: ``meter_point_identifiers``/``required``, ``one_site``,
        ``repeated``; ``meter_point_identifiers.N``/``not_supplied``,
        ``no_deemed_tariff``, ``agreement_after_move_in``; ``moving_in_on``/
        ``too_far_in_past``, ``too_far_ahead``, ``before_move_out``,
        ``before_previous_supply``; ``occupier_name``/``full_name``;
        ``email``/``email_format``. Nothing is kept.
    """
    if not by.may(Permission.EDIT_CUSTOMERS):
        raise NotAllowed(f"{by.username} may not record moves")
    today = london_date(as_at)
    identifiers = [i.replace(" ", "") for i in meter_point_identifiers if i.strip()]
    problems: list[Problem] = []
    if not identifiers:
        raise_if([Problem("meter_point_identifiers", "required", "give the site's MPAN or MPRN")])
    points = [account_queries.meter_point_for(by, identifier=i) for i in identifiers]
    if len({p.id for p in points}) < len(points):
        problems.append(Problem("meter_point_identifiers", "repeated", "a meter point twice"))
    if len({p.site_id for p in points}) > 1:
        problems.append(
            Problem("meter_point_identifiers", "one_site", "the meter points are at two sites")
        )
    problems += moves.move_date_problems(
        field="moving_in_on",
        day=moving_in_on,
        today=today,
        max_days_past=moves.MOVE_IN_MAX_DAYS_PAST,
    )
    name = moves.occupier_name_parts(occupier_name)
    if name is None:
        problems.append(
            Problem("occupier_name", "full_name", "give a first and last name, or leave it blank")
        )
    email = email.strip()
    if email and (problem := validation.email_problem(email)) is not None:
        problems.append(Problem("email", "email_format", f"{email!r} is {problem}"))
    tariffs: dict[int, str] = {}
    previous: dict[int, set[int]] = {}  # previous account id -> its meter points here
    for number, point in enumerate(points):
        field = f"meter_point_identifiers.{number}"
        if not _supplied_by_us(point, moving_in_on):
            problems.append(Problem(field, "not_supplied", "we do not supply it on that day"))
            continue
        code = deemed_tariff(point, on=moving_in_on)
        if code is None:
            problems.append(
                Problem(
                    field,
                    "no_deemed_tariff",
                    "no standard variable tariff for homes paying on receipt is on sale "
                    "for this meter in its region",
                )
            )
        else:
            tariffs[point.id] = code
        later = account_queries.account_ids_supplying_from(
            meter_point_ids=[point.id], since=moving_in_on
        )
        if later:
            problems.append(
                Problem(
                    field,
                    "agreement_after_move_in",
                    "an account is already due to be supplied here from that day or later",
                )
            )
        for account_id in account_queries.account_ids_supplying(
            meter_point_id=point.id, on=moving_in_on
        ):
            previous.setdefault(account_id, set()).add(point.id)
    ends: list[tuple[object, set[int]]] = []
    for account_id, point_ids in sorted(previous.items()):
        account = _shared.account_by_id(account_id)
        still_open = _move_out._open_agreements(account, moving_in_on, point_ids)
        if not still_open:
            continue  # it ends by the move in already
        told = models.MoveOut.objects.filter(account_id=account_id).first()
        if told is not None:
            problems.append(
                Problem(
                    "moving_in_on",
                    "before_move_out",
                    f"the previous occupier moves out on {told.moving_out_on:%-d %B %Y}",
                )
            )
        elif any(a.valid_from >= moving_in_on for a in still_open):
            problems.append(
                Problem(
                    "moving_in_on",
                    "before_previous_supply",
                    "must be after the previous occupier's supply started",
                )
            )
        else:
            ends.append((account, point_ids))
    raise_if(problems)
    assert name is not None
    for account, point_ids in ends:
        _move_out.start_move_out(
            by=by,
            account=account,
            moving_out_on=moving_in_on,
            origin=models.MoveOut.Origin.MOVE_IN,
            forwarding=None,
            point_ids=point_ids,
            as_at=as_at,
        )
    system = _shared.acting_for(by)
    customer = customer_operations.create_customer(
        by=system,
        details=CustomerDetails(
            kind=DEEMED_KIND, first_name=name[0], last_name=name[1], email=email
        ),
        as_at=as_at,
    )
    account = account_operations.create_account(
        by=system,
        customer_number=customer.number,
        payment_method=DEEMED_PAYMENT,
        bill_delivery="EMAIL" if email else "PAPER",
        as_at=as_at,
        occupier=True,
    )
    for point in points:
        account_operations.add_agreement(
            by=system,
            account_number=account.number,
            meter_point_identifier=point.identifier,
            tariff_code=tariffs[point.id],
            valid_from=moving_in_on,
            as_at=as_at,
        )
    account_operations.update_account(
        by=system, number=account.number, changes={"status": "ACTIVE"}, as_at=as_at
    )
    journey = MoveIn.objects.create(
        account_id=account.id,
        site_id=points[0].site_id,
        moving_in_on=moving_in_on,
        occupier_name=occupier_name.strip(),
        email=email,
        status=MoveIn.Status.INVITED if email else MoveIn.Status.LETTER_DUE,
        recorded_by=by.username,
        created_at=as_at,
        invited_at=as_at if email else None,
    )
    if email:
        comms.queue_email(
            key=f"move-in:{journey.id}:greeting",
            to=email,
            template="journeys/email/occupier_greeting",
            context=_greeting_context(journey, account.number, customer, tariffs, points),
            as_at=as_at,
        )
    # TODO: with no email address, a greeting letter to "The Occupier" at the site through
    # the print bureau (integrations); until then LETTER_DUE rows are the list to post.
    events.publish(
        name="journeys.move_in.recorded.v1",
        payload={
            "move_in_id": journey.id,
            "account_id": account.id,
            "site_id": journey.site_id,
            "moving_in_on": moving_in_on.isoformat(),
        },
        at=as_at,
    )
    return journey


def _greeting_context(journey, account_number: str, customer, tariffs, points) -> dict:
    return {
        "name": _shared.customer_name(customer),
        "account_number": account_number,
        "moving_in_on": journey.moving_in_on,
        "sign_up_link": _shared.public_url(_shared.SIGN_UP_PATH),
        "supplies": [
            {
                "fuel": point.fuel.title(),
                "identifier": point.identifier,
                "tariff": tariffs[point.id],
            }
            for point in points
        ],
    }


def advance_move_in(*, move_in_id: int, as_at: datetime.datetime) -> moves.Step:
    """Take a move in's next step: done once the occupier signed up (another account
    supplies the site from the move in); one reminder 14 days after the invitation.
    Return the step taken (``moves.Step``).

    :raises NotFound: no such move in.
    """
    today = london_date(as_at)
    with transaction.atomic():
        journey = MoveIn.objects.select_for_update().filter(id=move_in_id).first()
        if journey is None:
            raise NotFound(f"move in {move_in_id}")
        if journey.status != MoveIn.Status.INVITED:
            return moves.Step.WAIT
        account = _shared.account_by_id(journey.account_id)
        point_ids = [a.meter_point_id for a in account.agreements.all()]
        others = account_queries.account_ids_supplying_from(
            meter_point_ids=point_ids, since=journey.moving_in_on
        ) - {account.id}
        step = moves.next_move_in_step(
            moves.MoveInState(
                invited_on=london_date(journey.invited_at) if journey.invited_at else None,
                reminded=journey.reminded_at is not None,
                signed_up=bool(others),
            ),
            today=today,
        )
        if step is moves.Step.SIGNED_UP:
            journey.status = MoveIn.Status.SIGNED_UP
            journey.signed_up_at = as_at
            journey.save(update_fields=["status", "signed_up_at"])
        elif step is moves.Step.REMIND_SIGN_UP:
            journey.status = MoveIn.Status.REMINDED
            journey.reminded_at = as_at
            journey.save(update_fields=["status", "reminded_at"])
            comms.queue_email(
                key=f"move-in:{journey.id}:reminder",
                to=journey.email,
                template="journeys/email/occupier_reminder",
                context={
                    "name": journey.occupier_name or "Occupier",
                    "account_number": account.number,
                    "moving_in_on": journey.moving_in_on,
                    "sign_up_link": _shared.public_url(_shared.SIGN_UP_PATH),
                },
                as_at=as_at,
            )
        return step
