"""Invoices brought from the previous billing system (the legacy ERP), still open at the
cut-over. Pure: no Django."""

from __future__ import annotations

import dataclasses
import datetime

SERIES = "ERP"
DESCRIPTION = "Brought forward from the previous billing system"
DELIVERIES = ("EMAIL", "PAPER")


@dataclasses.dataclass(frozen=True)
class LegacyInvoice:
    """An invoice the previous system issued and the customer has not yet paid in full.

    ``legacy_number`` is the previous system's (ours is ``ERP`` + it); the period is
    half-open ``[period_start, period_end)``; amounts are pence.
    """

    legacy_number: str
    account_id: int
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    net_pence: int
    vat_pence: int = 0
    ccl_pence: int = 0
    delivery: str = "PAPER"

    @property
    def number(self) -> str:
        return f"{SERIES}{self.legacy_number}"

    @property
    def total_pence(self) -> int:
        return self.net_pence + self.vat_pence + self.ccl_pence


def problems(invoice: LegacyInvoice) -> list[tuple[str, str, str]]:
    """Return (field, rule, message) for every rule the invoice breaks."""
    found = []
    if not invoice.legacy_number or len(invoice.number) > 16:
        found.append(("legacy_number", "length", "1 to 13 characters"))
    if not invoice.period_start < invoice.period_end:
        found.append(("period_end", "after_start", "the period ends after it starts"))
    if invoice.delivery not in DELIVERIES:
        found.append(("delivery", "choice", f"must be one of {', '.join(DELIVERIES)}"))
    return found
