"""A gas meter exchange told to the gas transporters' agency (Xoserve, UK Link): an
ONUPD-style file. Write and parse. Pure.

The envelope follows the UK Link record format documents (comma-separated, every text
field in double quotes, numbers and dates bare, dates ``YYYYMMDD``): a ``HEADR`` record
(record identifier, file type, originator id, originator role, recipient id, recipient
role, created date, created time ``HHMMSS``, file identifier of up to 8 characters) and a
``TRAIL`` record. The body is our own, documented layout (the RGMA ONUPD transaction's
own segments are not published where we could read them), one ``EXCHG`` record an
exchange:

```
"HEADR","ONUPD","KWLT","SUPP","XOSERVE","CDSP",20261124,"103000","G0000012"
"EXCHG",<MPRN>,<exchange date>,"<removed serial>",<final read>,"<installed serial>","<meter type>","<units: M metric, I imperial>",<dials>,<first read>,<certification expiry date>
"TRAIL",<record count: records between HEADR and TRAIL>
```
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import re
from decimal import Decimal, InvalidOperation

from kilowatt.platform.errors import InvalidInput

FLOW = "ONUPD"
SUPPLIER_ROLE = "SUPP"
AGENCY_ROLE = "CDSP"  # the Central Data Services Provider: Xoserve
UNITS = {"METRIC": "M", "IMPERIAL": "I"}
_MPRN = re.compile(r"^\d{6,10}$")
_DATE = "%Y%m%d"


@dataclasses.dataclass(frozen=True)
class Header:
    file_id: str  # up to 8 characters
    originator: str
    recipient: str
    created_local: datetime.datetime  # naive, UK clock
    originator_role: str = SUPPLIER_ROLE
    recipient_role: str = AGENCY_ROLE


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One gas meter exchange: the removed meter's final read, the new meter's first."""

    mprn: str
    exchanged_on: datetime.date
    removed_serial: str
    final_read: Decimal
    installed_serial: str
    meter_type: str  # CREDIT, PREPAYMENT or SMART
    units: str  # M or I
    dials: int
    first_read: Decimal
    certification_expires_on: datetime.date | None


@dataclasses.dataclass(frozen=True)
class ExchangeFile:
    header: Header
    exchanges: tuple[Exchange, ...]


class _Bare(str):
    """A cell written without quotes: a number or a date."""


def _number(value: Decimal) -> _Bare:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _Bare(text)


def _day(day: datetime.date | None) -> _Bare:
    return _Bare(day.strftime(_DATE) if day is not None else "")


def _record(*cells: str) -> str:
    """Return one record: text in double quotes (a quote doubled), numbers and dates bare."""
    return ",".join(
        cell if isinstance(cell, _Bare) else '"' + cell.replace('"', '""') + '"' for cell in cells
    )


def write(*, header: Header, exchanges: list[Exchange] | tuple[Exchange, ...]) -> str:
    """Return an ONUPD-style file of these exchanges.

    :raises InvalidInput: the file id is not 1 to 8 characters.
    """
    if not 0 < len(header.file_id) <= 8:
        raise InvalidInput.one(field="file_id", rule="length", message="1 to 8 characters")
    created = header.created_local
    lines = [
        _record(
            "HEADR",
            FLOW,
            header.originator,
            header.originator_role,
            header.recipient,
            header.recipient_role,
            _day(created.date()),
            created.strftime("%H%M%S"),
            header.file_id,
        )
    ]
    for exchange in exchanges:
        lines.append(
            _record(
                "EXCHG",
                _Bare(exchange.mprn),
                _day(exchange.exchanged_on),
                exchange.removed_serial,
                _number(exchange.final_read),
                exchange.installed_serial,
                exchange.meter_type,
                exchange.units,
                _Bare(str(exchange.dials)),
                _number(exchange.first_read),
                _day(exchange.certification_expires_on),
            )
        )
    lines.append(_record("TRAIL", _Bare(str(len(exchanges)))))
    return "\n".join(lines) + "\n"


