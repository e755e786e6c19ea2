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

from kilowatt.platform.errors import InvalidInput

FLOW = "D0010"
FLOW_VERSION = "D0010002"
LONDON = zoneinfo.ZoneInfo("Europe/London")
DATE_TIME_FORMAT = "%Y%m%d%H%M%S"

# Our own defaults when we write a file: a supplier (role X) to a data collector (D).
SUPPLIER_ROLE = "X"
DATA_COLLECTOR_ROLE = "D"
OPERATIONAL = "OPER"

VALIDATION_STATUSES = frozenset({"V", "U", "F"})  # BSC validation status (026)
READING_FLAGS = frozenset({"T", "F"})  # meter reading flag (030): valid or not
READING_METHODS = frozenset({"N", "P", ""})  # not physically read / physically read

_MPAN_CORE = re.compile(r"^\d{13}$")
_NUMBER = re.compile(r"^-?\d{1,12}(\.\d{1,3})?$")
_COUNT = re.compile(r"^\d+$")


@dataclasses.dataclass(frozen=True)
class Header:
    """The ZHV line: who sent the file, to whom, when."""

    file_id: str
    from_role: str
    from_participant: str
    to_role: str
    to_participant: str
    created_local: datetime.datetime
    test_flag: str = OPERATIONAL


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


def _fail(line: int, field: str, rule: str, message: str) -> InvalidInput:
    return InvalidInput.one(field=f"line {line}: {field}", rule=rule, message=message)


def _date_time(text: str, *, line: int, field: str) -> datetime.datetime:
    if not re.fullmatch(r"\d{14}", text):
        raise _fail(line, field, "date_time_format", f"must be YYYYMMDDHHMMSS, not {text!r}")
    try:
        return datetime.datetime.strptime(text, DATE_TIME_FORMAT)  # noqa: DTZ007 (UK clock)
    except ValueError:
        raise _fail(line, field, "date_time_invalid", f"{text!r} is not a real date-time") from None


def _fields(raw: str, *, line: int, group: str, minimum: int) -> list[str]:
    parts = raw.split("|")
    if parts and parts[-1] == "":
        parts = parts[:-1]  # every line ends with a pipe
    if len(parts) - 1 < minimum:
        raise _fail(
            line,
            group,
            "too_few_fields",
            f"group {group} needs {minimum} fields, found {len(parts) - 1}",
        )
    return [part.strip() for part in parts[1:]]


def _header(raw: str) -> Header:
    if not raw.startswith("ZHV|"):
        raise _fail(1, "ZHV", "header_missing", "the file must start with a ZHV header")
    fields = _fields(raw, line=1, group="ZHV", minimum=7)
    file_id, flow, from_role, from_participant, to_role, to_participant, created = fields[:7]
    if not file_id:
        raise _fail(1, "file_id", "required", "the header must carry a file identifier")
    if flow != FLOW_VERSION:
        raise _fail(1, "flow", "flow_version", f"must be {FLOW_VERSION}, not {flow!r}")
    return Header(
        file_id=file_id,
        from_role=from_role,
        from_participant=from_participant,
        to_role=to_role,
        to_participant=to_participant,
        created_local=_date_time(created, line=1, field="created"),
        test_flag=fields[10] if len(fields) > 10 else "",
    )


def _trailer(raw: str, *, line: int, header: Header, records: int, flows: int) -> None:
    fields = _fields(raw, line=line, group="ZPT", minimum=2)
    if fields[0] != header.file_id:
        raise _fail(
            line,
            "file_id",
            "trailer_file_id",
            f"the trailer's file id {fields[0]!r} is not the header's {header.file_id!r}",
        )
    if not _COUNT.match(fields[1]) or int(fields[1]) != records:
        raise _fail(
            line,
            "record_count",
            "trailer_count",
            f"the trailer counts {fields[1]!r} records but the file has {records}",
        )
    if len(fields) > 3 and fields[3] and (not _COUNT.match(fields[3]) or int(fields[3]) != flows):
        raise _fail(
            line,
            "flow_count",
            "trailer_count",
            f"the trailer counts {fields[3]!r} flows (026 groups) but the file has {flows}",
        )


