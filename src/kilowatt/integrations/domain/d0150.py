"""The D0150 (version 001) "Non Half Hourly Meter Technical Details" flow: write and parse.

Pipe-delimited like the D0010 (one group per line, each line ending in ``|``), between a
ZHV header and a ZPT trailer. Groups nest 288 > (289, 290 > 293, 08A):

```
ZHV|<file id>|D0150001|<from role>|<from participant>|<to role>|<to participant>|<created>|<from app>|<to app>|<broadcast>|<test flag>|
288|<MPAN core>|<effective from settlement date {MSMTD}>|<meter configuration id>|<meter equipment status>|
289|<contractor id>|<contractor effective from date>|<meter serial numbers from contractor id>|<date>|
290|<meter id (serial)>|<meter COP>|<COP dispensation>|<current rating>|<meter location>|<make and type>|<meter asset provider id>|<10 outstation and communications fields>|<meter type>|<date of meter installation>|<certification date>|<certification expiry date>|<timing device id>|<tele-switch/clock indicator>|<retrieval method>|<retrieval method effective from date>|
293|<meter register id>|<meter register type>|<measurement quantity id>|<meter register multiplier>|<main/check indicator>|<number of register digits>|<associated meter id>|<associated meter register id>|
08A|<meter id of the removed meter>|<meter removal date>|<meter asset provider id>|
ZPT|<file id>|<record count>||<flow count (288 groups)>|<created>|
```

Dates are ``YYYYMMDD``; the header's and trailer's creation time ``YYYYMMDDHHMMSS`` on the UK
clock. What this layout follows and what it assumes is in the integrations README.

Pure: ``write`` returns the text; ``parse`` reads it back to the same records or raises
``InvalidInput`` naming the line, the field and the rule.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal, InvalidOperation

from kilowatt.integrations.domain import dtc
from kilowatt.platform.errors import InvalidInput

FLOW = "D0150"
FLOW_VERSION = "D0150001"
METER_OPERATOR_ROLE = "M"
DATA_COLLECTOR_ROLE = "D"

# J0483 meter type, by our meter type: a credit meter is non-half-hourly (N), a
# prepayment meter a key meter (K), a smart meter single-element SMETS2 (S2A).
METER_TYPES = {"CREDIT": "N", "PREPAYMENT": "K", "SMART": "S2A"}
# Retrieval method: read by hand (H), or remotely (R) for a smart meter.
RETRIEVAL_METHODS = {"CREDIT": "H", "PREPAYMENT": "H", "SMART": "R"}
CUMULATIVE = "C"  # meter register type
ACTIVE_IMPORT = "AI"  # measurement quantity id
_OUTSTATION_FIELDS = 10  # communications address .. VT ratio: not for a NHH meter
_290_FIELDS = 25
_MPAN_CORE = re.compile(r"^\d{13}$")
_DATE = "%Y%m%d"


@dataclasses.dataclass(frozen=True)
class Register:
    """A 293 group: one register of an installed meter."""

    register_id: str  # J0010, 1 or 2 characters ("01")
    digits: int
    register_type: str = CUMULATIVE
    measurement_quantity: str = ACTIVE_IMPORT
    multiplier: Decimal = Decimal("1.00")
    line: int = dataclasses.field(default=0, compare=False)  # in a parsed file, from 1


@dataclasses.dataclass(frozen=True)
class InstalledMeter:
    """A 290 group and its 293 registers: a meter on the metering system."""

    meter_id: str  # the serial, 1 to 10 characters
    meter_type: str  # J0483: N, K, S2A ...
    installed_on: datetime.date
    certified_on: datetime.date | None
    certification_expires_on: datetime.date | None
    retrieval_method: str
    registers: tuple[Register, ...]
    meter_asset_provider: str = ""
    line: int = dataclasses.field(default=0, compare=False)  # in a parsed file, from 1


@dataclasses.dataclass(frozen=True)
class RemovedMeter:
    """An 08A group: a meter taken off the metering system."""

    meter_id: str
    removed_on: datetime.date
    meter_asset_provider: str = ""
    line: int = dataclasses.field(default=0, compare=False)  # in a parsed file, from 1


@dataclasses.dataclass(frozen=True)
class MeterTechnicalDetails:
    """A 288 group: a metering system's meters from a settlement day."""

    mpan_core: str
    effective_from: datetime.date
    contractor: str  # 289: the meter operator's participant id
    installed: tuple[InstalledMeter, ...]
    removed: tuple[RemovedMeter, ...] = ()
    line: int = dataclasses.field(default=0, compare=False)  # the 288's, from 1
    last_line: int = dataclasses.field(default=0, compare=False)  # the group's last line


