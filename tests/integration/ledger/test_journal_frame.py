"""A bill run's journal: one transaction of many customer lines, posted set-based (COPY on
PostgreSQL), idempotent by reference, inside the caller's transaction."""

from __future__ import annotations

import time

import polars as pl
import pytest
from django.db import transaction

from kilowatt.ledger import models, operations, queries
from kilowatt.platform.errors import InvalidInput
from tests.integration.ledger.conftest import POSTED_AT, TODAY, charge, postgresql_only

pytestmark = pytest.mark.django_db


def receivable(rows: int, *, first_holder: int = 1) -> pl.DataFrame:
    """``rows`` customers' charges: 1,000p plus a penny a row, some of them zero."""
    return (
        pl.DataFrame({"holder": pl.int_range(first_holder, first_holder + rows, eager=True)})
        .cast(pl.Int64)
        .with_columns(
            amount_pence=pl.when(pl.col("holder") % 1000 == 0)
            .then(0)
            .otherwise(1000 + pl.col("holder") % 97)
            .cast(pl.Int64),
            document=pl.format("KWE{}", pl.col("holder").cast(pl.String).str.zfill(7)),
        )
    )


def contra_for(frame: pl.DataFrame, *, ccl: int = 0) -> dict[str, int]:
    total = int(frame["amount_pence"].sum())
    vat = total // 21
    return {"ENERGY_SALES": -(total - vat - ccl), "VAT_OUTPUT": -vat, "CCL": -ccl}


def post(frame: pl.DataFrame, *, reference: str = "billrun:7:1", contra=None) -> int:
    return operations.post_journal_frame(
        kind="CHARGE",
        reference=reference,
        description="Bill run 7, chunk 1",
        effective_date=TODAY,
        receivable=frame,
        contra=contra_for(frame) if contra is None else contra,
        posted_at=POSTED_AT,
        posted_by="billing",
    )


def rules(error: InvalidInput) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in error.problems]


class TestJournal:
    def test_ten_thousand_customers_in_one_transaction(self):
        frame = receivable(10_000)
        total = int(frame["amount_pence"].sum())

        transaction_id = post(frame)

        lines = models.Line.objects.filter(transaction_id=transaction_id)
        assert lines.filter(ledger="RECEIVABLE").count() == 9_990  # ten rows of zero left out
        assert lines.exclude(ledger="RECEIVABLE").count() == 2  # no levy: CCL of zero left out
        assert queries.trial_balance()["RECEIVABLE"] == total
        assert sum(queries.trial_balance().values()) == 0
        assert queries.balance_for_account(holder=42) == 1000 + 42 % 97
        assert queries.balance_for_account(holder=1000) == 0
        assert queries.balances_for_accounts(holders=[1, 2, 9_999]) == {
            1: 1001,
            2: 1002,
            9_999: 1000 + 9_999 % 97,
        }
        line = queries.lines_for_account(holder=42)[0]
        assert (line.kind, line.reference, line.document, line.effective_date) == (
            "CHARGE",
            "billrun:7:1",
            "KWE0000042",
            TODAY,
        )

    def test_posting_the_same_journal_again_writes_nothing(self):
        frame = receivable(2_000)
        first = post(frame)
        before = models.Line.objects.count()

        again = post(frame.sample(fraction=1.0, shuffle=True, seed=3))

        assert again == first
        assert models.Line.objects.count() == before

    def test_another_journal_under_the_same_reference_is_refused(self):
        post(receivable(100))
        before = models.Line.objects.count()

        with pytest.raises(InvalidInput) as refused:
            post(receivable(101))

        assert rules(refused.value) == [("reference", "already_posted_differently")]
        assert models.Line.objects.count() == before

    def test_an_unbalanced_journal_is_refused_before_anything_is_written(self):
        frame = receivable(100)
        contra = contra_for(frame)
        contra["ENERGY_SALES"] += 1

        with pytest.raises(InvalidInput) as refused:
            post(frame, contra=contra)

        assert rules(refused.value) == [("lines", "unbalanced")]
        assert models.Transaction.objects.count() == models.Line.objects.count() == 0

    def test_it_runs_in_the_callers_transaction_and_rolls_back_with_it(self):
        class Abandoned(Exception):
            pass

        with pytest.raises(Abandoned), transaction.atomic():
            charge(holder=5, total=210, reference="invoice:1")
            post(receivable(500))
            raise Abandoned

        assert models.Transaction.objects.count() == models.Line.objects.count() == 0

    def test_it_posts_beside_the_callers_other_writes(self):
        with transaction.atomic():
            charge(holder=5, total=210, reference="invoice:1")
            post(receivable(500), reference="billrun:7:1")
            post(receivable(500, first_holder=501), reference="billrun:7:2")

        assert models.Transaction.objects.count() == 3
        assert sum(queries.trial_balance().values()) == 0


@postgresql_only
def test_a_hundred_thousand_customers_take_well_under_a_second_of_python():
    frame = receivable(100_000)
    contra = contra_for(frame, ccl=1234)

    started, wall = time.process_time(), time.perf_counter()
    post(frame, contra=contra)
    python_seconds, wall_seconds = time.process_time() - started, time.perf_counter() - wall

    assert models.Line.objects.count() == 99_900 + 3
    print(
        f"post_journal_frame, 100,000 rows: {python_seconds:.3f}s of Python"
        f" ({wall_seconds:.3f}s with PostgreSQL's share); floor 0.5s of Python"
    )
    assert python_seconds < 0.5
