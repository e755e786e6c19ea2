"""Service cases over HTTP: the open (or closed) cases, newest first, and closing one.

For the people who work cases (permission ``WORK_CASES``); anyone else is refused with
403 and nothing changes. A case on a meter point one may not see is 404, as if missing.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kilowatt.cases import operations, queries
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.platform import clock
from kilowatt.platform.api import LIST, READ, WRITE, Error, PageParams, page

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    kind: str = Field(description="SMART_METER_SILENT")
    status: str = Field(description="OPEN or CLOSED")
    meter_point_id: int
    meter_point: str = Field(description="The MPAN core or MPRN.")
    fuel: str
    summary: str
    opened_at: datetime.datetime
    opened_by: str
    days_open: int = Field(description="Whole UK days open (until closed, for a closed case).")
    closed_at: datetime.datetime | None
    closed_by: str
    resolution: str


class CasePage(Schema):
    items: list[CaseOut]
    next_after: int | None = Field(description="Pass as `after` for the next (older) page.")


class CaseParams(PageParams):
    status: Literal["OPEN", "CLOSED"] = "OPEN"


class ClosureIn(Schema):
    note: str = Field("", description="Required: how the case was resolved.")


def _who(request: HttpRequest) -> Principal:
    return identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]


@router.get("/cases", response={200: CasePage, 403: Error, **LIST})
def list_cases(request: HttpRequest, params: Query[CaseParams]) -> Any:
    """List the cases of a status (open by default), newest first."""
    rows = queries.cases_page(
        _who(request),
        today=clock.today(),
        status=params.status,
        before_id=params.after,
        limit=params.fetch(),
    )
    return page(rows, params)


@router.get("/cases/{case_id}", response={200: CaseOut, 403: Error, **READ})
def get_case(request: HttpRequest, case_id: int) -> Any:
    """Return one case."""
    return queries.case_for(_who(request), case_id=case_id, today=clock.today())


@router.post("/cases/{case_id}/closure", response={200: CaseOut, **WRITE})
def close(request: HttpRequest, case_id: int, payload: ClosureIn) -> Any:
    """Close an open case with a note of how it was resolved (``note`` is required)."""
    who = _who(request)
    operations.close_case(by=who, case_id=case_id, note=payload.note, as_at=clock.now())
    return queries.case_for(who, case_id=case_id, today=clock.today())
