"""The D0010 (version 002) "Meter Readings" flow of the Data Transfer Catalogue: parse and write.

A D0010 file is pipe-delimited, one group per line, each line ending in ``|``:

```
ZHV|<file id>|D0010002|<from role>|<from participant>|<to role>|<to participant>|<created>|<from app>|<to app>|<broadcast>|<test flag>|
026|<MPAN core>|<BSC validation status>|
028|<meter id (serial)>|<reading type>|
030|<meter register id>|<reading date-time>|<register reading>|<MD reset date-time>|<MD resets>|<meter reading flag>|<reading method>|
ZPT|<file id>|<record count>|<checksum>|<flow count>|<completed>|
```

Groups nest 026 > 028 > 030 (a meter point has meters, a meter has register readings).
The trailer's record count is the number of lines between header and trailer, and its
flow count the number of 026 groups. Date-times are ``YYYYMMDDHHMMSS`` on the UK clock
(``local`` here: naive, Europe/London); ``to_utc`` and ``to_local`` convert.

Pure: ``parse`` reads the whole text and either returns every reading or raises
``InvalidInput`` naming the line, the field and the rule; ``write`` produces text that
``parse`` reads back to the same readings.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from kilowatt.integrations.domain import dtc

FLOW = "D0010"
FLOW_VERSION = "D0010002"
LONDON = zoneinfo.ZoneInfo("Europe/London")

# Our own defaults when we write a file: a supplier (role X) to a data collector (D).
SUPPLIER_ROLE = "X"
DATA_COLLECTOR_ROLE = "D"
OPERATIONAL = dtc.OPERATIONAL

VALIDATION_STATUSES = frozenset({"V", "U", "F"})  # BSC validation status (026)
READING_FLAGS = frozenset({"T", "F"})  # meter reading flag (030): valid or not
READING_METHODS = frozenset({"N", "P", ""})  # not physically read / physically read

_MPAN_CORE = re.compile(r"^\d{13}$")
_NUMBER = re.compile(r"^-?\d{1,12}(\.\d{1,3})?$")
_COUNT = re.compile(r"^\d+$")


Header = dtc.Header  # the ZHV line, as every DTC flow has it


@dataclasses.dataclass(frozen=True)
class Reading:
    """One register reading (a 030 line) with its meter point (026) and meter (028)."""

    mpan_core: str
    meter_serial: str
    register: str
    read_local: datetime.datetime  # naive, UK clock, as the file has it
    value: Decimal
    validation_status: str = "V"
    reading_type: str = "R"
    md_reset_local: datetime.datetime | None = None
    md_resets: int | None = None
    reading_flag: str = "T"
    reading_method: str = "N"
    line: int = 0  # where it was in the file it was parsed from (0: not from a file)

    def key(self) -> tuple[str, str, str, datetime.datetime, Decimal]:
        """Return what identifies the reading, whatever file it came in."""
        return (self.mpan_core, self.meter_serial, self.register, self.read_local, self.value)


@dataclasses.dataclass(frozen=True)
class D0010File:
    header: Header
    readings: tuple[Reading, ...]


def to_utc(local: datetime.datetime) -> datetime.datetime:
    """Return a UK clock time as an aware UTC time (the first of a repeated autumn hour)."""
    return local.replace(tzinfo=LONDON).astimezone(datetime.UTC)


def to_local(moment: datetime.datetime) -> datetime.datetime:
    """Return an aware time as the naive UK clock time a D0010 file carries."""
    return moment.astimezone(LONDON).replace(tzinfo=None)


def _reading(
    fields: list[str], *, line: int, point: tuple[str, str], meter: tuple[str, str]
) -> Reading:
    register, read_text, value_text, reset_text, resets_text = fields[:5]
    flag = fields[5] if len(fields) > 5 else "T"
    method = fields[6] if len(fields) > 6 else ""
    if not 0 < len(register) <= 2:
        raise dtc.fail(line, "meter_register_id", "length", "a register id is 1 or 2 characters")
    if not _NUMBER.match(value_text):
        raise dtc.fail(
            line,
            "register_reading",
            "number",
            f"must be a number with at most 3 decimal places, not {value_text!r}",
        )
    try:
        value = Decimal(value_text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise dtc.fail(line, "register_reading", "number", f"{value_text!r}") from None
    if resets_text and not _COUNT.match(resets_text):
        raise dtc.fail(line, "md_resets", "number", f"must be a whole number, not {resets_text!r}")
    if flag not in READING_FLAGS:
        raise dtc.fail(line, "meter_reading_flag", "choice", f"must be T or F, not {flag!r}")
    if method not in READING_METHODS:
        raise dtc.fail(line, "reading_method", "choice", f"must be N or P, not {method!r}")
    return Reading(
        mpan_core=point[0],
        validation_status=point[1],
        meter_serial=meter[0],
        reading_type=meter[1],
        register=register,
        read_local=dtc.date_time(read_text, line=line, field="reading_date_time"),
        value=value,
        md_reset_local=(
            dtc.date_time(reset_text, line=line, field="md_reset_date_time") if reset_text else None
        ),
        md_resets=int(resets_text) if resets_text else None,
        reading_flag=flag,
        reading_method=method,
        line=line,
    )


def parse(text: str) -> D0010File:
    """Return the header and every reading of a D0010 file.

    :raises InvalidInput: the file breaks the layout; the problem names the line (from 1),
        the field and the rule: ``header_missing``, ``flow_version``, ``trailer_missing``,
        ``trailer_count``, ``trailer_file_id``, ``group_order``, ``unknown_group``,
        ``too_few_fields``, ``mpan_core``, ``date_time_format``, ``date_time_invalid``,
        ``number``, ``choice``, ``length``, ``required``, ``after_trailer``.
    """
    lines, header = dtc.split(text, FLOW_VERSION)
    point: tuple[str, str] | None = None
    meter: tuple[str, str] | None = None
    readings: list[Reading] = []
    flows = 0
    for number, raw in enumerate(lines[1:], start=2):
        raw = raw.strip()
        group = raw.split("|", 1)[0]
        if group == "ZPT":
            dtc.check_trailer(
                raw, line=number, header=header, records=number - 2, flows=flows, last=len(lines)
            )
            return D0010File(header=header, readings=tuple(readings))
        if group == "026":
            fields = dtc.fields(raw, line=number, group=group, minimum=2)
            if not _MPAN_CORE.match(fields[0]):
                raise dtc.fail(
                    number, "mpan_core", "mpan_core", f"must be 13 digits, not {fields[0]!r}"
                )
            if fields[1] not in VALIDATION_STATUSES:
                raise dtc.fail(
                    number,
                    "bsc_validation_status",
                    "choice",
                    f"must be one of V, U, F, not {fields[1]!r}",
                )
            point, meter, flows = (fields[0], fields[1]), None, flows + 1
        elif group == "028":
            if point is None:
                raise dtc.fail(number, "028", "group_order", "a 028 meter must follow a 026")
            fields = dtc.fields(raw, line=number, group=group, minimum=2)
            if not 0 < len(fields[0]) <= 10:
                raise dtc.fail(number, "meter_id", "length", "a meter id is 1 to 10 characters")
            if len(fields[1]) != 1:
                raise dtc.fail(number, "reading_type", "length", "a reading type is 1 character")
            meter = (fields[0], fields[1])
        elif group == "030":
            if point is None or meter is None:
                raise dtc.fail(number, "030", "group_order", "a 030 reading must follow a 028")
            fields = [*dtc.fields(raw, line=number, group=group, minimum=3), "", ""]
            readings.append(_reading(fields, line=number, point=point, meter=meter))
        else:
            raise dtc.fail(number, "group", "unknown_group", f"{group!r} is not a D0010 group")
    raise dtc.fail(len(lines), "ZPT", "trailer_missing", "the file must end with a ZPT trailer")


def _value(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.001')):f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def write(*, header: Header, readings: list[Reading] | tuple[Reading, ...]) -> str:
    """Return a D0010 file of these readings, grouped by meter point then meter in the
    order given (consecutive readings of one meter share its 026 and 028)."""
    lines = [dtc.header_line(header, FLOW_VERSION)]
    point: tuple[str, str] | None = None
    meter: tuple[str, str] | None = None
    flows = 0
    for reading in readings:
        if (reading.mpan_core, reading.validation_status) != point:
            point, meter = (reading.mpan_core, reading.validation_status), None
            lines.append(f"026|{reading.mpan_core}|{reading.validation_status}|")
            flows += 1
        if (reading.meter_serial, reading.reading_type) != meter:
            meter = (reading.meter_serial, reading.reading_type)
            lines.append(f"028|{reading.meter_serial}|{reading.reading_type}|")
        resets = "" if reading.md_resets is None else str(reading.md_resets)
        lines.append(
            f"030|{reading.register}|{dtc.date_time_text(reading.read_local)}|{_value(reading.value)}|"
            f"{dtc.date_time_text(reading.md_reset_local)}|{resets}|{reading.reading_flag}|"
            f"{reading.reading_method}|"
        )
    lines.append(dtc.trailer_line(header, records=len(lines) - 1, flows=flows))
    return "\n".join(lines) + "\n"
