"""The meter-reading form a customer fills in for one meter point: how a posted form
becomes readings, and where each problem goes back on the form.

Parsing only (a number, a date and time, a file): whether a reading is acceptable is
decided by ``accounts.operations.submit_read`` and metering's rules, whose
``InvalidInput`` problems come back beside the field they name.

The form's fields: ``meter_point`` (hidden), ``read_at`` (one date and time for the
meter point, UK time), and for each register ``value-<register>`` and
``photo-<register>`` (an E7 meter shows its day and night readings one after the other,
so each has its own photo).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from kilowatt.metering.domain import photos
from kilowatt.platform.errors import Problem
from kilowatt.platform.periods import LONDON

READ_AT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows
_VALUE_FIELD = re.compile(r"\Avalue-([0-9A-Za-z]{1,3})\Z")
# Bytes of an uploaded photo read at most: enough for submit_read to say how large a
# photo too large is, without holding a huge upload in memory.
_PHOTO_READ_LIMIT = photos.MAX_BYTES * 4
# A register's value as the API takes it: at most ten whole digits and three decimals.
_VALUE_LIMIT = Decimal(10) ** 10


@dataclasses.dataclass(frozen=True)
class Reading:
    """One register's reading as the customer gave it."""

    register: str
    value: Decimal
    photo: bytes | None
    photo_content_type: str


@dataclasses.dataclass(frozen=True)
class PostedForm:
    """A posted reading form: the readings that could be read, and what could not."""

    meter_point: str
    read_at: datetime.datetime | None
    readings: tuple[Reading, ...]
    problems: tuple[Problem, ...]  # fields named as the form names them
    values: dict[str, str]  # register -> the value as typed, to fill the form in again
    read_at_text: str


def value_field(register: str) -> str:
    return f"value-{register}"


def photo_field(register: str) -> str:
    return f"photo-{register}"


def local_input(moment: datetime.datetime) -> str:
    """Return a moment as a ``datetime-local`` input shows it: UK time, to the minute."""
    return moment.astimezone(LONDON).strftime(READ_AT_FORMAT)


def _read_at(text: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def _value(text: str) -> Decimal | None:
    compact = re.sub(r"[\s,]", "", text)
    try:
        value = Decimal(compact)
    except InvalidOperation:
        return None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or value < 0 or value >= _VALUE_LIMIT:
        return None
    if isinstance(exponent, int) and exponent < -3:
        return None
    return value


def parse(posted: Any, files: Any) -> PostedForm:
    """Read a posted form (``request.POST`` and ``request.FILES``). A register left blank
    is not read; at least one must be given."""
    problems: list[Problem] = []
    read_at_text = posted.get("read_at", "")
    read_at = _read_at(read_at_text)
    if read_at is None:
        problems.append(
            Problem(
                field="read_at",
                rule="date_format" if read_at_text.strip() else "required",
                message="give the date and time you read the meter",
            )
        )
    values = {
        match[1]: posted.get(key, "")
        for key in sorted(posted)
        if (match := _VALUE_FIELD.match(key)) is not None
    }
    readings = []
    for register, text in values.items():
        upload = files.get(photo_field(register))
        if not text.strip():
            if upload is not None:
                problems.append(
                    Problem(
                        field=value_field(register),
                        rule="required",
                        message="give the reading this photo shows",
                    )
                )
            continue
        value = _value(text)
        if value is None:
            problems.append(
                Problem(
                    field=value_field(register),
                    rule="number_format",
                    message="give the numbers on the meter, for example 12345 (no letters)",
                )
            )
            continue
        readings.append(
            Reading(
                register=register,
                value=value,
                photo=upload.read(_PHOTO_READ_LIMIT) if upload is not None else None,
                photo_content_type=(upload.content_type or "") if upload is not None else "",
            )
        )
    if not readings and not problems:
        first = next(iter(values), "")
        problems.append(
            Problem(
                field=value_field(first) if first else "",
                rule="required",
                message="give the reading on the meter",
            )
        )
    return PostedForm(
        meter_point="".join(posted.get("meter_point", "").split()),
        read_at=read_at,
        readings=tuple(readings),
        problems=tuple(problems),
        values=values,
        read_at_text=read_at_text,
    )


def problem_field(problem: Problem, readings: Sequence[Any]) -> tuple[str, str]:
    """Return (form field, message) for a ``submit_meter_reading`` problem, whose field is
    ``readings.<n>.<field>`` (or a field of the whole reading)."""
    parts = problem.field.split(".", 2)
    if parts[0] == "readings" and len(parts) == 3 and parts[1].isdigit():
        register = readings[int(parts[1])].register
        inner = Problem(field=parts[2], rule=problem.rule, message=problem.message)
        return form_field(inner, register=register), problem.message
    return form_field(problem, register=""), problem.message


def form_field(problem: Problem, *, register: str) -> str:
    """Return the form field a ``submit_read`` problem about ``register`` belongs beside
    ("" for the form as a whole)."""
    field = problem.field.split(".")[0]
    if field == "value":
        return value_field(register)
    if field in ("photo", "photo_content_type"):
        return photo_field(register)
    if field == "read_at":
        return "read_at"
    return ""
