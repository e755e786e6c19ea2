"""Half-open date periods ``[start, end)`` with an open end allowed.

Agreements, tariffs and price caps are all valid over such a period. The database keeps
``valid_from`` / ``valid_to`` columns with a check constraint ``valid_from < valid_to``;
this type is how code reasons about them.
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo


@dataclasses.dataclass(frozen=True)
class DatePeriod:
    start: datetime.date
    end: datetime.date | None = None  # exclusive; None means open-ended

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"period end {self.end} must be after its start {self.start}")

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, other: DatePeriod) -> bool:
        starts_before_other_ends = other.end is None or self.start < other.end
        other_starts_before_self_ends = self.end is None or other.start < self.end
        return starts_before_other_ends and other_starts_before_self_ends


LONDON = zoneinfo.ZoneInfo("Europe/London")


def london_date(moment: datetime.datetime) -> datetime.date:
    """Return the UK business date of an aware moment (00:30 BST on 1 June is 1 June,
    though it is still 31 May in UTC)."""
    return moment.astimezone(LONDON).date()
