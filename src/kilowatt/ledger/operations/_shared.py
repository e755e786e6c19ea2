"""What the ledger's writes share: writing a transaction's header once, whoever else is
writing the same reference at the same moment."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from kilowatt.ledger import models
from kilowatt.platform.errors import InvalidInput

ALREADY_POSTED = "already_posted_differently"


def existing_id(reference: str) -> int | None:
    """Return the id of the transaction posted under ``reference``, if there is one."""
    return (
        models.Transaction.objects.filter(reference=reference).values_list("id", flat=True).first()
    )


def posted_differently(reference: str) -> InvalidInput:
    return InvalidInput.one(
        field="reference",
        rule=ALREADY_POSTED,
        message=f"{reference} was posted already, with other lines",
    )


def already_reversed(field: str, transaction_id: int) -> InvalidInput:
    return InvalidInput.one(
        field=field,
        rule="already_reversed",
        message=f"transaction {transaction_id} was reversed already",
    )


def insert_header(
    *,
    kind: str,
    reference: str,
    description: str,
    effective_date: datetime.date,
    posted_at: datetime.datetime,
    posted_by: str,
    reverses_id: int | None,
) -> int | None:
    """Write a transaction's header and return its id, or None when the reference or the
    reversal was taken meanwhile by someone else (the unique indexes decide; the caller
    looks again at what is there)."""
    try:
        with transaction.atomic():
            header = models.Transaction.objects.create(
                kind=kind,
                reference=reference,
                description=description,
                effective_date=effective_date,
                posted_at=posted_at,
                posted_by=posted_by,
                reverses_id=reverses_id,
            )
    except IntegrityError:
        return None
    return header.id
