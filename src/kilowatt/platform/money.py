"""Money is integer pence, or Decimal pence where a rate carries fractions. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Pence = int


def format_pence(amount: Pence) -> str:
    """Return ``£1,234.56`` (with a leading minus for credits) for an amount in pence."""
    sign = "-" if amount < 0 else ""
    pounds, pence = divmod(abs(amount), 100)
    return f"{sign}£{pounds:,}.{pence:02d}"


def round_pence(amount: Decimal) -> Pence:
    """Round a Decimal amount of pence half-up to whole pence."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
