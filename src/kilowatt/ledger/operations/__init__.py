"""Public writes of the ledger: postings, their reversals, and a bill run's journal.

Every write adds rows; nothing here edits or deletes one. Each is one transaction
(a savepoint inside a caller's), idempotent by its ``reference``.
"""

from kilowatt.ledger.operations._journal import post_journal_frame
from kilowatt.ledger.operations._transactions import post_transaction, reverse_transaction

__all__ = ["post_journal_frame", "post_transaction", "reverse_transaction"]
