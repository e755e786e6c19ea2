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
from kilowatt.metering.operations._certification import RECERTIFIED, recertify_meter
from kilowatt.metering.operations._estimates import SKIPPED, estimate_reads
from kilowatt.metering.operations._half_hourly import (
    HALF_HOURLY_SCHEMA,
    record_half_hourly_days,
)
from kilowatt.metering.operations._meter_exchange import (
    EXCHANGED,
    Exchange,
    RegisterRead,
    exchange_meter,
)
from kilowatt.metering.operations._meter_points import (
    install_meter,
    note_supply_from,
    register_meter_point,
    remove_meter,
    update_meter_point,
)
from kilowatt.metering.operations._read_photos import attach_read_photo, check_read_photo
from kilowatt.metering.operations._read_reviews import (
    ACCEPT,
    REFUSE,
    mark_reads_billed,
    replace_read,
    resolve_held_read,
    withdraw_read,
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
from kilowatt.metering.operations._settlement_flags import review_settlement_flag
from kilowatt.metering.operations._smart_silence import (
    detect_silent_smart_meters as detect_silent_smart_meters,
)

__all__ = [
    "ACCEPT",
    "BATCH_SCHEMA",
    "EXCHANGED",
    "HALF_HOURLY_SCHEMA",
    "METER_COLUMNS",
    "METER_POINT_COLUMNS",
    "RECERTIFIED",
    "REFUSE",
    "REGISTER_COLUMNS",
    "SKIPPED",
    "UNKNOWN_METER_POINT",
    "Exchange",
    "ReadIn",
    "ReadOutcome",
    "RegisterRead",
    "attach_read_photo",
    "batch_from_reads",
    "check_read_photo",
    "estimate_reads",
    "exchange_meter",
    "finish_meter_point_load",
    "install_meter",
    "load_meter_points",
    "mark_reads_billed",
    "next_meter_point_ids",
    "note_supply_from",
    "recertify_meter",
    "record_half_hourly_days",
    "record_read_frame",
    "record_reads",
    "register_meter_point",
    "remove_meter",
    "replace_read",
    "resolve_held_read",
    "review_settlement_flag",
    "set_aside_meter_point_indexes",
    "update_meter_point",
    "withdraw_read",
]
