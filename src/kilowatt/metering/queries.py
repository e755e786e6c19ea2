"""Public reads of meter points. Who may see one is decided by ``accounts.queries``
(a meter point is seen through the account that it supplies)."""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal

import polars as pl
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth

from kilowatt.metering import models
from kilowatt.metering.domain import estimates, half_hourly, supply
from kilowatt.metering.domain import reads as read_rules
from kilowatt.platform import frames
from kilowatt.platform.errors import NotFound


def _with_meters(points: QuerySet[models.MeterPoint]) -> QuerySet[models.MeterPoint]:
    return points.prefetch_related(
        Prefetch(
            "meters",
            queryset=models.Meter.objects.order_by("id").prefetch_related(
                Prefetch("registers", queryset=models.Register.objects.order_by("identifier"))
            ),
        )
    )


def meter_points_by_ids(*, ids: list[int] | QuerySet) -> list[models.MeterPoint]:
    """Return the meter points with these ids, with meters and registers, in id order."""
    return list(_with_meters(models.MeterPoint.objects.filter(id__in=ids)).order_by("id"))


def meter_point_by_identifier(*, identifier: str) -> models.MeterPoint:
    """Return a meter point by MPAN (core or full) or MPRN, with meters and registers.

    :raises NotFound: no such meter point.
    """
    compact = supply.stored_identifier(identifier)
    point = _with_meters(models.MeterPoint.objects.filter(identifier=compact)).first()
    if point is None:
        raise NotFound(f"meter point {identifier}")
    return point


def meter_point_ids_for_identifier(*, identifier: str) -> QuerySet:
    """Return the id of the meter point with this identifier, as a subquery (may be empty)."""
    compact = supply.stored_identifier(identifier)
    return models.MeterPoint.objects.filter(identifier=compact).values("id")


def meter_point_ids_at_sites(*, site_ids: QuerySet | list[int]) -> QuerySet:
    """Return the ids of the meter points at these sites, as a subquery."""
    return models.MeterPoint.objects.filter(site_id__in=site_ids).values("id")


def site_ids_of_meter_points(*, meter_point_ids: QuerySet | list[int]) -> QuerySet:
    """Return the ids of the sites of these meter points, as a subquery."""
    return models.MeterPoint.objects.filter(id__in=meter_point_ids).values("site_id")


def trail_key(meter_point_id: int) -> str:
    """Return the audit trail key of a meter point."""
    return f"meter_point:{meter_point_id}"


def meter_points_page(
    *,
    ids: QuerySet | None,
    fuel: str | None,
    region: str | None,
    site_id: int | None,
    after_id: int,
    limit: int,
) -> list[models.MeterPoint]:
    """Return one page of meter points in id order among ``ids`` (None: all), filtered."""
    points = models.MeterPoint.objects.filter(id__gt=after_id)
    if ids is not None:
        points = points.filter(id__in=ids)
    if fuel:
        points = points.filter(fuel=fuel.upper())
    if region:
        points = points.filter(region=region)
    if site_id is not None:
        points = points.filter(site_id=site_id)
    return list(_with_meters(points.order_by("id")[:limit]))


# --- reads ---------------------------------------------------------------------------


def register_facts(*, register_id: int, on: datetime.datetime) -> read_rules.RegisterFacts:
    """Return what read validation needs of a register, its meter and supply on a moment.

    :raises NotFound: no such register.
    """
    register = (
        models.Register.objects.select_related("meter__meter_point").filter(id=register_id).first()
    )
    if register is None:
        raise NotFound(f"register {register_id}")
    meter, point = register.meter, register.meter.meter_point
    day = on.astimezone(zoneinfo.ZoneInfo(read_rules.LONDON)).date()
    calorific = (
        models.CalorificValue.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    )
    return read_rules.RegisterFacts(
        register_id=register.id,
        fuel=point.fuel,
        units=meter.units,
        digits=meter.digits,
        meter_installed_date=meter.installed_date,
        meter_removed_date=meter.removed_date,
        supply_start_date=point.supply_start_date,
        supply_end_date=point.supply_end_date,
        annual_kwh=annual_kwh_in_force(register_id=register.id, before=on),
        calorific_value=calorific.megajoules_per_cubic_metre if calorific else None,
    )


