"""Posting a transaction line by line, and reversing one."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from kilowatt.ledger import models
from kilowatt.ledger.domain import LineSpec, check_balanced, negated, posting_problems, same_lines
from kilowatt.ledger.operations import _shared
from kilowatt.platform.errors import InvalidInput, NotFound, raise_if


def _lines_of(transaction_id: int) -> list[LineSpec]:
    return [
        LineSpec(ledger=ledger, amount_pence=amount, holder=holder, document=document)
        for ledger, amount, holder, document in models.Line.objects.filter(
            transaction_id=transaction_id
        ).values_list("ledger", "amount_pence", "holder", "document")
    ]


def _same_posting(
    transaction_id: int,
    *,
    kind: str,
    effective_date: datetime.date,
    lines: Sequence[LineSpec],
    reverses_id: int | None,
) -> bool:
    header = models.Transaction.objects.filter(id=transaction_id).values(
        "kind", "effective_date", "reverses_id"
    )[0]
    return (
        header["kind"] == kind
        and header["effective_date"] == effective_date
        and header["reverses_id"] == reverses_id
        and same_lines(_lines_of(transaction_id), lines)
    )


def _post(
    *,
    kind: str,
    reference: str,
    description: str,
    effective_date: datetime.date,
    lines: Sequence[LineSpec],
    posted_at: datetime.datetime,
    posted_by: str,
    reverses_id: int | None,
    reverses_field: str,
) -> int:
    lines = list(lines)
    raise_if(
        posting_problems(
            kind=kind, reference=reference, description=description, posted_by=posted_by
        )
        + check_balanced(lines)
    )
    for _attempt in range(2):
        found = _shared.existing_id(reference)
        if found is not None:
            if _same_posting(
                found,
                kind=kind,
                effective_date=effective_date,
                lines=lines,
                reverses_id=reverses_id,
            ):
                return found
            raise _shared.posted_differently(reference)
        if reverses_id is not None:
            if not models.Transaction.objects.filter(id=reverses_id).exists():
                raise InvalidInput.one(
                    field=reverses_field, rule="unknown", message=f"no transaction {reverses_id}"
                )
            if models.Transaction.objects.filter(reverses_id=reverses_id).exists():
                raise _shared.already_reversed(reverses_field, reverses_id)
        transaction_id = _shared.insert_header(
            kind=kind,
            reference=reference,
            description=description,
            effective_date=effective_date,
            posted_at=posted_at,
            posted_by=posted_by,
            reverses_id=reverses_id,
        )
        if transaction_id is None:
            continue  # posted meanwhile by someone else: look again at what is there
        # One statement, so the database's check sees every line of the transaction.
        models.Line.objects.bulk_create(
            [
                models.Line(
                    transaction_id=transaction_id,
                    ledger=line.ledger,
                    holder=line.holder,
                    amount_pence=line.amount_pence,
                    document=line.document,
                    effective_date=effective_date,
                )
                for line in lines
            ]
        )
        return transaction_id
    raise _shared.already_reversed(reverses_field, reverses_id or 0)


@transaction.atomic
def post_transaction(
    *,
    kind: str,
    reference: str,
    description: str,
    effective_date: datetime.date,
    lines: Sequence[LineSpec],
    posted_at: datetime.datetime,
    posted_by: str,
    reverses_id: int | None = None,
) -> int:
    """Post a transaction of ``lines`` (they sum to zero) and return its id.

    Idempotent by ``reference``: posting it again with the same kind, effective date,
    lines (in any order) and reversed transaction returns the first posting's id and
    writes nothing, also when two post it at the same moment.

    :raises InvalidInput: a rule of ``domain.check_balanced`` or ``posting_problems``
        is broken (``lines``/``unbalanced``, ``lines``/``too_few``, ``kind``/``choice``
        ...); ``reference`` was posted with other lines
        (``reference``/``already_posted_differently``); ``reverses_id`` names no
        transaction (``reverses_id``/``unknown``) or one already reversed
        (``reverses_id``/``already_reversed``).
    """
    return _post(
        kind=kind,
        reference=reference,
        description=description,
        effective_date=effective_date,
        lines=lines,
        posted_at=posted_at,
        posted_by=posted_by,
        reverses_id=reverses_id,
        reverses_field="reverses_id",
    )


@transaction.atomic
def reverse_transaction(
    *,
    transaction_id: int,
    reference: str,
    description: str,
    effective_date: datetime.date,
    posted_at: datetime.datetime,
    posted_by: str,
) -> int:
    """Correct a transaction by posting its lines again with their signs turned (same
    kind, same documents, pointing at it through ``reverses``); return the new id.

    A transaction is reversed once (a unique index holds it under concurrency);
    reversing it again under the same ``reference`` returns the reversal's id.

    :raises NotFound: no transaction ``transaction_id``.
    :raises InvalidInput: it was reversed already under another reference
        (``transaction_id``/``already_reversed``); ``reference`` was used for another
        posting (``reference``/``already_posted_differently``); the description or
        who posted it is missing or too long.
    """
    kind = (
        models.Transaction.objects.filter(id=transaction_id).values_list("kind", flat=True).first()
    )
    if kind is None:
        raise NotFound(f"transaction {transaction_id}")
    return _post(
        kind=kind,
        reference=reference,
        description=description,
        effective_date=effective_date,
        lines=negated(_lines_of(transaction_id)),
        posted_at=posted_at,
        posted_by=posted_by,
        reverses_id=transaction_id,
        reverses_field="transaction_id",
    )
