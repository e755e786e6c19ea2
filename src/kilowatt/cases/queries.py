"""Public reads of service cases, for the people who work them (``WORK_CASES``).

The gate: a person without the permission is refused (``NotAllowed``), and one with it
sees the cases of the meter points they may see (``accounts.queries``: a meter point is
seen through the accounts it supplies); any other case is ``NotFound``, as if missing.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import QuerySet

from kilowatt.accounts import queries as account_queries
from kilowatt.cases import models
from kilowatt.cases.domain import cases
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.platform.errors import NotAllowed, NotFound
from kilowatt.platform.periods import london_date


@dataclasses.dataclass(frozen=True)
class CaseRow:
    """A case as pages and the API show it."""

    id: int
    kind: str
    kind_label: str
    status: str
    meter_point_id: int
    meter_point: str  # MPAN core or MPRN
    fuel: str
    summary: str
    opened_at: datetime.datetime
    opened_by: str
    days_open: int  # until it closed, for a closed case
    closed_at: datetime.datetime | None
    closed_by: str
    resolution: str


def visible_cases(principal: Principal) -> QuerySet[models.Case]:
    """Return the cases ``principal`` may work: the gate of every read and change.

    :raises NotAllowed: ``principal`` may not work cases.
    """
    if not principal.may(Permission.WORK_CASES):
        raise NotAllowed(f"{principal.username} may not work cases")
    found = models.Case.objects.all()
    allowed = account_queries.visible_meter_point_ids(principal)
    return found if allowed is None else found.filter(meter_point_id__in=allowed)


def _rows(found: QuerySet[models.Case], *, today: datetime.date) -> list[CaseRow]:
    return [
        CaseRow(
            id=case.id,
            kind=case.kind,
            kind_label=cases.KIND_LABELS.get(case.kind, case.kind),
            status=case.status,
            meter_point_id=case.meter_point_id,
            meter_point=case.meter_point.identifier,
            fuel=case.meter_point.fuel,
            summary=case.summary,
            opened_at=case.opened_at,
            opened_by=case.opened_by,
            days_open=cases.days_open(
                opened_on=london_date(case.opened_at),
                today=london_date(case.closed_at) if case.closed_at else today,
            ),
            closed_at=case.closed_at,
            closed_by=case.closed_by,
            resolution=case.resolution,
        )
        for case in found.select_related("meter_point")
    ]


def cases_page(
    principal: Principal,
    *,
    today: datetime.date,
    status: str = cases.OPEN,
    before_id: int = 0,
    limit: int = 50,
) -> list[CaseRow]:
    """Return one page of cases of a status, newest first (keyset: ids below
    ``before_id``; 0 for the first page). One query.

    :raises NotAllowed: ``principal`` may not work cases.
    """
    found = visible_cases(principal).filter(status=status.upper())
    if before_id:
        found = found.filter(id__lt=before_id)
    return _rows(found.order_by("-id")[:limit], today=today)


def case_count(principal: Principal, *, status: str = cases.OPEN) -> int:
    """Return how many cases of a status ``principal`` may work.

    :raises NotAllowed: ``principal`` may not work cases.
    """
    return visible_cases(principal).filter(status=status.upper()).count()


def case_for(principal: Principal, *, case_id: int, today: datetime.date) -> CaseRow:
    """Return one case.

    :raises NotAllowed: ``principal`` may not work cases.
    :raises NotFound: no such case, or not one of the meter points ``principal`` may see.
    """
    rows = _rows(visible_cases(principal).filter(id=case_id), today=today)
    if not rows:
        raise NotFound(f"case {case_id}")
    return rows[0]