def annual_kwh_in_force(
    *, register_id: int, before: datetime.datetime | None = None
) -> Decimal | None:
    """Return a register's EAC or AQ in force (before a moment, if given): its latest
    accepted read's figure, or before any read the one it was given (from the industry,
    or carried over from the meter it replaced)."""
    reads = models.Read.objects.filter(register_id=register_id, status="ACCEPTED")
    if before is not None:
        reads = reads.filter(read_at__lt=before)
    latest = reads.order_by("-read_at").values_list("annual_kwh", flat=True).first()
    if latest is not None:  # as the batch path's COALESCE: a read without one falls back
        return latest
    return (
        models.Register.objects.filter(id=register_id)
        .values_list("estimated_annual_kwh", flat=True)
        .first()
    )


def accepted_history(
    *, register_id: int, before: datetime.datetime
) -> list[tuple[datetime.datetime, Decimal]]:
    """Return a register's accepted reads before a moment as (read_at, value), oldest first."""
    return list(
        models.Read.objects.filter(register_id=register_id, status="ACCEPTED", read_at__lt=before)
        .order_by("read_at")
        .values_list("read_at", "value")
    )


@dataclasses.dataclass(frozen=True)
class ReadRow:
    """A read as pages and the API show it."""

    id: int
    meter_point_id: int
    meter_point: str
    fuel: str
    meter_serial: str
    register: str
    band: str
    read_at: datetime.datetime
    value: Decimal
    source: str
    status: str
    advance: Decimal | None
    consumption_kwh: Decimal | None
    rolled_over: bool
    rule: str
    message: str
    received_by: str
    reference: str
    billed_reference: str
    has_photo: bool = False  # a photo of the meter came with it (``read_photo``)


def _read_rows(reads: QuerySet[models.Read]) -> list[ReadRow]:
    rows = reads.select_related("meter_point", "meter", "register").annotate(
        _has_photo=Exists(models.ReadPhoto.objects.filter(read_id=OuterRef("id")))
    )
    return [
        ReadRow(
            id=read.id,
            meter_point_id=read.meter_point_id,
            meter_point=read.meter_point.identifier,
            fuel=read.meter_point.fuel,
            meter_serial=read.meter.serial_number,
            register=read.register.identifier,
            band=read.register.band,
            read_at=read.read_at,
            value=read.value,
            source=read.source,
            status=read.status,
            advance=read.advance,
            consumption_kwh=read.consumption_kwh,
            rolled_over=read.rolled_over,
            rule=read.rule,
            message=read.message,
            received_by=read.received_by,
            reference=read.reference,
            billed_reference=read.billed_reference,
            has_photo=read._has_photo,  # type: ignore[attr-defined]
        )
        for read in rows
    ]


def held_reads(*, after_id: int = 0, limit: int = 50) -> list[ReadRow]:
    """Return the read-exceptions queue: held reads, oldest first (keyset by id)."""
    return _read_rows(
        models.Read.objects.filter(status="HELD", id__gt=after_id).order_by("id")[:limit]
    )


def held_read_count() -> int:
    return models.Read.objects.filter(status="HELD").count()


def read_by_id(*, read_id: int) -> ReadRow:
    """:raises NotFound: no such read."""
    rows = _read_rows(models.Read.objects.filter(id=read_id))
    if not rows:
        raise NotFound(f"read {read_id}")
    return rows[0]


def reads_of_meter_point(*, meter_point_id: int, limit: int = 100) -> list[ReadRow]:
    """Return a meter point's reads of every status, newest first."""
    return _read_rows(
        models.Read.objects.filter(meter_point_id=meter_point_id).order_by("-read_at", "-id")[
            :limit
        ]
    )


