"""The set-based path: one transaction of many customer lines, as a bill run posts it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import polars as pl
from django.db import transaction

from kilowatt.ledger import models
from kilowatt.ledger.domain import journal_lines, posting_problems
from kilowatt.ledger.operations import _shared
from kilowatt.platform import frames
from kilowatt.platform.errors import raise_if

_LINE_COLUMNS = ("ledger", "holder", "amount_pence", "document")
_STORED_LINES = """
    SELECT ledger, holder, amount_pence, document, effective_date
    FROM ledger_line WHERE transaction_id = %s
"""
_STORED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "ledger": pl.String,
    "holder": pl.Int64,
    "amount_pence": pl.Int64,
    "document": pl.String,
    "effective_date": pl.Date,
}


def _sorted(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.select(_LINE_COLUMNS).sort(_LINE_COLUMNS, nulls_last=True)


def _same_journal(
    transaction_id: int, *, kind: str, effective_date: datetime.date, lines: pl.DataFrame
) -> bool:
    header = models.Transaction.objects.filter(id=transaction_id).values(
        "kind", "effective_date", "reverses_id"
    )[0]
    if (header["kind"], header["effective_date"], header["reverses_id"]) != (
        kind,
        effective_date,
        None,
    ):
        return False
    stored = frames.read_frame(_STORED_LINES, [transaction_id], _STORED_SCHEMA)
    return stored.height == lines.height and _sorted(stored).equals(_sorted(lines))


@transaction.atomic
def post_journal_frame(
    *,
    kind: str,
    reference: str,
    description: str,
    effective_date: datetime.date,
    receivable: pl.DataFrame,
    contra: Mapping[str, int],
    posted_at: datetime.datetime,
    posted_by: str,
) -> int:
    """Post one transaction of a ``RECEIVABLE`` line for each row of ``receivable``
    (``holder`` Int64, ``amount_pence`` Int64, ``document`` String) and one line for
    each ``contra`` ledger (``{"ENERGY_SALES": -x, "VAT_OUTPUT": -y, "CCL": -z}``), and
    return its id. Rows and contra amounts of zero are left out.

    Set-based: the rules are checked on columns before anything is written, and the
    lines go in as one ``COPY`` on PostgreSQL (one statement, which the database checks
    sums to zero), ``bulk_create`` elsewhere. Runs inside a caller's transaction as a
    savepoint. Idempotent by ``reference`` like ``post_transaction``: the same lines
    again (in any order) return the first posting's id and write nothing.

    :raises InvalidInput: the frame lacks a column (``receivable``/``columns``), a row
        names no account (``receivable.holder``/``required``), a document is longer than
        40 characters (``receivable.document``/``too_long``), a contra ledger is unknown
        or ``RECEIVABLE`` (``contra.<ledger>``/``choice``), fewer than two lines remain
        (``lines``/``too_few``), the lines do not sum to zero (``lines``/``unbalanced``),
        the particulars break ``posting_problems``, or ``reference`` was posted with other
        lines (``reference``/``already_posted_differently``).
    """
    problems = posting_problems(
        kind=kind, reference=reference, description=description, posted_by=posted_by
    )
    lines, line_problems = journal_lines(receivable, contra)
    raise_if(problems + line_problems)
    for _attempt in range(2):
        found = _shared.existing_id(reference)
        if found is not None:
            if _same_journal(found, kind=kind, effective_date=effective_date, lines=lines):
                return found
            raise _shared.posted_differently(reference)
        transaction_id = _shared.insert_header(
            kind=kind,
            reference=reference,
            description=description,
            effective_date=effective_date,
            posted_at=posted_at,
            posted_by=posted_by,
            reverses_id=None,
        )
        if transaction_id is None:
            continue  # posted meanwhile by someone else: look again at what is there
        frames.write_frame(
            models.Line,
            lines.select(
                transaction_id=pl.lit(transaction_id, pl.Int64),
                ledger="ledger",
                holder="holder",
                amount_pence="amount_pence",
                document="document",
                effective_date=pl.lit(effective_date, pl.Date),
            ),
        )
        return transaction_id
    raise _shared.posted_differently(reference)  # not reached: the second look finds it