def _reading(
    fields: list[str], *, line: int, point: tuple[str, str], meter: tuple[str, str]
) -> Reading:
    register, read_text, value_text, reset_text, resets_text = fields[:5]
    flag = fields[5] if len(fields) > 5 else "T"
    method = fields[6] if len(fields) > 6 else ""
    if not 0 < len(register) <= 2:
        raise _fail(line, "meter_register_id", "length", "a register id is 1 or 2 characters")
    if not _NUMBER.match(value_text):
        raise _fail(
            line,
            "register_reading",
            "number",
            f"must be a number with at most 3 decimal places, not {value_text!r}",
        )
    try:
        value = Decimal(value_text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise _fail(line, "register_reading", "number", f"{value_text!r}") from None
    if resets_text and not _COUNT.match(resets_text):
        raise _fail(line, "md_resets", "number", f"must be a whole number, not {resets_text!r}")
    if flag not in READING_FLAGS:
        raise _fail(line, "meter_reading_flag", "choice", f"must be T or F, not {flag!r}")
    if method not in READING_METHODS:
        raise _fail(line, "reading_method", "choice", f"must be N or P, not {method!r}")
    return Reading(
        mpan_core=point[0],
        validation_status=point[1],
        meter_serial=meter[0],
        reading_type=meter[1],
        register=register,
        read_local=_date_time(read_text, line=line, field="reading_date_time"),
        value=value,
        md_reset_local=(
            _date_time(reset_text, line=line, field="md_reset_date_time") if reset_text else None
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
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or not lines[0].strip():
        raise _fail(1, "ZHV", "header_missing", "the file is empty: it must start with ZHV")
    header = _header(lines[0].strip())
    point: tuple[str, str] | None = None
    meter: tuple[str, str] | None = None
    readings: list[Reading] = []
    flows = 0
    for number, raw in enumerate(lines[1:], start=2):
        raw = raw.strip()
        group = raw.split("|", 1)[0]
        if group == "ZPT":
            if number != len(lines):
                raise _fail(number + 1, "line", "after_trailer", "nothing may follow ZPT")
            _trailer(raw, line=number, header=header, records=number - 2, flows=flows)
            return D0010File(header=header, readings=tuple(readings))
        if group == "026":
            fields = _fields(raw, line=number, group=group, minimum=2)
            if not _MPAN_CORE.match(fields[0]):
                raise _fail(
                    number, "mpan_core", "mpan_core", f"must be 13 digits, not {fields[0]!r}"
                )
            if fields[1] not in VALIDATION_STATUSES:
                raise _fail(
                    number,
                    "bsc_validation_status",
                    "choice",
                    f"must be one of V, U, F, not {fields[1]!r}",
                )
            point, meter, flows = (fields[0], fields[1]), None, flows + 1
        elif group == "028":
            if point is None:
                raise _fail(number, "028", "group_order", "a 028 meter must follow a 026")
            fields = _fields(raw, line=number, group=group, minimum=2)
            if not 0 < len(fields[0]) <= 10:
                raise _fail(number, "meter_id", "length", "a meter id is 1 to 10 characters")
            if len(fields[1]) != 1:
                raise _fail(number, "reading_type", "length", "a reading type is 1 character")
            meter = (fields[0], fields[1])
        elif group == "030":
            if point is None or meter is None:
                raise _fail(number, "030", "group_order", "a 030 reading must follow a 028")
            fields = [*_fields(raw, line=number, group=group, minimum=3), "", ""]
            readings.append(_reading(fields, line=number, point=point, meter=meter))
        else:
            raise _fail(number, "group", "unknown_group", f"{group!r} is not a D0010 group")
    raise _fail(len(lines), "ZPT", "trailer_missing", "the file must end with a ZPT trailer")


def _text(moment: datetime.datetime | None) -> str:
    return moment.strftime(DATE_TIME_FORMAT) if moment is not None else ""


def _value(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.001')):f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def write(*, header: Header, readings: list[Reading] | tuple[Reading, ...]) -> str:
    """Return a D0010 file of these readings, grouped by meter point then meter in the
    order given (consecutive readings of one meter share its 026 and 028)."""
    lines = [
        "|".join(
            [
                "ZHV",
                header.file_id,
                FLOW_VERSION,
                header.from_role,
                header.from_participant,
                header.to_role,
                header.to_participant,
                _text(header.created_local),
                "",
                "",
                "",
                header.test_flag,
                "",
            ]
        )
    ]
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
            f"030|{reading.register}|{_text(reading.read_local)}|{_value(reading.value)}|"
            f"{_text(reading.md_reset_local)}|{resets}|{reading.reading_flag}|"
            f"{reading.reading_method}|"
        )
    records = len(lines) - 1
    lines.append(
        f"ZPT|{header.file_id}|{records}||{flows}|{_text(header.created_local)}|",
    )
    return "\n".join(lines) + "\n"
