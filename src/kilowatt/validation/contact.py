"""Email addresses and UK phone numbers, checked for shape only (delivery proves the rest)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")


def email_problem(value: str) -> str | None:
    """Explain why ``value`` is not an email address."""
    if _EMAIL.match(value or "") is None or len(value) > 254:
        return "not an email address (for example name@example.co.uk)"
    return None


def normalise_phone(value: str) -> str:
    """Return the number as digits in national form (``+44 7700 900123`` -> ``07700900123``)."""
    digits = re.sub(r"[\s()\-]", "", value or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    return digits


def phone_problem(value: str) -> str | None:
    """Explain why ``value`` is not a UK phone number (10 or 11 digits starting with 0)."""
    if re.fullmatch(r"0\d{9,10}", normalise_phone(value)) is None:
        return "not a UK phone number (10 or 11 digits starting 0, or +44)"
    return None
