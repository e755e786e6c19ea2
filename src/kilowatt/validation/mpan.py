"""Electricity meter point administration numbers (MPANs).

A full MPAN is 21 characters: profile class (2 digits), meter timeswitch code (3 digits),
line loss factor class (3 alphanumerics), then the 13-digit core: distributor ID (2),
unique ID (8), 2 digits and a check digit. Source: MRA / DTC; the check-digit weights are
the published 3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43 with ``sum % 11 % 10``.
"""

from __future__ import annotations

import re

_CHECK_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)

# Distributor IDs of the 14 regional distribution networks (the GSP groups), with the
# region's name. IDs 24-38 are independent network operators (IDNOs) who may build
# networks anywhere, so they carry no region of their own.
REGIONS: dict[str, str] = {
    "10": "Eastern",
    "11": "East Midlands",
    "12": "London",
    "13": "Merseyside and North Wales",
    "14": "West Midlands",
    "15": "North East",
    "16": "North West",
    "17": "North Scotland",
    "18": "South Scotland",
    "19": "South East",
    "20": "Southern",
    "21": "South Wales",
    "22": "South West",
    "23": "Yorkshire",
}
_IDNO_IDS = {str(number) for number in range(24, 39)}

PROFILE_CLASSES = {
    "00": "half-hourly",
    "01": "domestic unrestricted",
    "02": "domestic Economy 7",
    "03": "non-domestic unrestricted",
    "04": "non-domestic Economy 7",
    "05": "non-domestic maximum demand, load factor up to 20%",
    "06": "non-domestic maximum demand, load factor 20-30%",
    "07": "non-domestic maximum demand, load factor 30-40%",
    "08": "non-domestic maximum demand, load factor over 40%",
}

_FULL = re.compile(r"^(\d{2})(\d{3})([0-9A-Z]{3})(\d{13})$")


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def check_digit(first_twelve: str) -> int:
    """Return the MPAN core check digit for its first 12 digits."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_twelve, _CHECK_WEIGHTS, strict=True)
    )
    return total % 11 % 10


def _core_problem(core: str) -> str | None:
    if not core.isdigit() or len(core) != 13:
        return "an MPAN core is 13 digits"
    if core[:2] not in REGIONS and core[:2] not in _IDNO_IDS:
        return f"distributor ID {core[:2]} is not a known network (10-38)"
    if check_digit(core[:12]) != int(core[12]):
        return "the check digit (13th digit) does not match"
    return None


def mpan_problem(value: str) -> str | None:
    """Explain why ``value`` is not a valid 13-digit core or 21-character full MPAN."""
    compact = _compact(value)
    if len(compact) == 13:
        return _core_problem(compact)
    if len(compact) == 21:
        match = _FULL.match(compact)
        if match is None:
            return "a full MPAN is profile class (2 digits), MTC (3 digits), LLFC (3) and core (13 digits)"
        profile_class, mtc, _llfc, core = match.groups()
        if profile_class not in PROFILE_CLASSES:
            return f"profile class {profile_class} is not one of 00-08"
        if mtc == "000":
            return "meter timeswitch code 000 is not valid"
        return _core_problem(core)
    return "an MPAN is a 13-digit core or a 21-character full MPAN"


def is_valid_mpan(value: str) -> bool:
    """Return whether ``value`` is a valid MPAN core (13 digits) or full MPAN (21)."""
    return mpan_problem(value) is None


def mpan_core(value: str) -> str:
    """Return the 13-digit core of a valid MPAN (spaces and dashes removed)."""
    compact = _compact(value)
    return compact[-13:]


def region_for_mpan(value: str) -> str | None:
    """Return the distributor ID (10-23) of the MPAN's region, or None for an IDNO."""
    distributor_id = mpan_core(value)[:2]
    return distributor_id if distributor_id in REGIONS else None
