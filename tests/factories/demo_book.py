"""Plans for the demo book generator: small, fixed books for the tests."""

from __future__ import annotations

import datetime

from kilowatt.demo.domain import book, catalogue

TODAY = datetime.date(2026, 5, 20)


def tariff_ids(today: datetime.date = TODAY) -> dict[tuple[str, str, str, str, str], int]:
    """Return made-up ids for every tariff of the catalogue, by key."""
    return {offer.key: number for number, offer in enumerate(catalogue.tariffs(today), start=1)}


def plan(customers: int = 400, seed: int = 1, **overrides) -> book.BookPlan:
    """Return a plan for a small book with made-up tariff ids and logins."""
    values = {
        "customers": customers,
        "seed": seed,
        "today": TODAY,
        "tariff_ids": tariff_ids(),
        "customer_number": lambda customer_id: f"C{customer_id:08d}",
        "account_number": lambda account_id: f"A{account_id:08d}",
        "agent_id": 7,
        "home_user_id": 8,
        "business_user_id": 9,
    }
    values.update(overrides)
    return book.BookPlan(**values)


def whole(plan: book.BookPlan, *, chunk_size: int = 50_000) -> book.Chunk:
    """Return the whole book as one chunk (every chunk's rows, concatenated)."""
    together = book.Chunk()
    for chunk in book.generate(plan, chunk_size=chunk_size):
        for table, rows in chunk.tables().items():
            getattr(together, table).extend(rows)
    return together
