"""What a signing link still opens once the contract is signed. Pure: no Django.

A signing link may stay in a shop tablet's history or an agent's hands: once signed, it
shows the signed contract and the way to cancel only for a short while (the signer's
own screen after signing). After that the customer has both in the email sent to them.
"""

from __future__ import annotations

import datetime

AFTER_SIGNING = datetime.timedelta(hours=1)


def signer_screen_open(*, signed_at: datetime.datetime | None, as_at: datetime.datetime) -> bool:
    """Return whether a signing link still shows the signed contract and cancellation."""
    return signed_at is not None and as_at - signed_at <= AFTER_SIGNING
