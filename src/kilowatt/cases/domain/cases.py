"""Service cases: their kinds, their two statuses and the rules of closing one.
Pure: no Django, no clock.

A case is ``OPEN`` until a person closes it with a resolution note (``CLOSED``). At most
one case of a kind is open on a meter point, so raising one again is harmless.
"""

from __future__ import annotations

import dataclasses
import datetime

from kilowatt.platform.errors import Problem

SMART_METER_SILENT = "SMART_METER_SILENT"
KINDS = (SMART_METER_SILENT,)
KIND_LABELS = {SMART_METER_SILENT: "Smart meter silent"}

OPEN = "OPEN"
CLOSED = "CLOSED"
STATUSES = (OPEN, CLOSED)

SUMMARY_MAX = 300
NOTE_MAX = 2000


@dataclasses.dataclass(frozen=True)
class SilentMeterPoint:
    """A meter point whose smart meter went quiet, as metering announced it."""

    meter_point_id: int
    last_heard_on: datetime.date | None  # None: never heard from


def silent_summary(*, last_heard_on: datetime.date | None, silent_days: int) -> str:
    """Return the summary of a silent smart meter's case, in words a person acts on."""
    heard = (
        f"nothing heard since {last_heard_on.day} {last_heard_on:%b %Y}"
        if last_heard_on
        else "nothing heard since it was installed"
    )
    return f"The smart meter has sent no data for {silent_days} days or more: {heard}."


def tidy_note(note: str) -> str:
    """Return a note without surrounding blank space (its lines are kept)."""
    return note.strip()


def open_problems(*, kind: str, summary: str) -> list[Problem]:
    """Return every rule opening a case of ``kind`` with ``summary`` breaks."""
    problems = []
    if kind not in KINDS:
        problems.append(Problem("kind", "choice", f"must be one of {', '.join(KINDS)}"))
    if not summary.strip():
        problems.append(Problem("summary", "required", "say what the case is about"))
    elif len(summary) > SUMMARY_MAX:
        problems.append(Problem("summary", "too_long", f"at most {SUMMARY_MAX} characters"))
    return problems


def close_problems(*, status: str, note: str) -> list[Problem]:
    """Return every rule closing a case in ``status`` with ``note`` breaks."""
    if status != OPEN:
        return [Problem("case", "already_closed", "this case is closed already")]
    note = tidy_note(note)
    if not note:
        return [Problem("note", "required", "say how the case was resolved")]
    if len(note) > NOTE_MAX:
        return [Problem("note", "too_long", f"at most {NOTE_MAX} characters")]
    return []


def days_open(*, opened_on: datetime.date, today: datetime.date) -> int:
    """Return how many whole days a case opened on ``opened_on`` has been open."""
    return max((today - opened_on).days, 0)
