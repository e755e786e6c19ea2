"""Back-billing (Ofgem's standard licence condition 21BA): a domestic or micro-business
customer cannot be charged for energy used more than 12 months before the bill, unless
the customer obstructed billing. Pure: no Django, no clock."""

from __future__ import annotations

import datetime


def cutoff(bill_date: datetime.date) -> datetime.date:
    """Return the first day that may still be charged on a bill dated ``bill_date``: the
    same calendar day 12 months earlier (29 February falls back to 28 February)."""
    try:
        return bill_date.replace(year=bill_date.year - 1)
    except ValueError:  # 29 February, and the year before has none
        return bill_date.replace(year=bill_date.year - 1, day=28)


def protects(*, customer_kind: str, is_micro_business: bool, obstructed: bool) -> bool:
    """Say whether the 12-month limit protects this customer on this bill: homes and
    micro-businesses, unless they obstructed billing."""
    if obstructed:
        return False
    return customer_kind == "RESIDENTIAL" or (customer_kind == "BUSINESS" and is_micro_business)
