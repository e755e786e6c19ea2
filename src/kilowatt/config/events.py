"""Event wiring: which higher context's handlers react to which lower context's events.

``platform.events.dispatch`` reads this mapping (named by the ``KILOWATT_EVENT_HANDLERS``
setting) and hands each undelivered outbox event to the handlers listed for its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kilowatt.cases.interfaces import handlers as case_handlers
from kilowatt.integrations.interfaces import handlers as integration_handlers
from kilowatt.platform.events import Handler

HANDLERS: Mapping[str, Sequence[Handler]] = {
    "metering.smart_meter.silent.v1": (case_handlers.smart_meters_silent,),
    # The industry is told of a meter exchange: D0150 + D0010, or the gas agency's record.
    "metering.meter.exchanged.v1": (integration_handlers.meter_exchanged,),
}
