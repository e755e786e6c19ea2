"""The rules of a posting: its lines, and the one that matters most, that they sum to zero.
Pure: no Django, no clock.

Signs: debit positive, credit negative, in pence. On ``RECEIVABLE`` (customer balances,
each line naming its billing account as ``holder``) positive means the customer owes
us. A charge posts +total to ``RECEIVABLE`` and the parts to ``ENERGY_SALES``,
``VAT_OUTPUT`` and ``CCL`` as negatives; a payment -amount to ``RECEIVABLE`` and +amount
to ``CASH``; a write-off -x ``RECEIVABLE`` +x ``BAD_DEBT``; compensation -x
``RECEIVABLE`` +x ``COMPENSATION``; a transfer between two accounts is two
``RECEIVABLE`` lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import polars as pl

from kilowatt.platform.errors import Problem

# The ledgers (``models.Ledger`` holds the same values, with their labels).
RECEIVABLE = "RECEIVABLE"
ENERGY_SALES = "ENERGY_SALES"
VAT_OUTPUT = "VAT_OUTPUT"
CCL = "CCL"
CASH = "CASH"
BAD_DEBT = "BAD_DEBT"
COMPENSATION = "COMPENSATION"
MIGRATION = "MIGRATION"
LEDGERS = (RECEIVABLE, ENERGY_SALES, VAT_OUTPUT, CCL, CASH, BAD_DEBT, COMPENSATION, MIGRATION)

# The kinds of transaction (``models.Transaction.Kind`` holds the same values).
CHARGE = "CHARGE"
CREDIT = "CREDIT"
PAYMENT = "PAYMENT"
REFUND = "REFUND"
WRITE_OFF = "WRITE_OFF"
TRANSFER = "TRANSFER"
OPENING_BALANCE = "OPENING_BALANCE"
KINDS = (CHARGE, CREDIT, PAYMENT, REFUND, WRITE_OFF, TRANSFER, COMPENSATION, OPENING_BALANCE)

REFERENCE_MAX = 80
DESCRIPTION_MAX = 200
DOCUMENT_MAX = 40
POSTED_BY_MAX = 150

# What the frame path takes: one row a customer's line.
RECEIVABLE_SCHEMA: dict[str, type[pl.DataType]] = {
    "holder": pl.Int64,
    "amount_pence": pl.Int64,
    "document": pl.String,
}


@dataclasses.dataclass(frozen=True)
class LineSpec:
    """One line to post: ``amount_pence`` on ``ledger`` (debit positive); ``holder`` is
    the billing account's id, on ``RECEIVABLE`` lines only."""

    ledger: str
    amount_pence: int
    holder: int | None = None
    document: str = ""


def line_key(line: LineSpec) -> tuple[str, int, int, str]:
    """Return what makes two lines the same line (for comparing a posting made again)."""
    return (
        line.ledger,
        -1 if line.holder is None else line.holder,
        line.amount_pence,
        line.document,
    )


def same_lines(first: Sequence[LineSpec], second: Sequence[LineSpec]) -> bool:
    """Return whether two postings have the same lines, whatever their order."""
    return sorted(map(line_key, first)) == sorted(map(line_key, second))


def negated(lines: Sequence[LineSpec]) -> list[LineSpec]:
    """Return the lines that undo ``lines``: each amount with its sign turned."""
    return [dataclasses.replace(line, amount_pence=-line.amount_pence) for line in lines]


def check_balanced(lines: Sequence[LineSpec]) -> list[Problem]:
    """Return every rule a posting of ``lines`` breaks: at least two lines
    (``lines``/``too_few``), known ledgers (``lines.N.ledger``/``choice``), no zero
    amount (``lines.N.amount_pence``/``not_zero``), a holder on every ``RECEIVABLE``
    line (``lines.N.holder``/``required``) and on no other (``not_allowed``), documents
    of at most 40 characters (``lines.N.document``/``too_long``), and a sum of zero
    (``lines``/``unbalanced``)."""
    problems: list[Problem] = []
    if len(lines) < 2:
        problems.append(Problem("lines", "too_few", "a posting has at least two lines"))
    for index, line in enumerate(lines):
        at = f"lines.{index}"
        if line.ledger not in LEDGERS:
            problems.append(
                Problem(f"{at}.ledger", "choice", f"must be one of {', '.join(LEDGERS)}")
            )
        if line.amount_pence == 0:
            problems.append(Problem(f"{at}.amount_pence", "not_zero", "a line moves some money"))
        if line.ledger == RECEIVABLE and line.holder is None:
            problems.append(
                Problem(f"{at}.holder", "required", "a customer balance line names its account")
            )
        elif line.ledger != RECEIVABLE and line.holder is not None:
            problems.append(
                Problem(
                    f"{at}.holder", "not_allowed", "only customer balance lines name an account"
                )
            )
        if len(line.document) > DOCUMENT_MAX:
            problems.append(
                Problem(f"{at}.document", "too_long", f"at most {DOCUMENT_MAX} characters")
            )
    total = sum(line.amount_pence for line in lines)
    if total != 0:
        problems.append(
            Problem("lines", "unbalanced", f"the lines sum to {total}p; a posting sums to zero")
        )
    return problems


