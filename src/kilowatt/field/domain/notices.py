"""What the customer is told of a field visit: its kind, day and slot in words, and what
to expect. Pure: no Django, no clock.

The emails (a booking confirmation, an apology for a missed appointment) render these
words as they are, so the wording lives here where a unit test can read it.
"""

from __future__ import annotations

import datetime

from kilowatt.field.domain import jobs, slots

# Each kind as it follows "a" or "your" in a sentence.
VISIT_WORDS: dict[str, str] = {
    jobs.SMART_INSTALL: "smart meter installation",
    jobs.METER_EXCHANGE: "meter exchange",
    jobs.MUST_READ: "meter reading visit",
    jobs.RECERTIFICATION: "meter recertification visit",
}
SLOT_NAMES: dict[str, str] = {slots.AM: "morning", slots.PM: "afternoon"}
ADULT_AGE = 16  # the youngest who may let an engineer in and sign for the work


def visit_in_words(kind: str) -> str:
    """Return a visit's kind as people say it: ``smart meter installation``."""
    return VISIT_WORDS.get(kind, "meter visit")


def day_in_words(day: datetime.date) -> str:
    """Return a day as a letter writes it: ``Tuesday 24 November 2026`` (no leading zero,
    which ``strftime`` cannot drop portably)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def slot_in_words(slot: str) -> str:
    """Return a slot with its window: ``morning, 08:00 to 12:00``."""
    name = SLOT_NAMES.get(slot, slot.lower())
    if slot not in slots.WINDOWS:
        return name
    return f"{name}, {slots.window_label(slot)}"


def appointment_in_words(day: datetime.date, slot: str) -> str:
    """Return an appointment as the customer reads it:
    ``Tuesday 24 November 2026, morning, 08:00 to 12:00``."""
    return f"{day_in_words(day)}, {slot_in_words(slot)}"


def what_to_expect(kind: str) -> tuple[str, ...]:
    """Return what the customer should know before a visit of ``kind``, one sentence a
    line: who must be at home, the access the engineer needs, and what the work does."""
    lines = [
        f"Someone aged {ADULT_AGE} or over needs to be at home for the whole slot: the "
        "engineer may arrive at any time within it.",
        "The engineer needs clear access to the meter: please move anything in front of it "
        "and make sure any meter cupboard can be opened.",
    ]
    if kind in jobs.EXCHANGES_METER:
        lines.append(
            "Your supply is switched off while the meter is changed, usually for under an "
            "hour: save your work and switch off sensitive equipment before then."
        )
    elif kind == jobs.RECERTIFICATION:
        lines.append(
            "The engineer checks the meter is still accurate; if it has to be replaced, your "
            "supply is switched off while it is changed, usually for under an hour."
        )
    else:
        lines.append("The engineer reads and checks the meter: it takes a few minutes.")
    lines.append("Our engineers carry photo identification: ask to see it before you let them in.")
    return tuple(lines)


def greeting_name(*, first_name: str, last_name: str, company_name: str) -> str:
    """Return how an email greets the customer: their name, else the company's, else
    ``customer``."""
    name = " ".join(part for part in (first_name.strip(), last_name.strip()) if part)
    return name or company_name.strip() or "customer"