# The newest reads of each meter point within a window, by one index probe per meter
# point on PostgreSQL (the (meter_point, read_at) index, read backwards); SQLite numbers
# the window's reads instead.
_LATEST_OF_POINTS_SQL = {
    "postgresql": """
SELECT x.id
FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS w(meter_point_id, since, until)
CROSS JOIN LATERAL (
    SELECT r.id FROM metering_read r
    WHERE r.meter_point_id = w.meter_point_id AND r.read_at >= w.since
      AND (w.until IS NULL OR r.read_at < w.until)
    ORDER BY r.read_at DESC, r.id DESC LIMIT %s) x
""",
    "sqlite": """
SELECT n.id FROM (
    SELECT r.id, ROW_NUMBER() OVER (
        PARTITION BY r.meter_point_id ORDER BY r.read_at DESC, r.id DESC) AS place
    FROM metering_read r JOIN ({windows}) w ON r.meter_point_id = w.meter_point_id
     AND r.read_at >= w.since AND (w.until IS NULL OR r.read_at < w.until)) n
WHERE n.place <= %s
""",
}


def latest_reads_of_meter_points(
    *,
    windows: Mapping[int, tuple[datetime.datetime, datetime.datetime | None]],
    per_meter_point: int = 5,
) -> dict[int, list[ReadRow]]:
    """Return the newest reads (every status, newest first) of each meter point taken in
    its window ``[since, until)`` (``until`` None: open), at most ``per_meter_point``
    each, by meter point id. One query for all of them (none for no meter points)."""
    if not windows:
        return {}
    points = sorted(windows)
    adapt = connection.ops.adapt_datetimefield_value
    if frames.vendor() == "postgresql":
        sql = _LATEST_OF_POINTS_SQL["postgresql"]
        params: list = [
            points,
            [windows[p][0] for p in points],
            [windows[p][1] for p in points],
            per_meter_point,
        ]
    else:
        sql = _LATEST_OF_POINTS_SQL["sqlite"].format(
            windows=" UNION ALL ".join(
                ["SELECT %s AS meter_point_id, %s AS since, %s AS until"] * len(points)
            )
        )
        params = [
            value for p in points for value in (p, adapt(windows[p][0]), adapt(windows[p][1]))
        ]
        params.append(per_meter_point)
    rows = _read_rows(
        models.Read.objects.filter(id__in=RawSQL(sql, params)).order_by(  # type: ignore[arg-type]
            "meter_point_id", "-read_at", "-id"
        )
    )
    latest: dict[int, list[ReadRow]] = {}
    for row in rows:
        latest.setdefault(row.meter_point_id, []).append(row)
    return latest


@dataclasses.dataclass(frozen=True)
class ReadPhotoContent:
    """A photo of the meter given with a read, to serve as it is."""

    read_id: int
    meter_point_id: int
    read_at: datetime.datetime
    content: bytes
    content_type: str
    size_bytes: int
    sha256: str


def read_photo(*, read_id: int, meter_point_id: int | None = None) -> ReadPhotoContent:
    """Return the photo given with a read (of this meter point, when one is named).

    :raises NotFound: the read has no photo, or is not of that meter point.
    """
    photos = models.ReadPhoto.objects.filter(read_id=read_id)
    if meter_point_id is not None:
        photos = photos.filter(read__meter_point_id=meter_point_id)
    row = photos.values_list(
        "read_id",
        "read__meter_point_id",
        "read__read_at",
        "content",
        "content_type",
        "size_bytes",
        "sha256",
    ).first()
    if row is None:
        raise NotFound(f"photo of read {read_id}")
    read_id, point_id, read_at, content, content_type, size_bytes, digest = row
    return ReadPhotoContent(
        read_id=read_id,
        meter_point_id=point_id,
        read_at=read_at,
        content=bytes(content),
        content_type=content_type,
        size_bytes=size_bytes,
        sha256=digest,
    )


# --- settlement flags -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SettlementFlagRow:
    """A flagged EAC/AQ change, as the settlement flags page and the API show it."""

    id: int
    meter_point_id: int
    meter_point: str
    fuel: str
    meter_serial: str
    register: str
    band: str
    read_id: int
    read_at: datetime.datetime
    effective_date: datetime.date
    previous_kwh: Decimal | None
    annualised_kwh: Decimal
    new_kwh: Decimal
    rule: str  # large_change, not_positive
    recorded_at: datetime.datetime


