"""The ledger's pure rules: lines, their signs, and that a posting sums to zero."""

from kilowatt.ledger.domain.postings import (
    LineSpec,
    check_balanced,
    journal_lines,
    negated,
    posting_problems,
    same_lines,
)

__all__ = [
    "LineSpec",
    "check_balanced",
    "journal_lines",
    "negated",
    "posting_problems",
    "same_lines",
]
