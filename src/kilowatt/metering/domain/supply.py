"""The rules a meter point and its meters must meet. Pure: no Django."""

from __future__ import annotations

import dataclasses
import datetime
import re

import polars as pl

from kilowatt import validation
from kilowatt.platform.errors import Problem
from kilowatt.validation import mpan as mpan_rules

FUELS = ("ELECTRICITY", "GAS")
METER_TYPES = ("CREDIT", "PREPAYMENT", "SMART")
BANDS = ("ANYTIME", "DAY", "NIGHT", "PEAK", "OFF_PEAK")
ECONOMY_7_PROFILE_CLASSES = ("02", "04")


@dataclasses.dataclass(frozen=True)
class RegisterDetails:
    identifier: str
    band: str


@dataclasses.dataclass(frozen=True)
class MeterDetails:
    serial_number: str
    type: str
    digits: int
    installed_date: datetime.date
    units: str = ""  # KWH for electricity; METRIC or IMPERIAL for gas
    registers: tuple[RegisterDetails, ...] = ()


@dataclasses.dataclass(frozen=True)
class MeterPointDetails:
    """A meter point as entered: a full or core MPAN, or an MPRN."""

    fuel: str
    identifier: str
    region: str = ""  # needed for gas and for independent (IDNO) electricity networks
    profile_class: str = ""
    meter_timeswitch_code: str = ""
    line_loss_factor_class: str = ""
    # An MPRN whose check digits fail is a warning an agent may accept (DOMAIN.md).
    accept_mprn_check_warning: bool = False


def stored_identifier(text: str) -> str:
    """Return a meter point identifier as it is stored: spaces and dashes gone, upper
    case, a full 21-character MPAN cut to its 13-digit core."""
    compact = re.sub(r"[\s-]", "", text).upper()
    return compact[8:] if len(compact) == 21 else compact


def stored_identifier_expr(column: str) -> pl.Expr:
    """``stored_identifier`` for a column of identifiers."""
    text = pl.col(column).fill_null("").str.replace_all(r"[\s-]", "").str.to_uppercase()
    return pl.when(text.str.len_chars() == 21).then(text.str.slice(8)).otherwise(text)


def normalise(point: MeterPointDetails) -> MeterPointDetails:
    """Split a full MPAN into its parts and keep the 13-digit core as the identifier."""
    fuel = point.fuel.strip().upper()
    identifier = re.sub(r"[\s-]", "", point.identifier).upper()
    values = dataclasses.replace(
        point,
        fuel=fuel,
        identifier=identifier,
        region=point.region.strip(),
        profile_class=point.profile_class.strip(),
        meter_timeswitch_code=point.meter_timeswitch_code.strip(),
        line_loss_factor_class=point.line_loss_factor_class.strip().upper(),
    )
    if fuel == "ELECTRICITY" and len(identifier) == 21:
        values = dataclasses.replace(
            values,
            identifier=identifier[8:],
            profile_class=identifier[:2],
            meter_timeswitch_code=identifier[2:5],
            line_loss_factor_class=identifier[5:8],
        )
    if fuel == "ELECTRICITY" and not values.region and len(values.identifier) == 13:
        values = dataclasses.replace(
            values, region=validation.region_for_mpan(values.identifier) or ""
        )
    return values


def meter_point_problems(point: MeterPointDetails) -> list[Problem]:
    """Return every rule the (normalised) meter point breaks, each naming its field."""
    found: list[Problem] = []
    if point.fuel not in FUELS:
        return [Problem("fuel", "choice", "must be ELECTRICITY or GAS")]
    if point.fuel == "ELECTRICITY":
        if problem := validation.mpan_problem(point.identifier):
            found.append(Problem("identifier", "mpan", problem))
        if point.profile_class not in mpan_rules.PROFILE_CLASSES:
            found.append(Problem("profile_class", "choice", "an MPAN's profile class is 00 to 08"))
        if point.meter_timeswitch_code and not re.fullmatch(r"\d{3}", point.meter_timeswitch_code):
            found.append(Problem("meter_timeswitch_code", "format", "three digits"))
        if point.meter_timeswitch_code == "000":
            found.append(Problem("meter_timeswitch_code", "mtc_not_000", "000 is not a valid code"))
        if point.line_loss_factor_class and not re.fullmatch(
            r"[0-9A-Z]{3}", point.line_loss_factor_class
        ):
            found.append(Problem("line_loss_factor_class", "format", "three letters or digits"))
    else:
        problem = validation.mprn_problem(point.identifier)
        check_failed = problem is not None and "check digits" in problem
        if problem and not (check_failed and point.accept_mprn_check_warning):
            found.append(
                Problem(
                    "identifier",
                    "mprn_check_digits" if check_failed else "mprn",
                    problem
                    + (
                        " (an agent may accept this warning if the MPRN is confirmed)"
                        if check_failed
                        else ""
                    ),
                )
            )
        for field in ("profile_class", "meter_timeswitch_code", "line_loss_factor_class"):
            if getattr(point, field):
                found.append(
                    Problem(field, "electricity_only", "only electricity meter points have this")
                )
    if point.region not in validation.REGIONS:
        found.append(
            Problem("region", "region", "the region's distributor ID is needed (10 to 23)")
        )
    return found


def meter_problems(
    meter: MeterDetails, *, fuel: str, profile_class: str, today: datetime.date, prefix: str = ""
) -> list[Problem]:
    """Return every rule a meter breaks for a meter point of ``fuel`` and profile class."""
    found: list[Problem] = []

    def broke(field: str, rule: str, message: str) -> None:
        found.append(Problem(f"{prefix}{field}", rule, message))

    if not re.fullmatch(r"[0-9A-Z]{1,20}", meter.serial_number.strip().upper()):
        broke("serial_number", "format", "1 to 20 letters or digits")
    if meter.type not in METER_TYPES:
        broke("type", "choice", f"must be one of {', '.join(METER_TYPES)}")
    allowed_units = ("KWH",) if fuel == "ELECTRICITY" else ("METRIC", "IMPERIAL")
    if meter.units not in allowed_units:
        broke(
            "units",
            "units_fit_fuel",
            f"a {fuel.lower()} meter reads in {' or '.join(allowed_units)}",
        )
    if not 4 <= meter.digits <= 10:
        broke("digits", "range", "a meter has 4 to 10 digits")
    if meter.installed_date > today:
        broke("installed_date", "not_in_future", "cannot be in the future")
    if not meter.registers:
        broke("registers", "required", "a meter has at least one register")
    identifiers = [register.identifier for register in meter.registers]
    if len(set(identifiers)) != len(identifiers):
        broke("registers", "unique", "each register identifier once")
    for index, register in enumerate(meter.registers):
        if register.band not in BANDS:
            broke(f"registers.{index}.band", "choice", f"must be one of {', '.join(BANDS)}")
        if not re.fullmatch(r"[0-9A-Z]{1,3}", register.identifier):
            broke(f"registers.{index}.identifier", "format", "1 to 3 letters or digits")
    bands = {register.band for register in meter.registers}
    if fuel == "GAS" and bands != {"ANYTIME"}:
        broke("registers", "gas_single_register", "a gas meter has one ANYTIME register")
    if profile_class in ECONOMY_7_PROFILE_CLASSES and not {"DAY", "NIGHT"} <= bands:
        broke(
            "registers",
            "economy_7_registers",
            "an Economy 7 meter needs a DAY and a NIGHT register",
        )
    return found