def _fail(line: int, field: str, rule: str, message: str) -> InvalidInput:
    return InvalidInput.one(field=f"line {line}: {field}", rule=rule, message=message)


def _cells(raw: str, *, line: int) -> list[str]:
    try:
        return next(csv.reader([raw]))
    except (csv.Error, StopIteration):
        raise _fail(line, "record", "csv", "not a comma-separated record") from None


def _date(text: str, *, line: int, field: str, required: bool = True) -> datetime.date | None:
    if not text and not required:
        return None
    try:
        return datetime.datetime.strptime(text, _DATE).date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise _fail(line, field, "date", f"must be a date YYYYMMDD, not {text!r}") from None


def _decimal(text: str, *, line: int, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _fail(line, field, "number", f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise _fail(line, field, "number", f"not a reading: {text!r}")
    return value


def parse(text: str) -> ExchangeFile:
    """Return the header and every exchange of an ONUPD-style file.

    :raises InvalidInput: the file breaks the layout (the problem names the line, field
        and rule: ``header_missing``, ``file_type``, ``unknown_record``, ``too_few_fields``,
        ``mprn``, ``date``, ``number``, ``trailer_missing``, ``trailer_count``,
        ``after_trailer``).
    """
    lines = [line for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise _fail(1, "HEADR", "header_missing", "the file must start with a HEADR record")
    head = _cells(lines[0], line=1)
    if len(head) < 9 or head[0] != "HEADR":
        raise _fail(1, "HEADR", "header_missing", "the file must start with a HEADR record")
    if head[1] != FLOW:
        raise _fail(1, "file_type", "file_type", f"must be {FLOW}, not {head[1]!r}")
    try:
        created = datetime.datetime.strptime(head[6] + head[7], "%Y%m%d%H%M%S")  # noqa: DTZ007
    except ValueError:
        raise _fail(1, "created", "date", "created date and time: YYYYMMDD, HHMMSS") from None
    header = Header(
        file_id=head[8],
        originator=head[2],
        recipient=head[4],
        created_local=created,
        originator_role=head[3],
        recipient_role=head[5],
    )
    exchanges: list[Exchange] = []
    for number, raw in enumerate(lines[1:], start=2):
        cells = _cells(raw, line=number)
        if cells[0] == "TRAIL":
            if number != len(lines):
                raise _fail(number + 1, "record", "after_trailer", "nothing may follow TRAIL")
            if len(cells) < 2 or not cells[1].isdigit() or int(cells[1]) != len(exchanges):
                raise _fail(
                    number, "record_count", "trailer_count", f"the file has {len(exchanges)}"
                )
            return ExchangeFile(header=header, exchanges=tuple(exchanges))
        if cells[0] != "EXCHG":
            raise _fail(number, "record", "unknown_record", f"{cells[0]!r} is not a record here")
        if len(cells) < 11:
            raise _fail(number, "EXCHG", "too_few_fields", "an EXCHG record has 11 fields")
        if not _MPRN.match(cells[1]):
            raise _fail(number, "mprn", "mprn", f"an MPRN is 6 to 10 digits, not {cells[1]!r}")
        if not cells[8].isdigit():
            raise _fail(number, "dials", "number", f"not a number of dials: {cells[8]!r}")
        exchanged_on = _date(cells[2], line=number, field="exchange_date")
        assert exchanged_on is not None
        exchanges.append(
            Exchange(
                mprn=cells[1],
                exchanged_on=exchanged_on,
                removed_serial=cells[3],
                final_read=_decimal(cells[4], line=number, field="final_read"),
                installed_serial=cells[5],
                meter_type=cells[6],
                units=cells[7],
                dials=int(cells[8]),
                first_read=_decimal(cells[9], line=number, field="first_read"),
                certification_expires_on=_date(
                    cells[10], line=number, field="certification_expiry_date", required=False
                ),
            )
        )
    raise _fail(len(lines), "TRAIL", "trailer_missing", "the file must end with a TRAIL record")
