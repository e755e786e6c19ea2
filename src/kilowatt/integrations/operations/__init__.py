"""Public writes of industry flows: import and export D0010 meter-reading files; queue the
flows that tell the industry of a meter exchange and send queued flows."""

from kilowatt.integrations.operations._d0010 import (
    ACCEPTED,
    DUPLICATE,
    FAILED_INDUSTRY_VALIDATION,
    HELD,
    REFUSED,
    STATUSES,
    UNKNOWN,
    ImportReport,
    RecordOutcome,
    export_d0010,
    import_d0010,
    import_d0010_files,
)
from kilowatt.integrations.operations._outbound import (
    MeterExchanged,
    PendingFlow,
    exchange_key,
    queue_meter_exchange_flows,
    send_pending_flows,
)

__all__ = [
    "ACCEPTED",
    "DUPLICATE",
    "FAILED_INDUSTRY_VALIDATION",
    "HELD",
    "REFUSED",
    "STATUSES",
    "UNKNOWN",
    "ImportReport",
    "MeterExchanged",
    "PendingFlow",
    "RecordOutcome",
    "exchange_key",
    "export_d0010",
    "import_d0010",
    "import_d0010_files",
    "queue_meter_exchange_flows",
    "send_pending_flows",
]
