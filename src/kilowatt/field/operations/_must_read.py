from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.field import models
from kilowatt.field.domain import jobs as job_rules
from kilowatt.field.operations._jobs import _announce
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

    First it closes the raised must-reads no longer needed (``close_answered_must_reads``).
    """
    close_answered_must_reads(today=today, as_at=as_at)
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


ANSWERED = "No longer needed: an actual reading arrived, or we no longer supply the meter point."


@transaction.atomic
def close_answered_must_reads(*, today: datetime.date, as_at: datetime.datetime) -> int:
    """Abort the must-read jobs still waiting for a slot whose meter point is no longer a
    must-read (a customer or a smart meter sent an actual reading, or the supply ended),
    so nobody books a visit for a reading we have; return how many. A booked visit is
    left to the field team (the customer may still want it)."""
    answered = list(
        models.Job.objects.select_for_update()
        .filter(kind=job_rules.MUST_READ, status=job_rules.RAISED)
        .exclude(meter_point_id__in=metering_queries.must_read_meter_point_ids(today=today))
        .order_by("id")
    )
    if not answered:
        return 0
    identifiers = {
        point.id: point.identifier
        for point in metering_queries.meter_points_by_ids(
            ids=sorted({job.meter_point_id for job in answered})
        )
    }
    for job in answered:
        job.status, job.abort_reason, job.updated_at = job_rules.ABORTED, ANSWERED, as_at
        job.save(update_fields=["status", "abort_reason", "updated_at"])
        _announce(
            job,
            identifiers.get(job.meter_point_id, ""),
            audit.SYSTEM,
            as_at,
            {"status": [job_rules.RAISED, job_rules.ABORTED], "reason": [None, ANSWERED]},
        )
    return len(answered)
