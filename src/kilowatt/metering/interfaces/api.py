"""The read-exceptions queue over HTTP: held reads, deciding them, withdrawing a read;
and the settlement flags: EAC/AQ changes flagged for a person to review.

For the team that works meter reads (permission ``WORK_READ_EXCEPTIONS``); anyone else
is refused with 403 and nothing changes. Giving a reading is served by accounts, the
gate of meter points (and so is a reading's photo).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.metering import operations, queries
from kilowatt.platform import audit, clock
from kilowatt.platform.api import LIST, WRITE, Error, PageParams, page
from kilowatt.platform.errors import NotAllowed

router = Router(tags=["read exceptions"])


class HeldReadOut(Schema):
    id: int
    meter_point: str
    meter_serial: str
    meter_register: str = Field(alias="register")
    read_at: datetime.datetime
    value: Decimal
    source: str
    advance: Decimal | None
    consumption_kwh: Decimal | None
    rule: str = Field(description="Why it is held: negative_advance, advance_too_high, ...")
    message: str
    received_by: str
    reference: str
    has_photo: bool = Field(
        description="A photo came with it: GET /meter-points/{meter_point}/reads/{id}/photo."
    )


class HeldReadPage(Schema):
    items: list[HeldReadOut]
    next_after: int | None


class DecisionIn(Schema):
    decision: Literal["ACCEPT", "REFUSE"]
    note: str = Field("", description="Required to refuse: the customer reads it.")


class WithdrawalIn(Schema):
    reason: str


class ReadStatusOut(Schema):
    id: int
    status: str


def _reviewer(request: HttpRequest) -> Principal:
    who = identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]
    if not who.may(Permission.WORK_READ_EXCEPTIONS):
        raise NotAllowed(f"{who.username} may not work read exceptions")
    return who


def _actor(who: Principal) -> audit.Actor:
    return audit.Actor(id=who.user_id, name=who.username)


@router.get("/reads/held", response={200: HeldReadPage, 403: Error, **LIST})
def held_reads(request: HttpRequest, params: Query[PageParams]) -> Any:
    """List the held reads, oldest first."""
    _reviewer(request)
    return page(queries.held_reads(after_id=params.after, limit=params.fetch()), params)


@router.post("/reads/{read_id}/decision", response={200: ReadStatusOut, **WRITE})
def decide(request: HttpRequest, read_id: int, payload: DecisionIn) -> Any:
    """Accept a held read as actual, or refuse it with a note for the customer."""
    who = _reviewer(request)
    return operations.resolve_held_read(
        read_id=read_id,
        decision=payload.decision,
        note=payload.note,
        actor=_actor(who),
        as_at=clock.now(),
    )


@router.post("/reads/{read_id}/withdrawal", response={200: ReadStatusOut, **WRITE})
def withdraw(request: HttpRequest, read_id: int, payload: WithdrawalIn) -> Any:
    """Withdraw a read that proved wrong; a bill that used it is flagged for re-billing."""
    who = _reviewer(request)
    return operations.withdraw_read(
        read_id=read_id, reason=payload.reason, actor=_actor(who), as_at=clock.now()
    )


# --- settlement flags -------------------------------------------------------------------


class SettlementFlagOut(Schema):
    id: int
    meter_point: str
    fuel: str
    meter_serial: str
    meter_register: str = Field(alias="register")
    band: str
    read_id: int = Field(description="The read whose recalculation was flagged.")
    read_at: datetime.datetime
    effective_date: datetime.date
    previous_kwh: Decimal | None = Field(description="The EAC (electricity) or AQ (gas) before.")
    annualised_kwh: Decimal = Field(description="The read period's consumption, annualised.")
    new_kwh: Decimal = Field(description="The value the register keeps.")
    rule: str = Field(
        description="large_change: applied, but more than half the old value away; "
        "not_positive: zero or negative, so not applied."
    )
    recorded_at: datetime.datetime


class SettlementFlagPage(Schema):
    items: list[SettlementFlagOut]
    next_after: int | None


class FlagReviewIn(Schema):
    note: str = Field("", description="Optional: what was checked; kept on the audit trail.")


class FlagReviewOut(Schema):
    id: int
    reviewed_at: datetime.datetime
    reviewed_by: str


@router.get(
    "/settlement/flags",
    response={200: SettlementFlagPage, 403: Error, **LIST},
    tags=["settlement flags"],
)
def settlement_flags(request: HttpRequest, params: Query[PageParams]) -> Any:
    """List the EAC/AQ changes flagged for review and not yet reviewed, oldest first."""
    _reviewer(request)
    return page(queries.settlement_flags(after_id=params.after, limit=params.fetch()), params)


@router.post(
    "/settlement/flags/{change_id}/review",
    response={200: FlagReviewOut, **WRITE},
    tags=["settlement flags"],
)
def review_settlement_flag(request: HttpRequest, change_id: int, payload: FlagReviewIn) -> Any:
    """Acknowledge a flagged EAC/AQ change (send ``{}``, or a note): it leaves the list.
    422 ``reviewed`` when it was already, ``superseded`` when its read was withdrawn."""
    who = _reviewer(request)
    return operations.review_settlement_flag(
        change_id=change_id, note=payload.note, actor=_actor(who), as_at=clock.now()
    )
