"""Public writes of engineer capacity, appointments and field jobs."""

from kilowatt.field.operations._capacity import plan_capacity
from kilowatt.field.operations._jobs import (
    COMPENSATION_OWED,
    ExchangeIn,
    book_appointment,
    complete_job,
    move_job,
)
from kilowatt.field.operations._must_read import close_answered_must_reads, raise_must_read_jobs
from kilowatt.field.operations._recertification import (
    BATCH_RAISED,
    RaisedJobs,
    raise_recertification_jobs,
)

__all__ = [
    "BATCH_RAISED",
    "COMPENSATION_OWED",
    "ExchangeIn",
    "RaisedJobs",
    "book_appointment",
    "close_answered_must_reads",
    "complete_job",
    "move_job",
    "plan_capacity",
    "raise_must_read_jobs",
    "raise_recertification_jobs",
]