@dataclasses.dataclass(frozen=True)
class D0150File:
    header: dtc.Header
    details: tuple[MeterTechnicalDetails, ...]


def _date(day: datetime.date | None) -> str:
    return day.strftime(_DATE) if day is not None else ""


def _multiplier(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _line(group: str, *fields: str) -> str:
    return "|".join((group, *fields)) + "|"


def _check_id(text: str, what: str) -> None:
    if not 0 < len(text) <= 10 or "|" in text:
        raise InvalidInput.one(
            field=what, rule="meter_id", message=f"a meter id is 1 to 10 characters: {text!r}"
        )


def write(*, header: dtc.Header, details: list[MeterTechnicalDetails] | tuple) -> str:
    """Return a D0150 file of these metering systems' technical details.

    :raises InvalidInput: an MPAN core is not 13 digits, or a meter id is not 1 to 10
        characters (the D0150 cannot carry it).
    """
    lines = [dtc.header_line(header, FLOW_VERSION)]
    for system in details:
        if not _MPAN_CORE.match(system.mpan_core):
            raise InvalidInput.one(
                field="mpan_core", rule="mpan_core", message=f"{system.mpan_core!r}: 13 digits"
            )
        lines.append(_line("288", system.mpan_core, _date(system.effective_from), "", ""))
        lines.append(_line("289", system.contractor, _date(system.effective_from), "", ""))
        for meter in system.installed:
            _check_id(meter.meter_id, "meter_id")
            lines.append(
                _line(
                    "290",
                    meter.meter_id,
                    "",  # meter COP
                    "",  # COP dispensation
                    "",  # current rating
                    "",  # meter location
                    "",  # manufacturer's make and type
                    meter.meter_asset_provider,
                    *[""] * _OUTSTATION_FIELDS,
                    meter.meter_type,
                    _date(meter.installed_on),
                    _date(meter.certified_on),
                    _date(meter.certification_expires_on),
                    "",  # timing device id
                    "",  # tele-switch/clock indicator
                    meter.retrieval_method,
                    _date(meter.installed_on),
                )
            )
            for register in meter.registers:
                lines.append(
                    _line(
                        "293",
                        register.register_id,
                        register.register_type,
                        register.measurement_quantity,
                        _multiplier(register.multiplier),
                        "",  # main/check indicator
                        str(register.digits),
                        "",  # associated meter id
                        "",  # associated meter register id
                    )
                )
        for removed in system.removed:
            _check_id(removed.meter_id, "removed.meter_id")
            lines.append(
                _line(
                    "08A", removed.meter_id, _date(removed.removed_on), removed.meter_asset_provider
                )
            )
    lines.append(dtc.trailer_line(header, records=len(lines) - 1, flows=len(details)))
    return "\n".join(lines) + "\n"


# --- parse --------------------------------------------------------------------------------


def _parse_date(text: str, *, line: int, field: str) -> datetime.date | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{8}", text):
        raise dtc.fail(line, field, "date_format", f"must be YYYYMMDD, not {text!r}")
    try:
        return datetime.datetime.strptime(text, _DATE).date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise dtc.fail(line, field, "date_invalid", f"{text!r} is not a real date") from None


def _required_date(text: str, *, line: int, field: str) -> datetime.date:
    day = _parse_date(text, line=line, field=field)
    if day is None:
        raise dtc.fail(line, field, "required", "a date is needed")
    return day


@dataclasses.dataclass
class _System:
    mpan_core: str
    effective_from: datetime.date
    line: int
    last_line: int = 0
    contractor: str = ""
    installed: list[InstalledMeter] = dataclasses.field(default_factory=list)
    removed: list[RemovedMeter] = dataclasses.field(default_factory=list)

    def frozen(self) -> MeterTechnicalDetails:
        return MeterTechnicalDetails(
            mpan_core=self.mpan_core,
            effective_from=self.effective_from,
            contractor=self.contractor,
            installed=tuple(self.installed),
            removed=tuple(self.removed),
            line=self.line,
            last_line=self.last_line or self.line,
        )


def _meter(fields: list[str], *, line: int) -> InstalledMeter:
    if len(fields) < _290_FIELDS:
        raise dtc.fail(line, "290", "too_few_fields", f"group 290 needs {_290_FIELDS} fields")
    meter_id = fields[0]
    if not 0 < len(meter_id) <= 10:
        raise dtc.fail(line, "meter_id", "length", "a meter id is 1 to 10 characters")
    meter_type, installed, certified, expires = fields[17:21]
    return InstalledMeter(
        meter_id=meter_id,
        meter_type=meter_type,
        installed_on=_required_date(installed, line=line, field="date_of_meter_installation"),
        certified_on=_parse_date(certified, line=line, field="certification_date"),
        certification_expires_on=_parse_date(expires, line=line, field="certification_expiry_date"),
        retrieval_method=fields[23],
        registers=(),
        meter_asset_provider=fields[6],
        line=line,
    )


def _register(fields: list[str], *, line: int) -> Register:
    register_id, register_type, quantity, multiplier, _main_check, digits = fields[:6]
    if not 0 < len(register_id) <= 2:
        raise dtc.fail(line, "meter_register_id", "length", "a register id is 1 or 2 characters")
    if not digits.isdigit():
        raise dtc.fail(line, "number_of_register_digits", "number", f"not {digits!r}")
    try:
        value = Decimal(multiplier) if multiplier else Decimal("1.00")
    except InvalidOperation:
        raise dtc.fail(line, "meter_register_multiplier", "number", f"not {multiplier!r}") from None
    return Register(
        register_id=register_id,
        digits=int(digits),
        register_type=register_type,
        measurement_quantity=quantity,
        multiplier=value,
        line=line,
    )


def parse(text: str) -> D0150File:
    """Return the header and every metering system's technical details of a D0150 file.

    :raises InvalidInput: the file breaks the layout; the problem names the line (from 1),
        the field and the rule: ``header_missing``, ``flow_version``, ``trailer_missing``,
        ``trailer_count``, ``trailer_file_id``, ``group_order``, ``unknown_group``,
        ``too_few_fields``, ``mpan_core``, ``date_format``, ``date_invalid``, ``required``,
        ``length``, ``number``, ``after_trailer``.
    """
    lines, header = dtc.split(text, FLOW_VERSION)
    systems: list[_System] = []
    meter: InstalledMeter | None = None
    for number, raw in enumerate(lines[1:], start=2):
        raw = raw.strip()
        group = raw.split("|", 1)[0]
        if group == "ZPT":
            if meter is not None:
                systems[-1].installed.append(meter)
            dtc.check_trailer(
                raw, line=number, header=header, records=number - 2, flows=len(systems),
                last=len(lines),
            )  # fmt: skip
            return D0150File(header=header, details=tuple(s.frozen() for s in systems))
        if group == "288":
            if meter is not None:
                systems[-1].installed.append(meter)
                meter = None
            fields = dtc.fields(raw, line=number, group=group, minimum=2)
            if not _MPAN_CORE.match(fields[0]):
                raise dtc.fail(number, "mpan_core", "mpan_core", f"13 digits, not {fields[0]!r}")
            systems.append(
                _System(
                    fields[0],
                    _required_date(fields[1], line=number, field="effective_from_settlement_date"),
                    line=number,
                )
            )
            continue
        if not systems:
            raise dtc.fail(number, group, "group_order", f"a {group} group must follow a 288")
        system = systems[-1]
        system.last_line = number
        if group == "289":
            system.contractor = dtc.fields(raw, line=number, group=group, minimum=1)[0]
        elif group == "290":
            if meter is not None:
                system.installed.append(meter)
            meter = _meter(dtc.fields(raw, line=number, group=group, minimum=1), line=number)
        elif group == "293":
            if meter is None:
                raise dtc.fail(number, "293", "group_order", "a 293 register must follow a 290")
            fields = [*dtc.fields(raw, line=number, group=group, minimum=6), "", ""]
            meter = dataclasses.replace(
                meter, registers=(*meter.registers, _register(fields, line=number))
            )
        elif group == "08A":
            if meter is not None:
                system.installed.append(meter)
                meter = None
            fields = [*dtc.fields(raw, line=number, group=group, minimum=2), ""]
            if not 0 < len(fields[0]) <= 10:
                raise dtc.fail(number, "meter_id", "length", "a meter id is 1 to 10 characters")
            system.removed.append(
                RemovedMeter(
                    meter_id=fields[0],
                    removed_on=_required_date(fields[1], line=number, field="meter_removal_date"),
                    meter_asset_provider=fields[2],
                    line=number,
                )
            )
        else:
            raise dtc.fail(number, "group", "unknown_group", f"{group!r} is not a D0150 group")
    raise dtc.fail(len(lines), "ZPT", "trailer_missing", "the file must end with a ZPT trailer")


# --- a received D0150, in our terms -------------------------------------------------------

# J0483 meter type codes, as ours. Smart (SMETS1 and SMETS2 variants: S1, S1A ..., S2A,
# S2ADE ...) are SMART; key, smartcard and token meters (K, S, T) PREPAYMENT; the credit
# meters read by hand or by an AMR outstation (N, NCAMR, RCAMR, RCAMY, NSS) CREDIT. Any
# other (half-hourly H, check and lag/lead meters, special) is not a meter we can bill.
_PREPAYMENT_CODES = frozenset({"K", "S", "T"})
_CREDIT_CODES = frozenset({"N", "NCAMR", "RCAMR", "RCAMY", "NSS"})
ECONOMY_7_PROFILE_CLASSES = ("02", "04")


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a received meter cannot be recorded as it stands: a person must look."""

    field: str
    rule: str
    message: str


@dataclasses.dataclass(frozen=True)
class OurMeter:
    """A 290 group and its 293s as our meter: type, digits and registers with bands."""

    serial_number: str
    type: str  # CREDIT, PREPAYMENT, SMART
    digits: int
    installed_on: datetime.date
    certified_on: datetime.date | None
    certified_until: datetime.date | None
    registers: tuple[tuple[str, str], ...]  # (identifier, band)


def our_meter_type(code: str) -> str | None:
    """Return our meter type for a J0483 meter type code, or None for one we cannot bill."""
    code = code.strip().upper()
    if code.startswith(("S1", "S2")):
        return "SMART"
    if code in _PREPAYMENT_CODES:
        return "PREPAYMENT"
    if code in _CREDIT_CODES:
        return "CREDIT"
    return None


def register_identifier(register_id: str) -> str:
    """Return a D0150 register id (J0010, ``"01"``) as our register identifier (``"1"``):
    leading zeros go, as they do when a D0010 reading is matched to its register."""
    return register_id.strip().upper().lstrip("0") or "0"


def _register_order(identifier: str) -> tuple[bool, int, str]:
    return (not identifier.isdigit(), int(identifier) if identifier.isdigit() else 0, identifier)


def register_bands(
    registers: tuple[Register, ...], *, profile_class: str
) -> tuple[tuple[str, str], ...] | Refusal:
    """Return each register's (identifier, band), or why the bands cannot be told.

    The D0150 says which registers a meter has, not which hours each records (that is the
    D0149's mapping to time pattern regimes, which we do not receive). So: one register is
    ANYTIME; two registers on an Economy 7 meter point (profile class 02 or 04) are DAY and
    NIGHT, the lower register id DAY (our own numbering: 1 DAY, 2 NIGHT); anything else
    (two registers on another profile class, three or more) is refused for a person.
    Only cumulative (``C``) active import (``AI``) registers are taken.
    """
    for register in registers:
        if register.register_type != CUMULATIVE or register.measurement_quantity != ACTIVE_IMPORT:
            return Refusal(
                "measurement_quantity_id",
                "register_not_supported",
                f"register {register.register_id} is {register.register_type} "
                f"{register.measurement_quantity}: only cumulative active import (C AI) "
                "registers are billed",
            )
    ids = sorted((register_identifier(r.register_id) for r in registers), key=_register_order)
    if len(ids) == 1:
        return ((ids[0], "ANYTIME"),)
    if len(ids) == 2 and profile_class in ECONOMY_7_PROFILE_CLASSES:
        return ((ids[0], "DAY"), (ids[1], "NIGHT"))
    return Refusal(
        "meter_register_id",
        "register_bands_unknown",
        f"{len(ids)} registers on a profile class {profile_class or '(none)'} meter point: "
        "which hours each records cannot be told from the D0150",
    )


def our_meter(meter: InstalledMeter, *, profile_class: str) -> OurMeter | Refusal:
    """Return an installed meter of a D0150 in our terms, or why it cannot be.

    The meter's digits are its registers' largest number of digits (a meter's registers
    have the same dials; metering keeps digits per meter).
    """
    meter_type = our_meter_type(meter.meter_type)
    if meter_type is None:
        return Refusal(
            "meter_type", "meter_type", f"{meter.meter_type!r} is not a meter type we bill"
        )
    if not meter.registers:
        return Refusal("293", "registers_required", "the meter has no 293 register")
    bands = register_bands(meter.registers, profile_class=profile_class)
    if isinstance(bands, Refusal):
        return bands
    return OurMeter(
        serial_number=meter.meter_id.strip().upper(),
        type=meter_type,
        digits=max(register.digits for register in meter.registers),
        installed_on=meter.installed_on,
        certified_on=meter.certified_on,
        certified_until=meter.certification_expires_on,
        registers=bands,
    )