def _flags() -> QuerySet[models.AnnualConsumptionChange]:
    # Flagged, not yet reviewed and still standing; the partial index on flagged changes
    # keeps the rest of the log out of it.
    return models.AnnualConsumptionChange.objects.exclude(flagged="").filter(
        reviewed_at__isnull=True, superseded_at__isnull=True
    )


def settlement_flags(*, after_id: int = 0, limit: int = 50) -> list[SettlementFlagRow]:
    """Return flagged EAC/AQ changes awaiting review, oldest first (keyset by id). One query."""
    changes = (
        _flags()
        .filter(id__gt=after_id)
        .select_related("register__meter__meter_point", "read")
        .order_by("id")[:limit]
    )
    return [
        SettlementFlagRow(
            id=change.id,
            meter_point_id=change.register.meter.meter_point_id,
            meter_point=change.register.meter.meter_point.identifier,
            fuel=change.register.meter.meter_point.fuel,
            meter_serial=change.register.meter.serial_number,
            register=change.register.identifier,
            band=change.register.band,
            read_id=change.read_id,
            read_at=change.read.read_at,
            effective_date=change.effective_date,
            previous_kwh=change.previous_kwh,
            annualised_kwh=change.annualised_kwh,
            new_kwh=change.new_kwh,
            rule=change.flagged,
            recorded_at=change.recorded_at,
        )
        for change in changes
    ]


def settlement_flag_count() -> int:
    """Return how many flagged EAC/AQ changes await review."""
    return _flags().count()


@dataclasses.dataclass(frozen=True)
class ReadForExport:
    """An accepted read as an industry flow carries it."""

    meter_point: str  # MPAN core or MPRN
    meter_serial: str
    register: str  # the register's identifier: "1", "2" ...
    read_at: datetime.datetime
    value: Decimal
    source: str


def accepted_reads_for_export(
    *,
    since: datetime.datetime,
    until: datetime.datetime,
    meter_point_ids: list[int] | QuerySet | None = None,
    fuel: str = "ELECTRICITY",
) -> list[ReadForExport]:
    """Return the accepted actual reads taken in ``[since, until)`` of one fuel (of these
    meter points, or of all), ordered by meter point, meter, register and time. Estimates
    stay ours: the industry gets actual readings only."""
    reads = models.Read.objects.exclude(source=models.Read.Source.ESTIMATE).filter(
        status=models.Read.Status.ACCEPTED,
        read_at__gte=since,
        read_at__lt=until,
        meter_point__fuel=fuel,
    )
    if meter_point_ids is not None:
        reads = reads.filter(meter_point_id__in=meter_point_ids)
    rows = reads.order_by(
        "meter_point__identifier", "meter__serial_number", "register__identifier", "read_at", "id"
    ).values_list(
        "meter_point__identifier",
        "meter__serial_number",
        "register__identifier",
        "read_at",
        "value",
        "source",
    )
    return [ReadForExport(*row) for row in rows]


# --- half-hourly consumption ----------------------------------------------------------


def daily_consumption(
    *, meter_point_id: int, start: datetime.date, end: datetime.date
) -> list[half_hourly.Consumption]:
    """Return a meter point's consumption (kWh) on each day in ``[start, end)`` that has
    half-hourly data, in day order: one range scan of the (meter point, day) index."""
    rows = (
        models.HalfHourlyDay.objects.filter(
            meter_point_id=meter_point_id, day__gte=start, day__lt=end
        )
        .order_by("day")
        .values_list("day", "total_wh")
    )
    return [half_hourly.Consumption(day, half_hourly.kwh(wh), 1) for day, wh in rows]


