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
    register_meter_point,
    update_meter_point,
)

__all__ = [
    "METER_COLUMNS",
    "METER_POINT_COLUMNS",
    "REGISTER_COLUMNS",
    "finish_meter_point_load",
    "install_meter",
    "load_meter_points",
    "next_meter_point_ids",
    "register_meter_point",
    "set_aside_meter_point_indexes",
    "update_meter_point",
]
