"""Public writes of meter points, meters and registers."""

from kilowatt.metering.operations._bulk import (
    METER_COLUMNS,
    METER_POINT_COLUMNS,
    REGISTER_COLUMNS,
    finish_meter_point_load,
    load_meter_points,
    next_meter_point_ids,
    set_aside_meter_point_indexes,
)
from kilowatt.metering.operations._meter_points import (
    install_meter,
    note_supply_from,
    register_meter_point,
    update_meter_point,
)
from kilowatt.metering.operations._reads import (
    BATCH_SCHEMA,
    UNKNOWN_METER_POINT,
    ReadIn,
    ReadOutcome,
    batch_from_reads,
    record_read_frame,
    record_reads,
)

__all__ = [
    "BATCH_SCHEMA",
    "METER_COLUMNS",
    "METER_POINT_COLUMNS",
    "REGISTER_COLUMNS",
    "UNKNOWN_METER_POINT",
    "ReadIn",
    "ReadOutcome",
    "batch_from_reads",
    "finish_meter_point_load",
    "install_meter",
    "load_meter_points",
    "next_meter_point_ids",
    "note_supply_from",
    "record_read_frame",
    "record_reads",
    "register_meter_point",
    "set_aside_meter_point_indexes",
    "update_meter_point",
]
