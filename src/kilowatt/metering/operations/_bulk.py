"""Load many meter points, meters and registers at once, set-based (the demo book, a
migration). Rows are plain tuples in the column orders below with ids assigned by the
caller; PostgreSQL gets one ``COPY`` per table.

Every MPAN and MPRN is checked at the door with ``kilowatt.validation`` (an MPAN as its
13-digit core, its region the distributor ID it starts with). Call inside a transaction:
a refused batch raises ``InvalidInput`` naming the field, and nothing of it is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from kilowatt import validation
from kilowatt.metering import models
from kilowatt.platform import bulk
from kilowatt.platform.errors import InvalidInput
from kilowatt.validation.mpan import PROFILE_CLASSES

METER_POINT_COLUMNS = (
    "id",
    "identifier",
    "fuel",
    "site_id",
    "region",
    "profile_class",
    "meter_timeswitch_code",
    "line_loss_factor_class",
    "created_at",
    "supply_start_date",
)
METER_COLUMNS = (
    "id",
    "meter_point_id",
    "serial_number",
    "type",
    "units",
    "digits",
    "installed_date",
    "removed_date",
    "certified_until",
)
REGISTER_COLUMNS = ("id", "meter_id", "identifier", "band", "estimated_annual_kwh")

_IDENTIFIER = METER_POINT_COLUMNS.index("identifier")
_FUEL = METER_POINT_COLUMNS.index("fuel")
_REGION = METER_POINT_COLUMNS.index("region")
_PROFILE_CLASS = METER_POINT_COLUMNS.index("profile_class")


def _refuse(row: tuple, field: str, rule: str, problem: str) -> InvalidInput:
    return InvalidInput.one(
        field=f"meter_point.{field}",
        rule=rule,
        message=f"meter point {row[0]}: {row[METER_POINT_COLUMNS.index(field)]!r}: {problem}",
    )


def _check_meter_points(rows: Sequence[tuple]) -> None:
    mpan_problem, mprn_problem, regions = (
        validation.mpan_problem,
        validation.mprn_problem,
        validation.REGIONS,
    )
    for row in rows:
        identifier, fuel = row[_IDENTIFIER], row[_FUEL]
        if fuel == "ELECTRICITY":
            if problem := mpan_problem(identifier):
                raise _refuse(row, "identifier", "mpan", problem)
            if len(identifier) != 13:
                raise _refuse(row, "identifier", "mpan_core", "store the 13-digit core")
            if row[_REGION] != identifier[:2]:
                raise _refuse(row, "region", "region_matches_mpan", "not the MPAN's distributor ID")
            if row[_PROFILE_CLASS] not in PROFILE_CLASSES:
                raise _refuse(row, "profile_class", "choice", "an MPAN's profile class is 00 to 08")
        elif fuel == "GAS":
            if problem := mprn_problem(identifier):
                raise _refuse(row, "identifier", "mprn", problem)
            if row[_REGION] not in regions:
                raise _refuse(row, "region", "region", "the region's distributor ID (10 to 23)")
        else:
            raise _refuse(row, "fuel", "choice", "must be ELECTRICITY or GAS")


def load_meter_points(
    *, meter_points: Sequence[tuple], meters: Sequence[tuple] = (), registers: Sequence[tuple] = ()
) -> int:
    """Write meter points with their meters and registers; return the rows written.

    :raises InvalidInput: an MPAN or MPRN fails its check, a region does not fit, or a
        fuel or profile class is unknown (the field is named; nothing is written).
    """
    _check_meter_points(meter_points)
    return (
        bulk.write_rows(models.MeterPoint, METER_POINT_COLUMNS, meter_points)
        + bulk.write_rows(models.Meter, METER_COLUMNS, meters)
        + bulk.write_rows(models.Register, REGISTER_COLUMNS, registers)
    )


def next_meter_point_ids() -> dict[str, int]:
    """Return the first free id of each metering table (for a caller assigning ids)."""
    return {
        "meter_point": bulk.next_id(models.MeterPoint),
        "meter": bulk.next_id(models.Meter),
        "register": bulk.next_id(models.Register),
    }


def finish_meter_point_load() -> None:
    """After a load: move the id sequences past the ids it assigned, refresh the planner's statistics."""
    bulk.finish_load(models.MeterPoint, models.Meter, models.Register)


def set_aside_meter_point_indexes() -> contextlib.AbstractContextManager[None]:
    """Set the metering tables' secondary indexes and constraints aside for a big load and
    rebuild them after it, inside the caller's transaction (``bulk.indexes_set_aside``)."""
    return bulk.indexes_set_aside(models.MeterPoint, models.Meter, models.Register)
