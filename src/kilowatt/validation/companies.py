"""Companies House registration numbers: 8 characters, digits or a 2-letter prefix."""

from __future__ import annotations

import re

# England and Wales numbers are 8 digits; other registers use a two-letter prefix
# (SC Scotland, NI Northern Ireland, OC/SO/NC LLPs, ...) followed by 6 digits.
_COMPANY_NUMBER = re.compile(r"\A(?:\d{8}|[A-Z]{2}\d{6})\Z")


def normalise_company_number(value: str) -> str:
    """Return the number upper-cased, spaces removed, short numbers zero-padded to 8."""
    compact = re.sub(r"\s", "", value or "").upper()
    return compact.zfill(8) if compact.isdigit() else compact


def company_number_problem(value: str) -> str | None:
    """Explain why ``value`` is not a Companies House number."""
    if _COMPANY_NUMBER.match(normalise_company_number(value)) is None:
        return "a company number is 8 digits, or 2 letters and 6 digits (for example SC123456)"
    return None


def is_valid_company_number(value: str) -> bool:
    """Return whether ``value`` is a well-formed Companies House number."""
    return company_number_problem(value) is None
