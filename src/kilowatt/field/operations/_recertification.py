"""Recertification jobs: meters whose certification ends soon get a visit raised in time.

Set-based: one query finds the meter points (``metering.queries``), one insert writes the
jobs, one query reads back the jobs this run raised, and the run is audited and announced
once (not once a job): ``field.job_batch.raised.v1`` with the jobs' and meter points' ids.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction

from kilowatt.field import models
from kilowatt.field.domain import jobs as job_rules
from kilowatt.metering import queries as metering_queries
from kilowatt.metering.domain import certification
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput

BATCH_RAISED = "field.job_batch.raised.v1"
# The audit trail of the runs (each run one entry; the jobs' own moves go on their meter
# point's trail as usual).
RUNS_TRAIL = "field:recertification_runs"


@dataclasses.dataclass(frozen=True)
class RaisedJobs:
    """What a run raised: the jobs' ids, in meter point order, and the day it looked up to."""

    job_ids: tuple[int, ...]
    meter_point_ids: tuple[int, ...]
    due_by: datetime.date

    @property
    def count(self) -> int:
        return len(self.job_ids)


@transaction.atomic
def raise_recertification_jobs(
    *,
    today: datetime.date,
    lead_days: int = certification.DEFAULT_LEAD_DAYS,
    as_at: datetime.datetime,
    actor: audit.Actor = audit.SYSTEM,
    limit: int = 5000,
) -> RaisedJobs:
    """Raise a ``RECERTIFICATION`` job (``RAISED``: waiting for an appointment) for up to
    ``limit`` meter points we supply whose meter in service has a certification ending
    within ``lead_days`` of ``today`` (or ended already) and that have no open job which
    would renew it (a recertification, smart installation or meter exchange).

    Idempotent: a meter point has one open recertification job at most (a partial unique
    index; a concurrent run's rows are skipped, not duplicated), so running twice raises
    nothing more. Run again until it raises none. One audit entry (trail
    ``field:recertification_runs``) and one ``field.job_batch.raised.v1`` event a run
    that raised any.

    :raises InvalidInput: ``lead_days`` is negative or ``limit`` is not positive.
    """
    if lead_days < 0:
        raise InvalidInput.one(field="lead_days", rule="not_negative", message="0 or more days")
    if limit < 1:
        raise InvalidInput.one(field="limit", rule="positive", message="at least 1")
    due_by = certification.recertification_due_by(today=today, lead_days=lead_days)
    renewing = models.Job.objects.filter(
        kind__in=sorted(job_rules.RENEWS_CERTIFICATION), status__in=sorted(job_rules.OPEN)
    ).values("meter_point_id")
    point_ids = list(
        metering_queries.meter_point_ids_certified_until(today=today, due_by=due_by)
        .exclude(id__in=renewing)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not point_ids:
        return RaisedJobs(job_ids=(), meter_point_ids=(), due_by=due_by)
    models.Job.objects.bulk_create(
        [
            models.Job(
                kind=job_rules.RECERTIFICATION,
                meter_point_id=point_id,
                status=job_rules.RAISED,
                created_at=as_at,
                created_by=actor.name[:150],
                updated_at=as_at,
            )
            for point_id in point_ids
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    raised = list(
        models.Job.objects.filter(
            meter_point_id__in=point_ids, kind=job_rules.RECERTIFICATION, created_at=as_at,
            status=job_rules.RAISED,
        ).order_by("meter_point_id").values_list("id", "meter_point_id")
    )  # fmt: skip
    result = RaisedJobs(
        job_ids=tuple(job_id for job_id, _ in raised),
        meter_point_ids=tuple(point_id for _, point_id in raised),
        due_by=due_by,
    )
    if not raised:  # a concurrent run raised them all first
        return result
    audit.record(
        trail=RUNS_TRAIL,
        entity="field_job_batch",
        entity_id=f"{job_rules.RECERTIFICATION} {as_at.isoformat()}"[:40],
        action=job_rules.RAISED,
        changes=audit.created(
            {
                "kind": job_rules.RECERTIFICATION,
                "raised": result.count,
                "first_job_id": result.job_ids[0],
                "last_job_id": result.job_ids[-1],
                "due_by": due_by.isoformat(),
                "lead_days": lead_days,
            }
        ),
        actor=actor,
        at=as_at,
    )
    events.publish(
        name=BATCH_RAISED,
        payload={
            "kind": job_rules.RECERTIFICATION,
            "job_ids": list(result.job_ids),
            "meter_point_ids": list(result.meter_point_ids),
            "today": today.isoformat(),
            "due_by": due_by.isoformat(),
        },
        at=as_at,
    )
    return result
