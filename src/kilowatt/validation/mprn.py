"""Gas meter point reference numbers (MPRNs).

The last two digits are check digits: for the body of length n, sum digit[i] x (n - i)
(weights n down to 1), take mod 11, zero-pad to 2 digits. The source is secondary
(see DOMAIN.md): callers treat a failed check as a warning an agent may override.
"""

from __future__ import annotations

import re


def check_digits(body: str) -> str:
    """Return the two check digits for an MPRN body."""
    length = len(body)
    total = sum(int(digit) * (length - index) for index, digit in enumerate(body))
    return f"{total % 11:02d}"


def mprn_problem(value: str) -> str | None:
    """Explain why ``value`` is not a valid MPRN (6 to 10 digits with 2 check digits)."""
    compact = re.sub(r"\s", "", value or "")
    if not compact.isdigit():
        return "an MPRN is digits only"
    if not 6 <= len(compact) <= 10:
        return "an MPRN is 6 to 10 digits"
    if check_digits(compact[:-2]) != compact[-2:]:
        return "the check digits (last two) do not match"
    return None


def is_valid_mprn(value: str) -> bool:
    """Return whether ``value`` is a well-formed MPRN whose check digits match."""
    return mprn_problem(value) is None
