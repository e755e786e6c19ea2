"""Guaranteed standards of performance (Ofgem): what a customer is owed when we fail.

Source: DOMAIN.md, "Guaranteed standards": £30 to the customer, automatically, for a
missed appointment. Pure: no Django.
"""

from __future__ import annotations

MISSED_APPOINTMENT = "MISSED_APPOINTMENT"
MISSED_APPOINTMENT_PENCE = 3000  # £30


def owed_for_missed_appointment() -> tuple[str, int]:
    """Return the reason and amount (pence) owed for a missed appointment."""
    return MISSED_APPOINTMENT, MISSED_APPOINTMENT_PENCE
