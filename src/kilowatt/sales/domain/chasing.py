"""When an unsigned contract is chased, and when it is given up. Pure: no Django.

A contract emailed for signing (telesales, partners, a web sign-up left half-way) is
chased by email two, five and ten days after it was issued; when its signing link
expires (30 days) the sign-up lapses and its meter points are free again.
"""

from __future__ import annotations

import datetime

REMINDER_DAYS = (2, 5, 10)  # days after issue
LAPSES_AFTER = datetime.timedelta(days=30)  # the signing link's life


def reminder_due(
    *, issued_at: datetime.datetime, reminders_sent: int, as_at: datetime.datetime
) -> bool:
    """Return whether the next reminder of an unsigned contract is due."""
    if reminders_sent >= len(REMINDER_DAYS):
        return False
    return as_at - issued_at >= datetime.timedelta(days=REMINDER_DAYS[reminders_sent])


def lapsed(*, issued_at: datetime.datetime, as_at: datetime.datetime) -> bool:
    """Return whether an unsigned contract's link has expired, so its sign-up lapses."""
    return as_at - issued_at >= LAPSES_AFTER
