"""Estimated reads for the days a bill needs and no actual read covers.

``estimate_reads`` finds every register in service at the given meter points, its last
accepted read before the day and the EAC/AQ in force (one query), estimates the day's
value with ``domain.estimates.estimate_frame`` and records the estimates through the one
validation path as source ``ESTIMATE`` (so they show as estimated everywhere, are never
exported to the industry, and recalculate no EAC/AQ). Set-based: a bill run estimates a
million registers in one call.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence

import polars as pl
from django.db import transaction

from kilowatt.metering import models
from kilowatt.metering.domain import energy, estimates
from kilowatt.metering.domain import reads as read_rules
from kilowatt.metering.operations import _reads
from kilowatt.platform import bulk, frames

SKIPPED = "SKIPPED"
ACTUAL_READ_ON_DAY = "actual_read_on_day"
NO_READ_TO_ESTIMATE_FROM = "no_read_to_estimate_from"
NO_ANNUAL_CONSUMPTION = "no_annual_consumption"
NO_CALORIFIC_VALUE = "no_calorific_value"

# Registers of the meters in service on the day, each with its latest accepted read
# before the day's end and the EAC/AQ in force, and the calorific value of the day.
_REGISTERS_SQL = """
SELECT p.id, r.id, p.identifier, m.serial_number, r.identifier, p.fuel, m.units, m.digits,
       COALESCE(lr.annual_kwh, r.estimated_annual_kwh), lr.value, lr.read_at,
       (SELECT cv.megajoules_per_cubic_metre FROM metering_calorificvalue cv
        WHERE cv.valid_from <= e.on_date ORDER BY cv.valid_from DESC LIMIT 1)
FROM _estimate_points e
JOIN metering_meterpoint p ON p.id = e.meter_point_id
JOIN metering_meter m ON m.meter_point_id = p.id AND m.installed_date <= e.on_date
    AND (m.removed_date IS NULL OR m.removed_date > e.on_date)
JOIN metering_register r ON r.meter_id = m.id
{latest}
"""
_LATEST_BEFORE = {
    "postgresql": """
LEFT JOIN LATERAL (
    SELECT x.read_at, x.value, x.annual_kwh FROM metering_read x
    WHERE x.register_id = r.id AND x.status = 'ACCEPTED' AND x.read_at < e.day_end
    ORDER BY x.read_at DESC LIMIT 1) lr ON TRUE
""",
    "sqlite": """
LEFT JOIN metering_read lr ON lr.register_id = r.id AND lr.status = 'ACCEPTED'
 AND lr.read_at = (
    SELECT MAX(x.read_at) FROM metering_read x
    WHERE x.register_id = r.id AND x.status = 'ACCEPTED' AND x.read_at < e.day_end)
""",
}
_REGISTERS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "meter_point_id": pl.Int64,
    "register_id": pl.Int64,
    "meter_point": pl.String,
    "meter_serial": pl.String,
    "register": pl.String,
    "fuel": pl.String,
    "units": pl.String,
    "digits": pl.Int64,
    "annual_kwh": pl.Float64,
    "last_value": pl.String,
    "last_at": pl.Datetime("us", "UTC"),
    "cv": pl.String,
}


def _registers(meter_point_ids: Sequence[int], *, day_start: datetime.datetime) -> pl.DataFrame:
    on = day_start.astimezone(zoneinfo.ZoneInfo(read_rules.LONDON)).date()
    frames.create_temp_table(
        "_estimate_points",
        {
            "meter_point_id": "bigint",
            "on_date": "date",
            "day_end": "timestamp with time zone" if bulk.is_postgresql() else "datetime",
        },
    )
    day_end = datetime.datetime.combine(
        on + datetime.timedelta(days=1), datetime.time(), zoneinfo.ZoneInfo(read_rules.LONDON)
    )
    frames.write_temp(
        "_estimate_points",
        pl.DataFrame(
            {"meter_point_id": sorted(set(meter_point_ids))}, schema={"meter_point_id": pl.Int64}
        ).with_columns(on_date=pl.lit(on), day_end=pl.lit(day_end).dt.convert_time_zone("UTC")),
    )
    # The read locks of these meter points before their latest reads are read, as every
    # writer of reads takes them (``record_read_frame`` takes them again: they are held).
    identifiers = frames.read_frame(
        "SELECT p.identifier FROM _estimate_points e"
        " JOIN metering_meterpoint p ON p.id = e.meter_point_id",
        [],
        {"identifier": pl.String},
    )
    _reads.lock_reads(identifiers["identifier"])
    sql = _REGISTERS_SQL.format(latest=_LATEST_BEFORE[frames.vendor()])
    return frames.read_frame(sql, [], _REGISTERS_SCHEMA)


@transaction.atomic
def estimate_reads(
    *,
    meter_point_ids: Sequence[int],
    on: datetime.date,
    received_by: str,
    as_at: datetime.datetime,
) -> pl.DataFrame:
    """Estimate and record the reading of every register in service at the meter points
    at the start of ``on`` (a UK day), from its last accepted read and EAC/AQ.

    Returns a row per register: ``meter_point_id``, ``register_id``, ``status`` (as
    ``record_read_frame`` answers, or ``SKIPPED``), ``rule`` (for skipped ones:
    ``actual_read_on_day``, ``no_read_to_estimate_from``, ``no_annual_consumption``,
    ``no_calorific_value``) and
    ``read_id``.
    """
    day_start = datetime.datetime.combine(on, datetime.time(), zoneinfo.ZoneInfo(read_rules.LONDON))
    registers = _registers(meter_point_ids, day_start=day_start)
    registers = registers.with_columns(
        last_date=pl.col("last_at").dt.convert_time_zone(read_rules.LONDON).dt.date(),
        last_milli=energy.milli_from_text_expr("last_value"),
        cv_milli=energy.milli_from_text_expr("cv"),
    )
    estimated = estimates.estimate_frame(registers, on=on).with_columns(
        skip=pl.when(pl.col("last_at").is_null())
        .then(pl.lit(NO_READ_TO_ESTIMATE_FROM))
        .when(pl.col("last_date") >= on)
        .then(pl.lit(ACTUAL_READ_ON_DAY))
        .when(pl.col("annual_kwh").is_null())
        .then(pl.lit(NO_ANNUAL_CONSUMPTION))
        .when(pl.col("value_milli").is_null())
        .then(pl.lit(NO_CALORIFIC_VALUE))
    )
    wanted = estimated.filter(pl.col("skip").is_null())
    skipped = estimated.filter(pl.col("skip").is_not_null()).select(
        "meter_point_id",
        "register_id",
        status=pl.lit(SKIPPED),
        rule="skip",
        read_id=pl.lit(None, pl.Int64),
    )
    if wanted.is_empty():
        return skipped
    recorded = _reads.record_read_frame(
        batch=wanted.select(
            "meter_point",
            "meter_serial",
            "register",
            read_at=pl.lit(day_start).dt.convert_time_zone("UTC"),
            value_milli="value_milli",
        ),
        source=models.Read.Source.ESTIMATE,
        received_by=received_by,
        reference=f"estimate for {on.isoformat()}",
        as_at=as_at,
    )
    done = wanted.select("meter_point_id", "register_id").with_row_index("row")
    done = (
        done.with_columns(pl.col("row").cast(pl.Int64))
        .join(recorded, on="row")
        .select("meter_point_id", "register_id", "status", "rule", "read_id")
    )
    return pl.concat([done, skipped])
