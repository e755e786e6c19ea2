"""Public writes of engineer capacity, appointments and field jobs."""

from kilowatt.field.operations._capacity import plan_capacity
from kilowatt.field.operations._jobs import (
    COMPENSATION_OWED,
    ExchangeIn,
    book_appointment,
    complete_job,
    move_job,
)
from kilowatt.field.operations._must_read import raise_must_read_jobs

__all__ = [
    "COMPENSATION_OWED",
    "ExchangeIn",
    "book_appointment",
    "complete_job",
    "move_job",
    "plan_capacity",
    "raise_must_read_jobs",
]
