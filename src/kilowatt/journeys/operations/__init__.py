"""Public writes of the journeys: moves out and in, losses, and their daily step."""

from kilowatt.journeys.operations._advance import (
    Advanced,
    advance_journeys,
    close_final_billed,
    note_final_bill,
)
from kilowatt.journeys.operations._losses import cancel_loss, end_lost_supply, record_loss
from kilowatt.journeys.operations._move_in import advance_move_in, deemed_tariff, record_move_in
from kilowatt.journeys.operations._move_out import (
    FinalReading,
    record_final_reading,
    record_move_out,
    remind_final_reading,
)

__all__ = [
    "Advanced",
    "FinalReading",
    "advance_journeys",
    "advance_move_in",
    "cancel_loss",
    "close_final_billed",
    "deemed_tariff",
    "end_lost_supply",
    "note_final_bill",
    "record_final_reading",
    "record_loss",
    "record_move_in",
    "record_move_out",
    "remind_final_reading",
]
