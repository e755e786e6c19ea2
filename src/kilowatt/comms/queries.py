"""Comms' public reads: what is in the email outbox (for workers and the staff)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.db.models import Count

from kilowatt.comms import models


@dataclasses.dataclass(frozen=True)
class OutboundEmailRecord:
    id: int
    key: str
    to: str
    subject: str
    status: str  # QUEUED, SENT, FAILED
    attempts: int
    last_error: str
    next_attempt_at: datetime.datetime
    sent_at: datetime.datetime | None
    message_id: str


_FIELDS = (
    "id",
    "idempotency_key",
    "to_address",
    "subject",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "message_id",
)


def queued_keys(*, keys: Iterable[str]) -> set[str]:
    """Return which of these idempotency keys have an email already (in any status)."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            models.OutboundEmail.objects.filter(
                idempotency_key__in=wanted[start : start + 500]
            ).values_list("idempotency_key", flat=True)
        )
    return found


def email_for_key(*, key: str) -> OutboundEmailRecord | None:
    """Return the email queued under ``key``, if there is one."""
    row = models.OutboundEmail.objects.filter(idempotency_key=key).values_list(*_FIELDS).first()
    return OutboundEmailRecord(*row) if row is not None else None


def email_counts() -> dict[str, int]:
    """Return how many emails are in each status (every status named, 0 if none)."""
    counts = dict.fromkeys(models.OutboundEmail.Status.values, 0)
    for status, count in (
        models.OutboundEmail.objects.values_list("status").annotate(n=Count("id")).order_by()
    ):
        counts[status] = count
    return counts
