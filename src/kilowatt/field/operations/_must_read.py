from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.field import models
from kilowatt.field.domain import jobs as job_rules
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit, events


@transaction.atomic
def raise_must_read_jobs(
    *, today: datetime.date, as_at: datetime.datetime, limit: int = 1000
) -> int:
    """Raise a ``MUST_READ`` job (``RAISED``: waiting for an appointment) for up to
    ``limit`` meter points that have had no actual read for 12 months and no open field
    job of any kind (any visit reads the meter); return how many were raised.

    Idempotent: a meter point has one open must-read job at most (a unique index; a
    concurrent run's rows are skipped, not duplicated). Set-based: one query finds the
    meter points, one insert writes the jobs. Run again until it returns 0.
    """
    open_jobs = models.Job.objects.filter(status__in=sorted(job_rules.OPEN)).values(
        "meter_point_id"
    )
    point_ids = list(
        metering_queries.must_read_meter_point_ids(today=today)
        .exclude(id__in=open_jobs)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not point_ids:
        return 0
    models.Job.objects.bulk_create(
        [
            models.Job(
                kind=job_rules.MUST_READ,
                meter_point_id=point_id,
                status=job_rules.RAISED,
                created_at=as_at,
                created_by=audit.SYSTEM.name,
                updated_at=as_at,
            )
            for point_id in point_ids
        ],
        ignore_conflicts=True,
    )
    raised = list(
        models.Job.objects.filter(
            meter_point_id__in=point_ids, kind=job_rules.MUST_READ, created_at=as_at,
            status=job_rules.RAISED,
        ).values_list("id", "meter_point_id")
    )  # fmt: skip
    for job_id, point_id in raised:
        audit.record(
            trail=metering_queries.trail_key(point_id),
            entity="field_job",
            entity_id=job_id,
            action=job_rules.RAISED,
            changes=audit.created({"kind": job_rules.MUST_READ, "status": job_rules.RAISED}),
            actor=audit.SYSTEM,
            at=as_at,
        )
        events.publish(
            name="field.job.raised.v1",
            payload={"job_id": job_id, "kind": job_rules.MUST_READ, "meter_point_id": point_id},
            at=as_at,
        )
    return len(raised)
