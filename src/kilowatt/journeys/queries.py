"""Public reads of the journeys. Every read a person triggers goes through the account
gate (``accounts.queries.account_for``): a customer sees their own accounts' journeys,
staff those of the accounts they may see; anything else is not found."""

from __future__ import annotations

import dataclasses
import datetime

from kilowatt.accounts import queries as account_queries
from kilowatt.identity.domain.roles import Principal, Reach
from kilowatt.journeys import models
from kilowatt.journeys.domain import moves
from kilowatt.metering import queries as metering_queries
from kilowatt.platform.errors import NotAllowed
from kilowatt.properties import queries as property_queries


@dataclasses.dataclass(frozen=True)
class AccountJourneys:
    account_number: str
    account_status: str
    move_outs: list[models.MoveOut]
    move_ins: list[models.MoveIn]
    losses: list[models.Loss]


def journeys_for_account(principal: Principal, *, account_number: str) -> AccountJourneys:
    """Return the move outs, move ins and losses of an account ``principal`` may see.

    :raises NotFound: no such account, or ``principal`` may not see it.
    """
    account = account_queries.account_for(principal, number=account_number)
    return AccountJourneys(
        account_number=account.number,
        account_status=account.status,
        move_outs=list(models.MoveOut.objects.filter(account_id=account.id).order_by("id")),
        move_ins=list(models.MoveIn.objects.filter(account_id=account.id).order_by("id")),
        losses=list(models.Loss.objects.filter(account_id=account.id).order_by("id")),
    )


@dataclasses.dataclass(frozen=True)
class RegisterToRead:
    identifier: str  # the meter point's
    fuel: str
    register: str
    band: str


@dataclasses.dataclass(frozen=True)
class HomeToLeave:
    """One of a customer's accounts, as the moving-home page shows it."""

    account_number: str
    status: str
    address: str
    postcode: str
    registers: list[RegisterToRead]
    move_out: models.MoveOut | None
    may_move_out: bool  # active and no move out recorded
    may_give_final_reading: bool  # a move out on or before today without its reading


def homes_to_leave(principal: Principal, *, today: datetime.date) -> list[HomeToLeave]:
    """Return a customer's accounts that are or were supplied, each with its address,
    the registers to read and its move out if one is recorded; a fixed number of
    queries whatever the number of accounts.

    :raises NotAllowed: ``principal`` is not a customer.
    """
    if principal.reach is not Reach.OWN:
        raise NotAllowed(f"{principal.username} has no home of their own")
    accounts = [
        account
        for account in account_queries.accounts_page(principal, limit=50)
        if account.agreements.all()
    ]
    move_outs = {
        m.account_id: m
        for m in models.MoveOut.objects.filter(account_id__in=[a.id for a in accounts])
    }
    point_ids = sorted({g.meter_point_id for a in accounts for g in a.agreements.all()})
    points = {p.id: p for p in metering_queries.meter_points_by_ids(ids=point_ids)}
    sites = {
        s.id: s
        for s in property_queries.sites_by_ids(ids=sorted({p.site_id for p in points.values()}))
    }
    homes = []
    for account in accounts:
        own_points = [points[g.meter_point_id] for g in account.agreements.all()]
        own_points = list({p.id: p for p in own_points}.values())
        site = sites.get(own_points[0].site_id) if own_points else None
        registers = []
        for point in own_points:
            meters = [m for m in point.meters.all() if m.removed_date is None]
            for register in meters[-1].registers.all() if meters else []:
                registers.append(
                    RegisterToRead(
                        identifier=point.identifier,
                        fuel=point.fuel,
                        register=register.identifier,
                        band=register.band,
                    )
                )
        move_out = move_outs.get(account.id)
        homes.append(
            HomeToLeave(
                account_number=account.number,
                status=account.status,
                address=", ".join(
                    part
                    for part in (
                        getattr(site, "address_line_1", ""),
                        getattr(site, "address_line_2", ""),
                        getattr(site, "town", ""),
                    )
                    if part
                ),
                postcode=getattr(site, "postcode", ""),
                registers=registers,
                move_out=move_out,
                may_move_out=move_out is None and account.status == "ACTIVE",
                may_give_final_reading=move_out is not None
                and move_out.final_reading_at is None
                and move_out.origin != models.MoveOut.Origin.MOVE_IN
                and not moves.final_reading_problems(
                    moving_out_on=move_out.moving_out_on, today=today
                ),
            )
        )
    return homes
