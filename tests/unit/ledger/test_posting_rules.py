"""The rules of a posting: at least two lines, none of zero, holders on customer balance
lines only, and a sum of zero; and the same rules on the columns of a bill run's journal."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kilowatt.ledger.domain import (
    LineSpec,
    check_balanced,
    journal_lines,
    negated,
    postings,
    same_lines,
)


def rules(problems) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in problems]


def charge(total=12_000, holder=7) -> list[LineSpec]:
    return [
        LineSpec("RECEIVABLE", total, holder=holder, document="KWE0000001"),
        LineSpec("ENERGY_SALES", -(total - total // 21)),
        LineSpec("VAT_OUTPUT", -(total // 21)),
    ]


class TestCheckBalanced:
    def test_a_charge_balances(self):
        assert check_balanced(charge()) == []

    def test_a_payment_a_write_off_and_compensation_balance(self):
        assert check_balanced([LineSpec("RECEIVABLE", -5000, 7), LineSpec("CASH", 5000)]) == []
        assert check_balanced([LineSpec("RECEIVABLE", -900, 7), LineSpec("BAD_DEBT", 900)]) == []
        assert (
            check_balanced([LineSpec("RECEIVABLE", -3000, 7), LineSpec("COMPENSATION", 3000)]) == []
        )

    def test_a_transfer_is_two_customer_lines(self):
        assert (
            check_balanced([LineSpec("RECEIVABLE", -2500, 7), LineSpec("RECEIVABLE", 2500, 8)])
            == []
        )

    def test_lines_that_do_not_sum_to_zero_are_unbalanced(self):
        lines = [LineSpec("RECEIVABLE", 100, 7), LineSpec("CASH", -99)]

        assert rules(check_balanced(lines)) == [("lines", "unbalanced")]

    @pytest.mark.parametrize("count", [0, 1])
    def test_a_posting_has_two_lines_at_least(self, count):
        lines = [LineSpec("CASH", 0)][:count]

        assert ("lines", "too_few") in rules(check_balanced(lines))

    def test_no_line_is_zero(self):
        lines = [LineSpec("RECEIVABLE", 0, 7), LineSpec("CASH", 10), LineSpec("BAD_DEBT", -10)]

        assert rules(check_balanced(lines)) == [("lines.0.amount_pence", "not_zero")]

    def test_a_customer_balance_line_names_its_account(self):
        lines = [LineSpec("RECEIVABLE", 10), LineSpec("CASH", -10)]

        assert rules(check_balanced(lines)) == [("lines.0.holder", "required")]

    def test_only_customer_balance_lines_name_an_account(self):
        lines = [LineSpec("RECEIVABLE", 10, 7), LineSpec("CASH", -10, holder=7)]

        assert rules(check_balanced(lines)) == [("lines.1.holder", "not_allowed")]

    def test_the_ledger_is_one_of_ours(self):
        lines = [LineSpec("RECEIVABLE", 10, 7), LineSpec("PETTY_CASH", -10)]

        assert rules(check_balanced(lines)) == [("lines.1.ledger", "choice")]

    def test_a_document_has_a_limit(self):
        lines = [LineSpec("RECEIVABLE", 10, 7, document="x" * 41), LineSpec("CASH", -10)]

        assert rules(check_balanced(lines)) == [("lines.0.document", "too_long")]


class TestPostingParticulars:
    def test_good_particulars_pass(self):
        assert (
            postings.posting_problems(
                kind="CHARGE", reference="invoice:KWE1", description="Bill", posted_by="billing"
            )
            == []
        )

    def test_every_broken_rule_is_named(self):
        problems = postings.posting_problems(
            kind="GIFT", reference=" ", description="x" * 201, posted_by=""
        )

        assert rules(problems) == [
            ("kind", "choice"),
            ("reference", "required"),
            ("description", "too_long"),
            ("posted_by", "required"),
        ]


company_ledgers = st.sampled_from([ledger for ledger in postings.LEDGERS if ledger != "RECEIVABLE"])
amounts = st.integers(min_value=-(10**9), max_value=10**9).filter(bool)


@st.composite
def line_specs(draw) -> LineSpec:
    if draw(st.booleans()):
        return LineSpec("RECEIVABLE", draw(amounts), holder=draw(st.integers(1, 10**6)))
    return LineSpec(draw(company_ledgers), draw(amounts))


@st.composite
def balanced_lines(draw) -> list[LineSpec]:
    lines = draw(st.lists(line_specs(), min_size=1, max_size=12))
    total = sum(line.amount_pence for line in lines)
    if total == 0:
        return [*lines, LineSpec("CASH", 5), LineSpec("BAD_DEBT", -5)]
    return [*lines, LineSpec(draw(company_ledgers), -total)]


class TestProperties:
    @given(balanced_lines())
    def test_any_balanced_set_of_lines_passes(self, lines):
        assert check_balanced(lines) == []

    @given(balanced_lines(), company_ledgers, amounts)
    def test_any_unbalanced_set_of_lines_fails(self, lines, ledger, error):
        unbalanced = [*lines, LineSpec(ledger, error)]

        assert ("lines", "unbalanced") in rules(check_balanced(unbalanced))

    @given(balanced_lines())
    def test_the_reversal_of_a_balanced_posting_balances_and_undoes_it(self, lines):
        undone = negated(lines)

        assert check_balanced(undone) == []
        assert sum(a.amount_pence + b.amount_pence for a, b in zip(lines, undone, strict=True)) == 0
        assert same_lines(negated(undone), lines)

    @given(st.permutations(charge()))
    def test_the_same_lines_in_any_order_are_the_same(self, lines):
        assert same_lines(lines, charge())
        assert not same_lines(lines, charge(total=12_001))


def receivable(holders, amounts_, documents=None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "holder": holders,
            "amount_pence": amounts_,
            "document": documents or [f"KWE{i:07d}" for i in range(len(holders))],
        },
        schema=postings.RECEIVABLE_SCHEMA,
    )


class TestJournalLines:
    def test_a_line_a_row_and_a_line_a_contra_ledger(self):
        lines, problems = journal_lines(
            receivable([1, 2], [1050, 2100]), {"ENERGY_SALES": -3000, "VAT_OUTPUT": -150, "CCL": 0}
        )

        assert problems == []
        assert lines.columns == ["ledger", "holder", "amount_pence", "document"]
        assert lines.rows() == [
            ("RECEIVABLE", 1, 1050, "KWE0000000"),
            ("RECEIVABLE", 2, 2100, "KWE0000001"),
            ("ENERGY_SALES", None, -3000, ""),
            ("VAT_OUTPUT", None, -150, ""),
        ]

    def test_rows_of_zero_are_left_out(self):
        lines, problems = journal_lines(receivable([1, 2], [0, 500]), {"ENERGY_SALES": -500})

        assert problems == []
        assert lines["holder"].to_list() == [2, None]

    def test_an_unbalanced_journal_is_refused(self):
        _lines, problems = journal_lines(receivable([1, 2], [100, 200]), {"ENERGY_SALES": -299})

        assert rules(problems) == [("lines", "unbalanced")]

    def test_every_row_names_an_account(self):
        _lines, problems = journal_lines(receivable([1, None], [100, 200]), {"ENERGY_SALES": -300})

        assert rules(problems) == [("receivable.holder", "required")]

    def test_contra_ledgers_are_the_companys(self):
        _lines, problems = journal_lines(receivable([1], [100]), {"RECEIVABLE": -50, "TIPS": -50})

        assert rules(problems) == [("contra.RECEIVABLE", "choice"), ("contra.TIPS", "choice")]

    def test_nothing_to_post_is_too_few_lines(self):
        _lines, problems = journal_lines(receivable([1], [0]), {"ENERGY_SALES": 0})

        assert rules(problems) == [("lines", "too_few")]

    def test_a_frame_without_the_columns_is_refused(self):
        _lines, problems = journal_lines(pl.DataFrame({"holder": [1]}), {"CASH": 1})

        assert rules(problems) == [("receivable", "columns")]

    def test_long_documents_are_refused(self):
        _lines, problems = journal_lines(receivable([1], [100], ["x" * 41]), {"ENERGY_SALES": -100})

        assert rules(problems) == [("receivable.document", "too_long")]

    @given(st.lists(st.tuples(st.integers(1, 10**6), amounts), min_size=1, max_size=50))
    def test_any_journal_whose_contra_takes_the_total_balances(self, rows):
        frame = receivable([h for h, _ in rows], [a for _, a in rows])
        total = sum(a for _, a in rows)

        lines, problems = journal_lines(frame, {"ENERGY_SALES": -total})

        assert problems == []
        assert lines["amount_pence"].sum() == 0


def test_the_domain_names_the_models_ledgers_and_kinds():
    from kilowatt.ledger import models

    assert set(postings.LEDGERS) == set(models.Ledger.values)
    assert set(postings.KINDS) == set(models.Transaction.Kind.values)
