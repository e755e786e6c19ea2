"""On PostgreSQL the database itself keeps the ledger's promises: every statement that
inserts lines leaves each transaction summing to zero, and nothing is updated or deleted."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from kilowatt.ledger import models, queries
from tests.integration.ledger.conftest import POSTED_AT, TODAY, charge, postgresql_only

pytestmark = [pytest.mark.django_db, postgresql_only]


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def header(reference: str) -> int:
    return models.Transaction.objects.create(
        kind="CHARGE",
        reference=reference,
        description="By hand",
        effective_date=TODAY,
        posted_at=POSTED_AT,
        posted_by="test",
    ).id


class TestBalance:
    def test_lines_that_do_not_sum_to_zero_are_refused(self):
        transaction_id = header("by-hand:1")

        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            raw(
                "INSERT INTO ledger_line (transaction_id, ledger, holder, amount_pence,"
                " document, effective_date) VALUES"
                " (%s, 'RECEIVABLE', 7, 100, '', %s), (%s, 'CASH', NULL, -99, '', %s)",
                [transaction_id, TODAY, transaction_id, TODAY],
            )

        assert not models.Line.objects.exists()

    def test_a_transactions_lines_go_in_together(self):
        transaction_id = header("by-hand:2")

        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            models.Line.objects.create(
                transaction_id=transaction_id,
                ledger="RECEIVABLE",
                holder=7,
                amount_pence=100,
                effective_date=TODAY,
            )

    def test_balanced_lines_of_several_transactions_in_one_statement_pass(self):
        first, second = header("by-hand:3"), header("by-hand:4")

        raw(
            "INSERT INTO ledger_line (transaction_id, ledger, holder, amount_pence,"
            " document, effective_date) VALUES"
            " (%s, 'RECEIVABLE', 7, 100, '', %s), (%s, 'CASH', NULL, -100, '', %s),"
            " (%s, 'RECEIVABLE', 8, 50, '', %s), (%s, 'CASH', NULL, -50, '', %s)",
            [first, TODAY, first, TODAY, second, TODAY, second, TODAY],
        )

        assert queries.balances_for_accounts(holders=[7, 8]) == {7: 100, 8: 50}


class TestImmutable:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE ledger_line SET amount_pence = -amount_pence",
            "UPDATE ledger_line SET document = 'changed'",
            "DELETE FROM ledger_line",
            "UPDATE ledger_transaction SET description = 'changed'",
            "DELETE FROM ledger_transaction",
        ],
    )
    def test_lines_and_transactions_are_never_changed(self, sql):
        charge(holder=7, total=12_600, reference="invoice:1")

        with pytest.raises(DatabaseError, match="is immutable"), transaction.atomic():
            raw(sql)

        assert queries.balance_for_account(holder=7) == 12_600
        assert models.Line.objects.filter(document="changed").count() == 0
        assert models.Transaction.objects.get().description == "Your bill"

    def test_the_orm_cannot_change_a_line_either(self):
        charge(holder=7, total=12_600, reference="invoice:1")
        line = models.Line.objects.filter(ledger="RECEIVABLE").get()

        with pytest.raises(DatabaseError), transaction.atomic():
            line.amount_pence = 1
            line.save()
        with pytest.raises(DatabaseError), transaction.atomic():
            line.delete()
