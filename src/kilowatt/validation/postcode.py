"""UK postcodes: normalise case and spacing, then check the whole string.

Rules from the Royal Mail / ONS format: outward code (2-4 characters) + space + inward
code (digit + 2 letters). Position 1 is never Q, V or X; position 2 never I, J or Z; a
letter in position 3 is one of ABCDEFGHJKSTUW; a letter in position 4 one of
ABEHMNPRVWXY; inward letters are never C, I, K, M, O or V. GIR 0AA is valid. A
well-formed postcode may still not exist (that needs the address file).
"""

from __future__ import annotations

import re

_A1 = "[A-PR-UWYZ]"
_A2 = "[A-HK-Y]"
_A3 = "[A-HJKPSTUW]"
_A4 = "[ABEHMNPRV-Y]"
_INWARD = "[0-9][ABD-HJLNP-UW-Z]{2}"
_OUTWARD = (
    f"(?:{_A1}[0-9]{{1,2}}"  # A9, A99
    f"|{_A1}{_A2}[0-9]{{1,2}}"  # AA9, AA99
    f"|{_A1}[0-9]{_A3}"  # A9A
    f"|{_A1}{_A2}[0-9]{_A4})"  # AA9A
)
_POSTCODE = re.compile(rf"\A(?:{_OUTWARD} {_INWARD}|GIR 0AA)\Z")


def normalise_postcode(value: str) -> str:
    """Return ``value`` upper-cased with one space before the inward code (``m11aa`` -> ``M1 1AA``)."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_problem(value: str) -> str | None:
    """Explain why ``value`` is not a well-formed UK postcode, after normalising it."""
    if not (value or "").strip():
        return "a postcode is required"
    if _POSTCODE.match(normalise_postcode(value)) is None:
        return "not a UK postcode (for example SW1A 1AA)"
    return None


def is_valid_postcode(value: str) -> bool:
    """Return whether ``value`` is a well-formed UK postcode (case and spacing ignored)."""
    return postcode_problem(value) is None