def posting_problems(
    *, kind: str, reference: str, description: str, posted_by: str
) -> list[Problem]:
    """Return every rule the particulars of a posting break (kind, reference,
    description, who posted it)."""
    problems = []
    if kind not in KINDS:
        problems.append(Problem("kind", "choice", f"must be one of {', '.join(KINDS)}"))
    for field, value, most in (
        ("reference", reference, REFERENCE_MAX),
        ("description", description, DESCRIPTION_MAX),
        ("posted_by", posted_by, POSTED_BY_MAX),
    ):
        if not value.strip():
            problems.append(Problem(field, "required", f"say the {field.replace('_', ' ')}"))
        elif len(value) > most:
            problems.append(Problem(field, "too_long", f"at most {most} characters"))
    return problems


# --- the frame path -------------------------------------------------------------------


def journal_lines(
    receivable: pl.DataFrame, contra: Mapping[str, int]
) -> tuple[pl.DataFrame, list[Problem]]:
    """Return the lines of a journal, one ``RECEIVABLE`` line a row of ``receivable``
    (``holder``, ``amount_pence``, ``document``) and one a ``contra`` ledger, as a frame
    of ``ledger``, ``holder``, ``amount_pence``, ``document``, with the rules they break.

    Rows and contra amounts of zero are left out. Rules: the frame has the three columns
    (``receivable``/``columns``), every row a holder (``receivable.holder``/``required``),
    documents of at most 40 characters (``receivable.document``/``too_long``), contra
    ledgers known and not ``RECEIVABLE`` (``contra.<ledger>``/``choice``), at least two
    lines (``lines``/``too_few``) and a sum of zero (``lines``/``unbalanced``).
    """
    missing = [name for name in RECEIVABLE_SCHEMA if name not in receivable.columns]
    if missing:
        return _empty_journal(), [
            Problem("receivable", "columns", f"the frame lacks {', '.join(missing)}")
        ]
    problems = []
    rows = receivable.select(
        ledger=pl.lit(RECEIVABLE, pl.String),
        holder=pl.col("holder").cast(pl.Int64),
        amount_pence=pl.col("amount_pence").cast(pl.Int64),
        document=pl.col("document").cast(pl.String).fill_null(""),
    ).filter(pl.col("amount_pence").fill_null(0) != 0)
    checks = rows.select(
        no_holder=pl.col("holder").is_null().sum(),
        long_document=(pl.col("document").str.len_chars() > DOCUMENT_MAX).sum(),
        total=pl.col("amount_pence").sum(),
    ).row(0, named=True)
    if checks["no_holder"]:
        problems.append(
            Problem("receivable.holder", "required", f"{checks['no_holder']} rows name no account")
        )
    if checks["long_document"]:
        problems.append(
            Problem(
                "receivable.document",
                "too_long",
                f"{checks['long_document']} documents are longer than {DOCUMENT_MAX} characters",
            )
        )
    for ledger in contra:
        if ledger not in LEDGERS or ledger == RECEIVABLE:
            problems.append(
                Problem(f"contra.{ledger}", "choice", "must be a company ledger, not RECEIVABLE")
            )
    others = pl.DataFrame(
        {
            "ledger": [ledger for ledger, amount in contra.items() if amount],
            "holder": [None for amount in contra.values() if amount],
            "amount_pence": [int(amount) for amount in contra.values() if amount],
            "document": ["" for amount in contra.values() if amount],
        },
        schema={"ledger": pl.String, **RECEIVABLE_SCHEMA},
    )
    lines = pl.concat([rows, others])
    if lines.height < 2:
        problems.append(Problem("lines", "too_few", "a posting has at least two lines"))
    total = int(checks["total"] or 0) + int(others["amount_pence"].sum() or 0)
    if total != 0:
        problems.append(
            Problem("lines", "unbalanced", f"the lines sum to {total}p; a posting sums to zero")
        )
    return lines, problems


def _empty_journal() -> pl.DataFrame:
    return pl.DataFrame(schema={"ledger": pl.String, **RECEIVABLE_SCHEMA})
