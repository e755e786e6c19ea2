"""Public reads of appointment slots and field jobs.

Booking is for a meter point the person may see (``accounts.queries.meter_point_for``
is the gate: a customer sees their own); the jobs list is for those who work field jobs.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Count, F, QuerySet

from kilowatt.accounts import queries as account_queries
from kilowatt.field import models
from kilowatt.field.domain import jobs as job_rules
from kilowatt.field.domain import notices
from kilowatt.field.domain import slots as slot_rules
from kilowatt.identity.domain.roles import Permission, Principal
from kilowatt.metering import queries as metering_queries
from kilowatt.platform.errors import NotAllowed, NotFound


@dataclasses.dataclass(frozen=True)
class SlotRow:
    capacity_id: int
    date: datetime.date
    slot: str
    window: str
    engineers: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.engineers - self.booked, 0)


@dataclasses.dataclass(frozen=True)
class RegisterRow:
    identifier: str
    band: str


@dataclasses.dataclass(frozen=True)
class JobRow:
    """A field job as pages show it, with the meter on the meter point now."""

    id: int
    kind: str
    status: str
    identifier: str
    fuel: str
    region: str
    date: datetime.date | None
    slot: str
    window: str
    abort_reason: str
    created_by: str
    meter_serial: str
    meter_type: str
    meter_units: str
    meter_digits: int | None
    registers: tuple[RegisterRow, ...]
    compensation_pence: int | None

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return tuple(s for s in job_rules.STATUSES if s in job_rules.allowed_next(self.status))


@dataclasses.dataclass(frozen=True)
class BookingView:
    """A meter point's free slots and its open jobs, for the booking page."""

    identifier: str
    fuel: str
    region: str
    meter_type: str  # "" when there is no meter
    slots: tuple[SlotRow, ...]
    open_jobs: tuple[JobRow, ...]


def _slot_row(capacity: models.Capacity) -> SlotRow:
    return SlotRow(
        capacity_id=capacity.id,
        date=capacity.date,
        slot=capacity.slot,
        window=slot_rules.window_label(capacity.slot),
        engineers=capacity.engineers,
        booked=capacity.booked,
    )


def free_slots(*, region: str, start: datetime.date, end: datetime.date) -> list[SlotRow]:
    """Return a region's slots in ``[start, end)`` that can take another appointment,
    in date and slot order."""

    rows = models.Capacity.objects.filter(
        region=region, date__gte=start, date__lt=end, booked__lt=F("engineers")
    ).order_by("date", "slot")
    return [_slot_row(row) for row in rows]


def _job_rows(found: QuerySet[models.Job]) -> list[JobRow]:
    job_list = list(found.select_related("meter_point", "capacity"))
    meters = metering_queries.current_meters(
        meter_point_ids=sorted({job.meter_point_id for job in job_list})
    )
    owed = dict(
        models.Compensation.objects.filter(job_id__in=[job.id for job in job_list]).values_list(
            "job_id", "amount_pence"
        )
    )
    rows = []
    for job in job_list:
        meter = meters.get(job.meter_point_id)
        capacity = job.capacity
        rows.append(
            JobRow(
                id=job.id,
                kind=job.kind,
                status=job.status,
                identifier=job.meter_point.identifier,
                fuel=job.meter_point.fuel,
                region=job.meter_point.region,
                date=capacity.date if capacity else None,
                slot=capacity.slot if capacity else "",
                window=slot_rules.window_label(capacity.slot) if capacity else "",
                abort_reason=job.abort_reason,
                created_by=job.created_by,
                meter_serial=meter.serial_number if meter else "",
                meter_type=meter.type if meter else "",
                meter_units=meter.units if meter else "",
                meter_digits=meter.digits if meter else None,
                registers=tuple(
                    RegisterRow(identifier=r.identifier, band=r.band)
                    for r in (meter.registers.all() if meter else ())
                ),
                compensation_pence=owed.get(job.id),
            )
        )
    return rows


