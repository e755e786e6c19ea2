"""Working held bills: the rules of an adjustment, and pounds typed by a person.

A held bill (``bill_exceptions``) waits for the billing team, who release it as it is,
adjust it (an ``ADJUSTMENT`` line, outside the scope of VAT, a credit when negative) or
re-bill it (the bill is cancelled and its period billed afresh). Pure: no Django.
"""

from __future__ import annotations

import re

from kilowatt.platform.errors import Problem

REASON_MIN = 3
REASON_MAX = 200
# An adjustment larger than this is a re-bill or a credit note, not a correction.
ADJUSTMENT_LIMIT_PENCE = 1_000_000

_POUNDS = re.compile(r"^(?P<sign>[-+]?)£?(?P<pounds>\d{1,7})(?:\.(?P<pence>\d{1,2}))?$")


def pence_from_pounds(text: str, *, field: str = "amount") -> tuple[int | None, list[Problem]]:
    """Return the pence of an amount typed in pounds ("-12.50", "7", "+0.5", "£3.20"),
    without floats, or None and the problem."""
    cleaned = text.strip().replace(",", "").replace(" ", "")
    match = _POUNDS.match(cleaned)
    if not cleaned:
        return None, [Problem(field=field, rule="required", message="Enter an amount in pounds.")]
    if match is None:
        return None, [
            Problem(
                field=field,
                rule="pounds_format",
                message='Enter pounds and pence, like "-12.50" for a credit or "8.00".',
            )
        ]
    pence = int(match["pounds"]) * 100 + int((match["pence"] or "0").ljust(2, "0"))
    return (-pence if match["sign"] == "-" else pence), []


def adjustment_problems(*, amount_pence: int, reason: str, total_pence: int) -> list[Problem]:
    """Return what is wrong with adjusting a bill of ``total_pence`` by ``amount_pence``
    for ``reason`` (none when it may be done)."""
    problems = []
    if amount_pence == 0:
        problems.append(
            Problem(
                field="amount_pence", rule="not_zero", message="An adjustment changes the bill."
            )
        )
    elif abs(amount_pence) > ADJUSTMENT_LIMIT_PENCE:
        problems.append(
            Problem(
                field="amount_pence",
                rule="too_large",
                message="An adjustment is at most £10,000 either way: re-bill instead.",
            )
        )
    elif total_pence + amount_pence < 0:
        problems.append(
            Problem(
                field="amount_pence",
                rule="total_negative",
                message="This credit would take the bill below zero: re-bill instead.",
            )
        )
    text = " ".join(reason.split())
    if not text:
        problems.append(
            Problem(field="reason", rule="required", message="Say why the bill is adjusted.")
        )
    elif len(text) < REASON_MIN:
        problems.append(
            Problem(
                field="reason",
                rule="too_short",
                message=f"Say why in at least {REASON_MIN} characters.",
            )
        )
    elif len(text) > REASON_MAX:
        problems.append(
            Problem(
                field="reason",
                rule="too_long",
                message=f"Say why in at most {REASON_MAX} characters.",
            )
        )
    return problems


def tidy_reason(reason: str) -> str:
    """Return a reason as it is kept: its words, single-spaced."""
    return " ".join(reason.split())
