"""Posting and reversing transactions, and the balances and statements read from them,
on whichever database the tests run (SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction

from kilowatt.ledger import models, operations, queries
from kilowatt.ledger.domain import LineSpec
from kilowatt.platform.errors import InvalidInput, NotFound
from tests.integration.ledger.conftest import POSTED_AT, TODAY, charge, payment, postgresql_only

pytestmark = pytest.mark.django_db


def rules(error: InvalidInput) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in error.problems]


def counts() -> tuple[int, int]:
    return models.Transaction.objects.count(), models.Line.objects.count()


class TestPosting:
    def test_a_charge_is_owed_and_the_ledgers_balance(self):
        transaction_id = charge(holder=7, total=12_600, reference="invoice:KWE0000001")

        posted = models.Transaction.objects.get(id=transaction_id)
        assert (posted.kind, posted.reference, posted.posted_by) == (
            "CHARGE",
            "invoice:KWE0000001",
            "billing",
        )
        assert queries.balance_for_account(holder=7) == 12_600
        assert queries.trial_balance() == {
            "RECEIVABLE": 12_600,
            "ENERGY_SALES": -12_000,
            "VAT_OUTPUT": -600,
            "CCL": 0,
            "CASH": 0,
            "BAD_DEBT": 0,
            "COMPENSATION": 0,
            "MIGRATION": 0,
        }

    def test_a_payment_write_off_and_compensation_bring_the_balance_down(self):
        charge(holder=7, total=10_000, reference="invoice:1")
        payment(holder=7, amount=6_000, reference="payment:1")
        for kind, ledger, amount in (
            ("WRITE_OFF", "BAD_DEBT", 1_000),
            ("COMPENSATION", "COMPENSATION", 3_000),
        ):
            operations.post_transaction(
                kind=kind,
                reference=f"{kind}:1",
                description=kind,
                effective_date=TODAY,
                lines=[LineSpec("RECEIVABLE", -amount, holder=7), LineSpec(ledger, amount)],
                posted_at=POSTED_AT,
                posted_by="collections",
            )

        assert queries.balance_for_account(holder=7) == 0
        assert sum(queries.trial_balance().values()) == 0

    def test_a_transfer_moves_a_balance_between_accounts(self):
        charge(holder=7, total=5_000, reference="invoice:1")
        operations.post_transaction(
            kind="TRANSFER",
            reference="transfer:1",
            description="Moved to the new account",
            effective_date=TODAY,
            lines=[
                LineSpec("RECEIVABLE", -5_000, holder=7),
                LineSpec("RECEIVABLE", 5_000, holder=8),
            ],
            posted_at=POSTED_AT,
            posted_by="admin",
        )

        assert queries.balances_for_accounts(holders=[7, 8, 9]) == {7: 0, 8: 5_000, 9: 0}

    def test_an_unbalanced_posting_is_refused_and_writes_nothing(self):
        with pytest.raises(InvalidInput) as refused:
            operations.post_transaction(
                kind="CHARGE",
                reference="invoice:1",
                description="Your bill",
                effective_date=TODAY,
                lines=[LineSpec("RECEIVABLE", 100, holder=7), LineSpec("ENERGY_SALES", -99)],
                posted_at=POSTED_AT,
                posted_by="billing",
            )

        assert rules(refused.value) == [("lines", "unbalanced")]
        assert counts() == (0, 0)


class TestIdempotency:
    def test_the_same_posting_again_returns_the_first_and_writes_nothing(self):
        first = charge(holder=7, total=12_600, reference="invoice:1")
        before = counts()

        again = charge(holder=7, total=12_600, reference="invoice:1")

        assert again == first
        assert counts() == before
        assert queries.balance_for_account(holder=7) == 12_600

    def test_the_same_lines_in_another_order_are_the_same_posting(self):
        lines = [LineSpec("RECEIVABLE", -500, holder=7), LineSpec("CASH", 500)]
        posted = [
            operations.post_transaction(
                kind="PAYMENT",
                reference="payment:1",
                description="Card",
                effective_date=TODAY,
                lines=order,
                posted_at=POSTED_AT,
                posted_by="payments",
            )
            for order in (lines, lines[::-1])
        ]

        assert posted[0] == posted[1]

    def test_other_lines_under_a_reference_posted_already_are_refused(self):
        charge(holder=7, total=12_600, reference="invoice:1")
        before = counts()

        with pytest.raises(InvalidInput) as refused:
            charge(holder=7, total=12_700, reference="invoice:1")

        assert rules(refused.value) == [("reference", "already_posted_differently")]
        assert counts() == before

    def test_another_kind_under_a_reference_posted_already_is_refused(self):
        payment(holder=7, amount=500, reference="ref:1")

        with pytest.raises(InvalidInput) as refused:
            operations.post_transaction(
                kind="REFUND",
                reference="ref:1",
                description="Refund",
                effective_date=TODAY,
                lines=[LineSpec("RECEIVABLE", -500, holder=7), LineSpec("CASH", 500)],
                posted_at=POSTED_AT,
                posted_by="payments",
            )

        assert rules(refused.value) == [("reference", "already_posted_differently")]

    def test_a_refusal_inside_a_callers_transaction_leaves_its_work_alone(self):
        with transaction.atomic():
            charge(holder=7, total=100, reference="invoice:1")
            with pytest.raises(InvalidInput):
                charge(holder=7, total=200, reference="invoice:1")
            payment(holder=7, amount=100, reference="payment:1")

        assert counts() == (2, 5)


class TestReversal:
    def test_a_reversal_posts_the_lines_negated_and_points_at_what_it_corrects(self):
        original = charge(holder=7, total=12_600, reference="invoice:1")

        reversal = operations.reverse_transaction(
            transaction_id=original,
            reference="invoice:1:cancelled",
            description="Bill cancelled",
            effective_date=TODAY,
            posted_at=POSTED_AT,
            posted_by="billing",
        )

        posted = models.Transaction.objects.get(id=reversal)
        assert (posted.kind, posted.reverses_id) == ("CHARGE", original)
        assert sorted(
            models.Line.objects.filter(transaction_id=reversal).values_list(
                "ledger", "amount_pence", "holder", "document"
            )
        ) == [
            ("ENERGY_SALES", 12_000, None, ""),
            ("RECEIVABLE", -12_600, 7, "invoice:1"),
            ("VAT_OUTPUT", 600, None, ""),
        ]
        assert queries.balance_for_account(holder=7) == 0
        assert set(queries.trial_balance().values()) == {0}

    def test_reversing_again_under_the_same_reference_returns_the_reversal(self):
        original = charge(holder=7, total=100, reference="invoice:1")
        kwargs = dict(
            transaction_id=original,
            reference="invoice:1:cancelled",
            description="Bill cancelled",
            effective_date=TODAY,
            posted_at=POSTED_AT,
            posted_by="billing",
        )
        first = operations.reverse_transaction(**kwargs)
        before = counts()

        assert operations.reverse_transaction(**kwargs) == first
        assert counts() == before

    def test_a_transaction_is_reversed_once(self):
        original = charge(holder=7, total=100, reference="invoice:1")
        operations.reverse_transaction(
            transaction_id=original,
            reference="invoice:1:cancelled",
            description="Bill cancelled",
            effective_date=TODAY,
            posted_at=POSTED_AT,
            posted_by="billing",
        )
        before = counts()

        with pytest.raises(InvalidInput) as refused:
            operations.reverse_transaction(
                transaction_id=original,
                reference="invoice:1:cancelled-again",
                description="Bill cancelled",
                effective_date=TODAY,
                posted_at=POSTED_AT,
                posted_by="billing",
            )

        assert rules(refused.value) == [("transaction_id", "already_reversed")]
        assert counts() == before

    def test_a_reversal_of_a_reversal_reinstates(self):
        original = charge(holder=7, total=100, reference="invoice:1")
        reversal = operations.reverse_transaction(
            transaction_id=original,
            reference="r1",
            description="Cancelled",
            effective_date=TODAY,
            posted_at=POSTED_AT,
            posted_by="billing",
        )
        operations.reverse_transaction(
            transaction_id=reversal,
            reference="r2",
            description="Cancelled in error",
            effective_date=TODAY,
            posted_at=POSTED_AT,
            posted_by="billing",
        )

        assert queries.balance_for_account(holder=7) == 100

    def test_a_missing_transaction_is_not_found(self):
        with pytest.raises(NotFound):
            operations.reverse_transaction(
                transaction_id=999_999,
                reference="r1",
                description="Cancelled",
                effective_date=TODAY,
                posted_at=POSTED_AT,
                posted_by="billing",
            )

    def test_post_transaction_refuses_to_reverse_what_does_not_exist_or_was_reversed(self):
        original = charge(holder=7, total=100, reference="invoice:1")
        lines = [LineSpec("RECEIVABLE", -100, holder=7), LineSpec("ENERGY_SALES", 100)]
        common = dict(
            kind="CHARGE", description="x", effective_date=TODAY, lines=lines,
            posted_at=POSTED_AT, posted_by="billing",
        )  # fmt: skip
        operations.post_transaction(reference="r1", reverses_id=original, **common)

        with pytest.raises(InvalidInput) as twice:
            operations.post_transaction(reference="r2", reverses_id=original, **common)
        with pytest.raises(InvalidInput) as unknown:
            operations.post_transaction(reference="r3", reverses_id=999_999, **common)

        assert rules(twice.value) == [("reverses_id", "already_reversed")]
        assert rules(unknown.value) == [("reverses_id", "unknown")]


class TestQueries:
    def test_a_balance_on_a_date_counts_lines_effective_by_then(self):
        charge(holder=7, total=1_000, reference="i1", on=datetime.date(2026, 9, 1))
        charge(holder=7, total=2_000, reference="i2", on=datetime.date(2026, 10, 1))
        payment(holder=7, amount=500, reference="p1", on=datetime.date(2026, 10, 2))

        assert queries.balance_for_account(holder=7, on=datetime.date(2026, 8, 31)) == 0
        assert queries.balance_for_account(holder=7, on=datetime.date(2026, 10, 1)) == 3_000
        assert queries.balance_for_account(holder=7) == 2_500
        assert queries.balance_for_account(holder=8) == 0

    def test_lines_newest_first_paged_by_id(self):
        ids = [
            charge(holder=7, total=100 * n, reference=f"i{n}", on=datetime.date(2026, 1, n))
            for n in range(1, 6)
        ]
        charge(holder=8, total=999, reference="other")

        first = queries.lines_for_account(holder=7, limit=2)
        second = queries.lines_for_account(holder=7, limit=2, after=first[-1].id)
        since = queries.lines_for_account(holder=7, since=datetime.date(2026, 1, 4))

        assert [line.transaction_id for line in first + second] == ids[::-1][:4]
        assert first[0] == queries.LedgerLineRecord(
            id=first[0].id,
            transaction_id=ids[-1],
            kind="CHARGE",
            reference="i5",
            description="Your bill",
            effective_date=datetime.date(2026, 1, 5),
            amount_pence=500,
            document="i5",
            posted_at=POSTED_AT,
        )
        assert [line.reference for line in since] == ["i5", "i4"]

    def test_payments_since_a_date_net_of_bounced_ones(self):
        payment(holder=7, amount=1_000, reference="p1", on=datetime.date(2026, 9, 30))
        payment(holder=7, amount=2_000, reference="p2", on=datetime.date(2026, 10, 1))
        bounced = payment(holder=7, amount=700, reference="p3", on=datetime.date(2026, 10, 5))
        payment(holder=8, amount=5_000, reference="p4", on=datetime.date(2026, 10, 5))
        charge(holder=7, total=9_000, reference="i1", on=datetime.date(2026, 10, 6))
        operations.reverse_transaction(
            transaction_id=bounced,
            reference="p3:bounced",
            description="Direct Debit returned",
            effective_date=datetime.date(2026, 10, 9),
            posted_at=POSTED_AT,
            posted_by="payments",
        )

        assert queries.payments_since(holder=7, since=datetime.date(2026, 10, 1)) == 2_000
        assert queries.payments_since(holder=7, since=datetime.date(2026, 9, 1)) == 3_000

    def test_balances_for_many_accounts_take_one_query(self, django_assert_num_queries):
        for holder in (1, 2, 3):
            charge(holder=holder, total=100 * holder, reference=f"i{holder}")

        with django_assert_num_queries(1):
            balances = queries.balances_for_accounts(holders=[3, 1, 2, 4])

        assert balances == {1: 100, 2: 200, 3: 300, 4: 0}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_posting_the_same_reference_at_once_write_it_once():
    barrier = threading.Barrier(2)
    results: list[object] = []

    def post() -> None:
        try:
            barrier.wait()
            results.append(charge(holder=7, total=100, reference="invoice:race"))
        except Exception as error:  # pragma: no cover - shown in the assertion
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert counts() == (1, 3)
