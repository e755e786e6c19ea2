"""Public writes of service cases: opening one (or many at once) and closing one.

Each operation is one transaction, audited on the meter point's trail (so the customer
page shows the case beside the meter point's other history).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from kilowatt.cases import models, queries
from kilowatt.cases.domain import cases
from kilowatt.identity.domain.roles import Principal
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit
from kilowatt.platform.errors import NotFound, raise_if

CHUNK = 500  # meter points a set-based statement takes at once


def _opened(case: models.Case) -> dict:
    return audit.created({"kind": case.kind, "status": case.status, "summary": case.summary})


@transaction.atomic
def open_case(
    *,
    kind: str,
    meter_point_id: int,
    summary: str,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> models.Case:
    """Open a case of ``kind`` on a meter point and return it; when one of that kind is
    open there already, return that one unchanged (idempotent, also under concurrency:
    a unique index holds one open case a kind and meter point).

    :raises InvalidInput: unknown ``kind`` (``choice``), empty or long ``summary``.
    :raises NotFound: no such meter point.
    """
    raise_if(cases.open_problems(kind=kind, summary=summary))
    existing = models.Case.objects.filter(
        kind=kind, meter_point_id=meter_point_id, status=cases.OPEN
    ).first()
    if existing is not None:
        return existing
    if not metering_queries.meter_point_ids_among(ids=[meter_point_id]):
        raise NotFound(f"meter point {meter_point_id}")
    try:
        with transaction.atomic():
            case = models.Case.objects.create(
                kind=kind,
                status=cases.OPEN,
                meter_point_id=meter_point_id,
                summary=summary.strip(),
                opened_at=as_at,
                opened_by=actor.name,
            )
    except IntegrityError:
        # Opened by someone else since we looked: theirs is the one.
        return models.Case.objects.get(kind=kind, meter_point_id=meter_point_id, status=cases.OPEN)
    audit.record(
        trail=metering_queries.trail_key(meter_point_id),
        entity="case",
        entity_id=case.id,
        action="OPENED",
        changes=_opened(case),
        actor=actor,
        at=as_at,
    )
    return case


@transaction.atomic
def open_cases_for_silent_meters(
    *,
    silent: Sequence[cases.SilentMeterPoint],
    silent_days: int,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> int:
    """Open a ``SMART_METER_SILENT`` case on each of these meter points that has none
    open, and return how many were opened. Meter points that no longer exist are skipped.

    Idempotent: a meter point with an open case of this kind keeps it (and a concurrent
    run's rows are skipped by the unique index, not duplicated). Set-based: a chunk of
    500 meter points takes four statements (which exist, which have a case, one insert,
    one audit insert), whatever their number.
    """
    kind = cases.SMART_METER_SILENT
    by_point = {point.meter_point_id: point for point in silent}
    point_ids = sorted(by_point)
    opened = 0
    for start in range(0, len(point_ids), CHUNK):
        chunk = point_ids[start : start + CHUNK]
        known = metering_queries.meter_point_ids_among(ids=chunk)
        already = set(
            models.Case.objects.filter(
                kind=kind, status=cases.OPEN, meter_point_id__in=chunk
            ).values_list("meter_point_id", flat=True)
        )
        fresh = [
            models.Case(
                kind=kind,
                status=cases.OPEN,
                meter_point_id=point_id,
                summary=cases.silent_summary(
                    last_heard_on=by_point[point_id].last_heard_on, silent_days=silent_days
                ),
                opened_at=as_at,
                opened_by=actor.name,
            )
            for point_id in chunk
            if point_id in known and point_id not in already
        ]
        if not fresh:
            continue
        models.Case.objects.bulk_create(fresh, ignore_conflicts=True)
        # ignore_conflicts leaves the ids unset: read back the rows this run wrote.
        written = list(
            models.Case.objects.filter(
                kind=kind,
                status=cases.OPEN,
                opened_at=as_at,
                opened_by=actor.name,
                meter_point_id__in=[case.meter_point_id for case in fresh],
            ).values_list("id", "meter_point_id", "summary")
        )
        audit.record_many(
            entries=[
                audit.Entry(
                    trail=metering_queries.trail_key(point_id),
                    entity="case",
                    entity_id=case_id,
                    action="OPENED",
                    changes=audit.created({"kind": kind, "status": cases.OPEN, "summary": text}),
                )
                for case_id, point_id, text in written
            ],
            actor=actor,
            at=as_at,
        )
        opened += len(written)
    return opened


@transaction.atomic
def close_case(*, by: Principal, case_id: int, note: str, as_at: datetime.datetime) -> models.Case:
    """Close an open case with a note of how it was resolved, and return it.

    :raises NotAllowed: ``by`` may not work cases.
    :raises NotFound: no such case, or not one ``by`` may see.
    :raises InvalidInput: the case is closed already (``case``/``already_closed``); the
        note is empty (``note``/``required``) or longer than 2,000 characters
        (``note``/``too_long``).
    """
    case = queries.visible_cases(by).select_for_update().filter(id=case_id).first()
    if case is None:
        raise NotFound(f"case {case_id}")
    raise_if(cases.close_problems(status=case.status, note=note))
    case.status = cases.CLOSED
    case.resolution = cases.tidy_note(note)
    case.closed_at = as_at
    case.closed_by = by.username
    case.save(update_fields=["status", "resolution", "closed_at", "closed_by"])
    audit.record(
        trail=metering_queries.trail_key(case.meter_point_id),
        entity="case",
        entity_id=case.id,
        action="CLOSED",
        changes={"status": [cases.OPEN, cases.CLOSED], "resolution": [None, case.resolution]},
        actor=audit.Actor(id=by.user_id, name=by.username),
        at=as_at,
    )
    return case
