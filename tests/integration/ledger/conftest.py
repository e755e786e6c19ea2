"""Postings made through the ledger's own operations, at fixed moments."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from kilowatt.ledger import operations
from kilowatt.ledger.domain import LineSpec

POSTED_AT = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 23)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database's own guards are PostgreSQL's"
)


def charge(
    *, holder: int, total: int, reference: str, on: datetime.date = TODAY, vat: int | None = None
) -> int:
    """Post a bill's charge: +total owed, the sale and its VAT credited."""
    vat = total // 21 if vat is None else vat
    return operations.post_transaction(
        kind="CHARGE",
        reference=reference,
        description="Your bill",
        effective_date=on,
        lines=[
            LineSpec("RECEIVABLE", total, holder=holder, document=reference[-12:]),
            LineSpec("ENERGY_SALES", -(total - vat)),
            LineSpec("VAT_OUTPUT", -vat),
        ],
        posted_at=POSTED_AT,
        posted_by="billing",
    )


def payment(*, holder: int, amount: int, reference: str, on: datetime.date = TODAY) -> int:
    """Post a payment received: the balance goes down, the bank up."""
    return operations.post_transaction(
        kind="PAYMENT",
        reference=reference,
        description="Direct Debit",
        effective_date=on,
        lines=[
            LineSpec("RECEIVABLE", -amount, holder=holder, document=reference[-12:]),
            LineSpec("CASH", amount),
        ],
        posted_at=POSTED_AT,
        posted_by="payments",
    )