def booking_view(principal: Principal, *, identifier: str, today: datetime.date) -> BookingView:
    """Return a meter point ``principal`` may book on, its region's free slots in the
    booking window and its open jobs.

    :raises NotAllowed: ``principal`` may not book appointments.
    :raises NotFound: no such meter point, or ``principal`` may not see it.
    """
    if not principal.may(Permission.BOOK_APPOINTMENTS):
        raise NotAllowed(f"{principal.username} may not book appointments")
    point = account_queries.meter_point_for(principal, identifier=identifier)
    start, end = slot_rules.booking_window(today)
    meter = metering_queries.current_meter(meter_point_id=point.id)
    return BookingView(
        identifier=point.identifier,
        fuel=point.fuel,
        region=point.region,
        meter_type=meter.type if meter else "",
        slots=tuple(free_slots(region=point.region, start=start, end=end)),
        open_jobs=tuple(
            _job_rows(
                models.Job.objects.filter(
                    meter_point_id=point.id, status__in=sorted(job_rules.OPEN)
                ).order_by("id")
            )
        ),
    )


def _may_work(principal: Principal) -> None:
    if not principal.may(Permission.WORK_FIELD_JOBS):
        raise NotAllowed(f"{principal.username} may not work field jobs")


def jobs_page(
    principal: Principal, *, status: str = "", after_id: int = 0, limit: int = 50
) -> list[JobRow]:
    """Return one page of field jobs in id order, optionally of one status.

    :raises NotAllowed: ``principal`` may not work field jobs.
    """
    _may_work(principal)
    found = models.Job.objects.filter(id__gt=after_id)
    if status:
        found = found.filter(status=status.upper())
    return _job_rows(found.order_by("id")[:limit])


def job_for(principal: Principal, *, job_id: int) -> JobRow:
    """Return one field job.

    :raises NotAllowed: ``principal`` may not work field jobs.
    :raises NotFound: no such job.
    """
    _may_work(principal)
    rows = _job_rows(models.Job.objects.filter(id=job_id))
    if not rows:
        raise NotFound(f"job {job_id}")
    return rows[0]


def job_counts(principal: Principal) -> dict[str, int]:
    """Return how many jobs are in each status.

    :raises NotAllowed: ``principal`` may not work field jobs.
    """
    _may_work(principal)

    counted = dict(
        models.Job.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {status: counted.get(status, 0) for status in job_rules.STATUSES}


def smart_eligible(
    principal: Principal, *, region: str, today: datetime.date, after_id: int = 0, limit: int = 500
) -> list[metering_queries.CurrentMeter]:
    """Return one page of the meter points in a region whose meter is not smart yet.

    :raises NotAllowed: ``principal`` may not work field jobs.
    """
    _may_work(principal)
    return metering_queries.smart_eligible_meter_points(
        region=region, today=today, after_id=after_id, limit=limit
    )


def compensation_owed(*, job_id: int) -> models.Compensation | None:
    """Return the compensation recorded for a job, if any."""
    return models.Compensation.objects.filter(job_id=job_id).first()


def visit_offers(
    principal: Principal,
    *,
    meter_types: dict[int, str | None],
    latest_actual_reads: dict[int, datetime.datetime] | None = None,
) -> dict[int, job_rules.VisitOffer]:
    """Return the visit to suggest on each meter point (``job_rules.visit_offer``), given
    the type of the meter in service on each (by meter point id; None: no meter) and when
    its latest accepted actual reading was taken, for a customer's own page; nothing for
    one who may not book appointments. The caller has already limited the meter points to
    the customer's own. One query."""
    if not principal.may(Permission.BOOK_APPOINTMENTS) or not meter_types:
        return {}
    open_jobs: dict[int, list[job_rules.OpenJob]] = {}
    found = (
        models.Job.objects.filter(
            meter_point_id__in=list(meter_types), status__in=sorted(job_rules.OPEN)
        )
        .select_related("capacity")
        .order_by(F("capacity__date").asc(nulls_last=True), "capacity__slot", "id")
    )
    for job in found:
        slot = job.capacity
        when = notices.appointment_in_words(slot.date, slot.slot) if slot else ""
        open_jobs.setdefault(job.meter_point_id, []).append(
            job_rules.OpenJob(
                id=job.id, kind=job.kind, status=job.status, when=when, raised_at=job.created_at
            )
        )
    offers = {}
    for point_id, meter_type in meter_types.items():
        offer = job_rules.visit_offer(
            meter_type=meter_type,
            open_jobs=open_jobs.get(point_id, []),
            latest_actual_read_at=(latest_actual_reads or {}).get(point_id),
        )
        if offer is not None:
            offers[point_id] = offer
    return offers


def planned_days(*, start: datetime.date, end: datetime.date) -> set[tuple[str, datetime.date]]:
    """Return the (region, day) pairs in ``[start, end)`` that have any slot planned."""
    return set(
        models.Capacity.objects.filter(date__gte=start, date__lt=end)
        .values_list("region", "date")
        .distinct()
    )
