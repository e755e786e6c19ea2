"""Appointment slots and the rules for booking one. Pure: no Django, no clock.

A region's engineers give capacity per day and slot: ``engineers`` is how many
appointments the slot can take, ``booked`` how many it has.
"""

from __future__ import annotations

import dataclasses
import datetime

from kilowatt.platform.errors import Problem

AM = "AM"
PM = "PM"
# Each slot's window, UK local time, half-open [start, end).
WINDOWS: dict[str, tuple[datetime.time, datetime.time]] = {
    AM: (datetime.time(8), datetime.time(12)),
    PM: (datetime.time(12), datetime.time(18)),
}
SLOTS = tuple(WINDOWS)
BOOKING_HORIZON_DAYS = 14  # the booking page offers the next 14 days
MAX_ENGINEERS = 500  # a sanity bound on one region's slot


@dataclasses.dataclass(frozen=True)
class SlotFacts:
    """What booking needs to know of a slot."""

    region: str
    date: datetime.date
    slot: str
    engineers: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.engineers - self.booked, 0)


def window_label(slot: str) -> str:
    """Return a slot's window as people read it: ``08:00 to 12:00``."""
    start, end = WINDOWS[slot]
    return f"{start:%H:%M} to {end:%H:%M}"


def booking_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the days that may be booked on ``today`` as ``[first, end)``: from tomorrow
    (an engineer's day is planned the evening before) for ``BOOKING_HORIZON_DAYS``."""
    first = today + datetime.timedelta(days=1)
    return first, first + datetime.timedelta(days=BOOKING_HORIZON_DAYS)


def booking_problems(
    slot: SlotFacts, *, meter_point_region: str, today: datetime.date
) -> list[Problem]:
    """Return every rule booking one more appointment into ``slot`` breaks."""
    found: list[Problem] = []
    first, end = booking_window(today)
    if slot.region != meter_point_region:
        found.append(
            Problem("slot", "slot_region", "the slot is in another region than the meter point")
        )
    if slot.date < first:
        found.append(
            Problem("slot", "slot_too_soon", "book from tomorrow: this slot's day has been planned")
        )
    elif slot.date >= end:
        found.append(
            Problem(
                "slot",
                "slot_too_far",
                f"book within the next {BOOKING_HORIZON_DAYS} days",
            )
        )
    if slot.free <= 0:
        found.append(Problem("slot", "slot_full", "this slot is full: choose another"))
    return found


def capacity_problems(*, region: str, slot: str, engineers: int) -> list[Problem]:
    """Return every rule a planned slot's capacity breaks."""
    found: list[Problem] = []
    if not (len(region) == 2 and region.isdigit()):
        found.append(Problem("region", "region", "the region's distributor ID (10 to 23)"))
    if slot not in SLOTS:
        found.append(Problem("slot", "choice", f"must be one of {', '.join(SLOTS)}"))
    if not 0 <= engineers <= MAX_ENGINEERS:
        found.append(
            Problem("engineers", "range", f"between 0 and {MAX_ENGINEERS} appointments a slot")
        )
    return found