def monthly_consumption(
    *, meter_point_id: int, start: datetime.date, end: datetime.date
) -> list[half_hourly.Consumption]:
    """Return a meter point's consumption (kWh) in each calendar month, counting the
    days in ``[start, end)`` that have half-hourly data (``days`` says how many), in
    month order; a month with no data is left out."""
    rows = (
        models.HalfHourlyDay.objects.filter(
            meter_point_id=meter_point_id, day__gte=start, day__lt=end
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(total_wh=Sum("total_wh"), days=Count("id"))
        .order_by("month")
        .values_list("month", "total_wh", "days")
    )
    return [half_hourly.Consumption(month, half_hourly.kwh(wh), days) for month, wh, days in rows]


def half_hourly_values(*, meter_point_id: int, day: datetime.date) -> list[int] | None:
    """Return a meter point's half-hourly values (Wh, in period order) on a local day,
    or None when none are stored."""
    packed = (
        models.HalfHourlyDay.objects.filter(meter_point_id=meter_point_id, day=day)
        .values_list("packed_wh", flat=True)
        .first()
    )
    return None if packed is None else half_hourly.unpack(packed)


# --- smart roll-out and field visits ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CurrentMeter:
    """A meter point with the meter on it now, as the smart roll-out and field jobs see it."""

    meter_point_id: int
    identifier: str
    fuel: str
    region: str
    meter_serial: str
    meter_type: str


def _supplied_on(points: QuerySet[models.MeterPoint], today: datetime.date) -> QuerySet:
    return points.filter(supply_start_date__isnull=False, supply_start_date__lte=today).filter(
        Q(supply_end_date__isnull=True) | Q(supply_end_date__gt=today)
    )


def current_meter(*, meter_point_id: int) -> models.Meter | None:
    """Return the meter on a meter point now (not removed), with its registers, or None."""
    return (
        models.Meter.objects.filter(meter_point_id=meter_point_id, removed_date__isnull=True)
        .prefetch_related(
            Prefetch("registers", queryset=models.Register.objects.order_by("identifier"))
        )
        .order_by("-installed_date", "-id")
        .first()
    )


def current_meters(*, meter_point_ids: list[int]) -> dict[int, models.Meter]:
    """Return the meter on each of these meter points now, with registers, by meter point
    id (a meter point with no meter is left out). Two queries."""
    meters = (
        models.Meter.objects.filter(meter_point_id__in=meter_point_ids, removed_date__isnull=True)
        .prefetch_related(
            Prefetch("registers", queryset=models.Register.objects.order_by("identifier"))
        )
        .order_by("meter_point_id", "installed_date", "id")
    )
    return {meter.meter_point_id: meter for meter in meters}  # the latest installed wins


def smart_eligible_meter_points(
    *, region: str, today: datetime.date, after_id: int = 0, limit: int = 500
) -> list[CurrentMeter]:
    """Return one page (keyset by meter point id) of the meter points in a region that we
    supply on ``today`` whose current meter is not smart (credit or prepayment): the
    smart roll-out's list. One query."""
    meters = (
        models.Meter.objects.filter(
            removed_date__isnull=True,
            type__in=[models.Meter.Type.CREDIT, models.Meter.Type.PREPAYMENT],
            meter_point__region=region,
            meter_point_id__gt=after_id,
            meter_point_id__in=_supplied_on(models.MeterPoint.objects.all(), today).values("id"),
        )
        .order_by("meter_point_id", "id")
        .values_list(
            "meter_point_id",
            "meter_point__identifier",
            "meter_point__fuel",
            "meter_point__region",
            "serial_number",
            "type",
        )[:limit]
    )
    return [CurrentMeter(*row) for row in meters]


def must_read_meter_point_ids(*, today: datetime.date) -> QuerySet:
    """Return the ids of the meter points we supply that have had no accepted actual
    (not estimated) read for 12 months, counting from the supply start when they never
    had one: ``domain.estimates.is_must_read`` as one set-based query (a subquery)."""
    cutoff = today - datetime.timedelta(days=estimates.MUST_READ_AFTER_DAYS)
    # A read on a UK day after the cutoff is recent enough.
    recent_from = datetime.datetime.combine(
        cutoff + datetime.timedelta(days=1),
        datetime.time(),
        tzinfo=zoneinfo.ZoneInfo(read_rules.LONDON),
    )
    actual = models.Read.objects.filter(
        meter_point_id=OuterRef("id"), status=models.Read.Status.ACCEPTED
    ).exclude(source=models.Read.Source.ESTIMATE)
    return (
        _supplied_on(models.MeterPoint.objects.all(), today)
        .filter(~Exists(actual.filter(read_at__gte=recent_from)))
        .filter(Exists(actual) | Q(supply_start_date__lte=cutoff))
        .values("id")
    )


def registers_in_supply_frame(*, limit: int | None = None) -> pl.DataFrame:
    """Return every register of a meter in service on a supplied meter point, one row
    each, for batch work: ``meter_point`` (identifier), ``meter_serial``, ``register``,
    ``fuel``, ``units``, ``digits``, ``supply_start_date``, ``annual_kwh``."""
    return frames.read_frame(
        """SELECT p.identifier, m.serial_number, r.identifier, p.fuel, m.units, m.digits,
                  p.supply_start_date, r.estimated_annual_kwh
           FROM metering_register r JOIN metering_meter m ON m.id = r.meter_id
           JOIN metering_meterpoint p ON p.id = m.meter_point_id
           WHERE m.removed_date IS NULL AND p.supply_start_date IS NOT NULL
           ORDER BY r.id"""
        + (f" LIMIT {int(limit)}" if limit else ""),
        [],
        {
            "meter_point": pl.String,
            "meter_serial": pl.String,
            "register": pl.String,
            "fuel": pl.String,
            "units": pl.String,
            "digits": pl.Int64,
            "supply_start_date": pl.Date,
            "annual_kwh": pl.Float64,
        },
    )


def any_reads() -> bool:
    """Return whether any read has been recorded at all."""
    return models.Read.objects.exists()


def reads_around(*, read_id: int, each_side: int = 6) -> list[ReadRow]:
    """Return the reads of the same register just before and after a read (itself
    included), newest first: what a person deciding it compares it with.

    :raises NotFound: no such read.
    """
    read = (
        models.Read.objects.filter(id=read_id)
        .values("meter_point_id", "register_id", "read_at")
        .first()
    )
    if read is None:
        raise NotFound(f"read {read_id}")
    # The meter point leads, so the (meter_point, read_at) index finds them.
    same = models.Read.objects.filter(
        meter_point_id=read["meter_point_id"], register_id=read["register_id"]
    )
    before = same.filter(read_at__lt=read["read_at"]).order_by("-read_at", "-id")[:each_side]
    after = same.filter(read_at__gt=read["read_at"]).order_by("read_at", "id")[:each_side]
    at = same.filter(read_at=read["read_at"]).order_by("-id")
    ids = [*after.values_list("id", flat=True), *at.values_list("id", flat=True),
           *before.values_list("id", flat=True)]  # fmt: skip
    rows = {row.id: row for row in _read_rows(models.Read.objects.filter(id__in=ids))}
    return sorted(rows.values(), key=lambda row: (row.read_at, row.id), reverse=True)


# --- silent smart meters ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SilentMeterPoint:
    """A supplied meter point whose smart meter has gone quiet."""

    meter_point_id: int
    identifier: str
    # The UK day of the latest half-hourly data or accepted smart read; None: never heard.
    last_heard_on: datetime.date | None


def silent_smart_meter_points(*, today: datetime.date, silent_days: int) -> list[SilentMeterPoint]:
    """Return the meter points we supply on ``today`` whose current meter is smart and has
    sent nothing (no half-hourly day, no accepted ``SMART`` read) on or after the day
    ``silent_days`` before ``today``, in meter point id order.

    A meter installed, or a supply started, on or after that day has not had the time to
    be silent yet and is left out. One query: two anti-joins on the (meter point, day)
    and (meter point, read_at) indexes, and the latest of each as a correlated subquery.
    """
    from django.db.models import Subquery  # appended section: the module's imports stay put

    cutoff = today - datetime.timedelta(days=silent_days)
    cutoff_at = datetime.datetime.combine(
        cutoff, datetime.time(), tzinfo=zoneinfo.ZoneInfo(read_rules.LONDON)
    )
    days = models.HalfHourlyDay.objects.filter(meter_point_id=OuterRef("meter_point_id"))
    smart_reads = models.Read.objects.filter(
        meter_point_id=OuterRef("meter_point_id"),
        status=models.Read.Status.ACCEPTED,
        source=models.Read.Source.SMART,
    )
    supplied = _supplied_on(models.MeterPoint.objects.filter(supply_start_date__lt=cutoff), today)
    rows = (
        models.Meter.objects.filter(
            type=models.Meter.Type.SMART,
            removed_date__isnull=True,
            installed_date__lt=cutoff,
            meter_point_id__in=supplied.values("id"),
        )
        .filter(~Exists(days.filter(day__gte=cutoff)))
        .filter(~Exists(smart_reads.filter(read_at__gte=cutoff_at)))
        .annotate(
            last_day=Subquery(days.order_by("-day").values("day")[:1]),
            last_read_at=Subquery(smart_reads.order_by("-read_at").values("read_at")[:1]),
        )
        .order_by("meter_point_id", "id")
        .values_list("meter_point_id", "meter_point__identifier", "last_day", "last_read_at")
    )
    found: dict[int, SilentMeterPoint] = {}
    for point_id, identifier, last_day, last_read_at in rows:
        heard = [
            day
            for day in (
                last_day,
                last_read_at.astimezone(zoneinfo.ZoneInfo(read_rules.LONDON)).date()
                if last_read_at
                else None,
            )
            if day is not None
        ]
        found.setdefault(
            point_id, SilentMeterPoint(point_id, identifier, max(heard) if heard else None)
        )
    return list(found.values())


def meter_point_ids_among(*, ids: list[int]) -> set[int]:
    """Return which of these meter point ids exist."""
    return set(models.MeterPoint.objects.filter(id__in=ids).values_list("id", flat=True))


# --- meter certification ------------------------------------------------------------------


def meter_point_ids_certified_until(*, today: datetime.date, due_by: datetime.date) -> QuerySet:
    """Return the ids of the meter points we supply on ``today`` whose meter in service
    (not removed) has a certification ending on or before ``due_by`` (ended already
    included), as a subquery: ``domain.certification.is_recertification_due`` in one
    query on the partial (certified_until, meter point) index. A removed meter, or one
    whose certification is not known, is never due."""
    meters = models.Meter.objects.filter(removed_date__isnull=True, certified_until__lte=due_by)
    return (
        _supplied_on(models.MeterPoint.objects.all(), today)
        .filter(id__in=meters.values("meter_point_id"))
        .values("id")
    )


def billing_reads_frame(
    *, meter_point_ids: pl.Series, since: datetime.datetime, until: datetime.datetime
) -> pl.DataFrame:
    """Return the accepted and withdrawn reads of the meter points taken in
    ``[since, until)``, for a bill run's chunk: ``read_id``, ``meter_point_id``,
    ``register_id``, ``band``, ``read_at``, ``source``, ``status``, ``consumption``
    (kWh since the register's previous accepted read, decimal text or null),
    ``received_at`` and ``withdrawn_at``. One query, however many meter points (they go through a
    temporary table)."""
    frames.create_temp_table("_billing_meter_points", {"id": "bigint"})
    frames.write_temp("_billing_meter_points", pl.DataFrame({"id": meter_point_ids.unique()}))
    return frames.read_frame(
        """SELECT r.id, r.meter_point_id, r.register_id, g.band, r.read_at, r.source, r.status,
                  r.consumption_kwh, r.received_at, r.withdrawn_at
           FROM _billing_meter_points m
           JOIN metering_read r ON r.meter_point_id = m.id
           JOIN metering_register g ON g.id = r.register_id
           WHERE r.read_at >= %s AND r.read_at < %s AND r.status IN ('ACCEPTED', 'WITHDRAWN')""",
        [since, until],
        {
            "read_id": pl.Int64,
            "meter_point_id": pl.Int64,
            "register_id": pl.Int64,
            "band": pl.String,
            "read_at": pl.Datetime,
            "source": pl.String,
            "status": pl.String,
            "consumption": pl.String,
            "received_at": pl.Datetime,
            "withdrawn_at": pl.Datetime,
        },
    )
