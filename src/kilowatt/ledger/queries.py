"""Public reads of the ledger: balances, a customer's lines, and the trial balance.

The ledger knows billing accounts only by id (``holder``); who may see an account is
decided by accounts' gate before these are asked. Only ``RECEIVABLE`` lines carry a
holder (a database check), so a filter on ``holder`` alone finds a customer's lines and
reads the partial index on ``(holder, effective_date, id)``.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from django.db import connection
from django.db.models import Sum

from kilowatt.ledger import models
from kilowatt.ledger.domain import postings
from kilowatt.platform import bulk

_SQLITE_CHUNK = 10_000  # holders an IN list takes on SQLite (it caps a statement's parameters)


@dataclasses.dataclass(frozen=True)
class LedgerLineRecord:
    """One line of a customer's account as a statement shows it (debit positive)."""

    id: int
    transaction_id: int
    kind: str
    reference: str
    description: str
    effective_date: datetime.date
    amount_pence: int
    document: str
    posted_at: datetime.datetime


def balance_for_account(*, holder: int, on: datetime.date | None = None) -> int:
    """Return what the account owes (positive) or is owed (negative) in pence: the sum of
    its ``RECEIVABLE`` lines effective on or before ``on`` (all of them when None)."""
    lines = models.Line.objects.filter(holder=holder)
    if on is not None:
        lines = lines.filter(effective_date__lte=on)
    return int(lines.aggregate(total=Sum("amount_pence"))["total"] or 0)


def balances_for_accounts(*, holders: Sequence[int]) -> dict[int, int]:
    """Return every account's balance in pence (0 for an account with no lines), in one
    query (on SQLite, one a 10,000 accounts)."""
    wanted = sorted({int(holder) for holder in holders})
    balances = dict.fromkeys(wanted, 0)
    if not wanted:
        return balances
    if bulk.is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT holder, SUM(amount_pence) FROM ledger_line"
                " WHERE holder = ANY(%s) GROUP BY holder",
                [wanted],
            )
            balances.update((holder, int(total)) for holder, total in cursor.fetchall())
        return balances
    for start in range(0, len(wanted), _SQLITE_CHUNK):
        rows = (
            models.Line.objects.filter(holder__in=wanted[start : start + _SQLITE_CHUNK])
            .values_list("holder")
            .annotate(total=Sum("amount_pence"))
            .order_by()
        )
        balances.update((holder, int(total)) for holder, total in rows)
    return balances


def lines_for_account(
    *,
    holder: int,
    since: datetime.date | None = None,
    limit: int = 50,
    after: int | None = None,
) -> list[LedgerLineRecord]:
    """Return up to ``limit`` of the account's lines, newest first (by id), effective on
    or after ``since``; ``after`` continues from a page's last line (lines with smaller
    ids)."""
    lines = models.Line.objects.filter(holder=holder)
    if since is not None:
        lines = lines.filter(effective_date__gte=since)
    if after:
        lines = lines.filter(id__lt=after)
    rows = lines.order_by("-id").values_list(
        "id",
        "transaction_id",
        "transaction__kind",
        "transaction__reference",
        "transaction__description",
        "effective_date",
        "amount_pence",
        "document",
        "transaction__posted_at",
    )[:limit]
    return [LedgerLineRecord(*row) for row in rows]


def payments_since(*, holder: int, since: datetime.date) -> int:
    """Return how much the account has paid (a positive number of pence) in payments
    effective on or after ``since``; a reversed (bounced) payment cancels itself out."""
    total = (
        models.Line.objects.filter(
            holder=holder, effective_date__gte=since, transaction__kind=postings.PAYMENT
        ).aggregate(total=Sum("amount_pence"))["total"]
        or 0
    )
    return -int(total)


def trial_balance() -> dict[str, int]:
    """Return the sum of every ledger's lines in pence (every ledger named, 0 when it has
    none); the values sum to zero."""
    totals = dict.fromkeys(postings.LEDGERS, 0)
    rows = models.Line.objects.values_list("ledger").annotate(total=Sum("amount_pence")).order_by()
    totals.update((ledger, int(total)) for ledger, total in rows)
    return totals
