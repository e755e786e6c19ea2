"""Working the held bills: release (with the run, or on its own after the run went out),
adjust (a line outside the scope of VAT), re-bill (cancel and free the reads)."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.billing import models, operations, queries
from kilowatt.identity.domain.roles import Role
from kilowatt.ledger import queries as ledger_queries
from kilowatt.metering import models as metering_models
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.platform.models import AuditEntry, OutboxEvent
from tests.factories import billing

pytestmark = pytest.mark.django_db

LATER = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def world():
    return billing.billed_book()


@pytest.fixture
def held(world):
    """The home's bill of the 1 March run, held; the run complete, not released."""
    run_id = billing.bill()
    invoice = billing.hold(billing.invoice_of(world.home.account).id)
    return run_id, invoice


def _rules(error: InvalidInput) -> list[tuple[str, str]]:
    return [(problem.field, problem.rule) for problem in error.problems]


class TestRelease:
    def test_before_the_run_is_released_it_goes_out_with_the_run(self, world, held):
        run_id, invoice = held

        released = operations.release_held_invoice(
            invoice_id=invoice.id, decided_by="bill.team", as_at=LATER
        )

        assert (released.status, released.number, released.decided_by) == (
            "DRAFT",
            None,
            "bill.team",
        )
        assert operations.release_bill_run(run_id=run_id, released_by="t", as_at=LATER) == 2
        assert models.Invoice.objects.get(id=invoice.id).status == "ISSUED"

    def test_after_the_run_went_out_it_is_issued_and_posted_on_its_own(self, world, held):
        run_id, invoice = held
        operations.release_bill_run(run_id=run_id, released_by="t", as_at=LATER)
        assert models.Invoice.objects.get(id=invoice.id).status == "HELD"

        released = operations.release_held_invoice(
            invoice_id=invoice.id, decided_by="bill.team", as_at=LATER
        )

        assert released.status == "ISSUED"
        assert released.number.startswith("KWE")
        assert ledger_queries.balance_for_account(holder=invoice.account_id) == 22477
        assert sum(ledger_queries.trial_balance().values()) == 0
        entry = AuditEntry.objects.get(entity="invoice", entity_id=str(invoice.id))
        assert (entry.action, entry.actor_name) == ("RELEASED", "bill.team")
        assert entry.changes["number"] == [None, released.number]
        event = OutboxEvent.objects.get(name="billing.invoice.released.v1")
        assert event.payload["invoice_id"] == invoice.id

    def test_a_bill_not_held_is_refused_and_nothing_changes(self, world, held):
        draft = billing.invoice_of(world.business.account)

        with pytest.raises(InvalidInput) as refused:
            operations.release_held_invoice(invoice_id=draft.id, decided_by="x", as_at=LATER)

        assert _rules(refused.value) == [("invoice", "not_held")]
        assert not OutboxEvent.objects.filter(name__startswith="billing.invoice.").exists()

    def test_a_missing_bill_is_not_found(self, world):
        with pytest.raises(NotFound):
            operations.release_held_invoice(invoice_id=987654, decided_by="x", as_at=LATER)

    def test_releasing_twice_is_refused_the_second_time(self, world, held):
        _, invoice = held
        operations.release_held_invoice(invoice_id=invoice.id, decided_by="a", as_at=LATER)
        with pytest.raises(InvalidInput) as refused:
            operations.release_held_invoice(invoice_id=invoice.id, decided_by="b", as_at=LATER)
        assert _rules(refused.value) == [("invoice", "not_held")]


class TestAdjust:
    def test_a_credit_is_a_line_outside_vat_and_the_bill_stays_held(self, world, held):
        _, invoice = held

        adjusted = operations.adjust_held_invoice(
            invoice_id=invoice.id,
            amount_pence=-1250,
            reason="  Goodwill for the   missed appointment ",
            decided_by="bill.team",
            as_at=LATER,
        )

        assert adjusted.status == "HELD"
        assert (adjusted.net_pence, adjusted.vat_pence, adjusted.total_pence) == (
            21407 - 1250,
            1070,
            22477 - 1250,
        )
        line = adjusted.lines.order_by("-position").first()
        assert (line.kind, line.amount_pence, line.vat_rate, line.position) == (
            "ADJUSTMENT",
            -1250,
            0,
            6,
        )
        assert line.description == "Goodwill for the missed appointment"
        assert OutboxEvent.objects.filter(name="billing.invoice.adjusted.v1").count() == 1
        assert AuditEntry.objects.get(entity="invoice").changes["total_pence"] == [22477, 21227]

    def test_the_adjusted_bill_is_issued_with_its_adjustment(self, world, held):
        run_id, invoice = held
        operations.adjust_held_invoice(
            invoice_id=invoice.id, amount_pence=523, reason="Meter fee", decided_by="a", as_at=LATER
        )
        operations.release_held_invoice(invoice_id=invoice.id, decided_by="a", as_at=LATER)
        operations.release_bill_run(run_id=run_id, released_by="t", as_at=LATER)

        assert ledger_queries.balance_for_account(holder=invoice.account_id) == 22477 + 523
        assert sum(ledger_queries.trial_balance().values()) == 0

    @pytest.mark.parametrize(
        ("amount", "reason", "expected"),
        [
            (0, "A reason", [("amount_pence", "not_zero")]),
            (-22478, "Too much credit", [("amount_pence", "total_negative")]),
            (2_000_000, "Too much", [("amount_pence", "too_large")]),
            (100, "", [("reason", "required")]),
            (100, " ab ", [("reason", "too_short")]),
            (100, "x" * 201, [("reason", "too_long")]),
            (0, "", [("amount_pence", "not_zero"), ("reason", "required")]),
        ],
    )
    def test_a_bad_adjustment_names_field_and_rule_and_changes_nothing(
        self, world, held, amount, reason, expected
    ):
        _, invoice = held

        with pytest.raises(InvalidInput) as refused:
            operations.adjust_held_invoice(
                invoice_id=invoice.id,
                amount_pence=amount,
                reason=reason,
                decided_by="a",
                as_at=LATER,
            )

        assert _rules(refused.value) == expected
        assert models.Invoice.objects.get(id=invoice.id).total_pence == 22477
        assert not models.InvoiceLine.objects.filter(invoice_id=invoice.id, kind="ADJUSTMENT")

    def test_a_credit_down_to_zero_is_allowed(self, world, held):
        _, invoice = held
        adjusted = operations.adjust_held_invoice(
            invoice_id=invoice.id, amount_pence=-22477, reason="Waived", decided_by="a", as_at=LATER
        )
        assert adjusted.total_pence == 0

    def test_a_bill_not_held_is_not_adjusted(self, world, held):
        draft = billing.invoice_of(world.business.account)
        with pytest.raises(InvalidInput) as refused:
            operations.adjust_held_invoice(
                invoice_id=draft.id, amount_pence=100, reason="nope", decided_by="a", as_at=LATER
            )
        assert _rules(refused.value) == [("invoice", "not_held")]


class TestRebill:
    def test_the_bill_is_cancelled_and_the_next_run_bills_its_period_afresh(self, world, held):
        run_id, invoice = held

        cancelled = operations.rebill_held_invoice(
            invoice_id=invoice.id, decided_by="bill.team", as_at=LATER
        )

        assert (cancelled.status, cancelled.decided_by) == ("CANCELLED", "bill.team")
        entry = AuditEntry.objects.get(entity="invoice")
        assert (entry.action, entry.changes["status"]) == ("REBILLED", ["HELD", "CANCELLED"])
        event = OutboxEvent.objects.get(name="billing.invoice.rebilled.v1")
        assert event.payload["period_start"] == "2026-02-01"
        # The run goes out without it; the next run bills February and March together.
        operations.release_bill_run(run_id=run_id, released_by="t", as_at=LATER)
        (site,) = world.home.sites
        april = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
        billing.read(site.mpan, april, "1600")
        billing.read(site.mprn, april, "580")
        billing.bill(datetime.date(2026, 4, 1))
        again = billing.invoice_of(world.home.account)
        assert again.id != invoice.id
        assert (again.period_start, again.period_end) == (
            datetime.date(2026, 2, 1),
            datetime.date(2026, 4, 1),
        )
        energy = again.lines.filter(kind="ENERGY", meter_point=site.mpan)
        assert sum(line.quantity for line in energy) == 600  # 300 kWh a month, billed once

    def test_a_bill_not_held_is_not_rebilled(self, world, held):
        draft = billing.invoice_of(world.business.account)
        with pytest.raises(InvalidInput):
            operations.rebill_held_invoice(invoice_id=draft.id, decided_by="a", as_at=LATER)
        assert models.Invoice.objects.get(id=draft.id).status == "DRAFT"


class TestTheGate:
    @pytest.mark.parametrize("role", [Role.AGENT, Role.COMPLAINTS, Role.ADMIN, Role.CUSTOMER])
    def test_others_may_not_see_the_queue(self, world, held, role):
        from tests.factories import book

        who = book.principal(role)
        with pytest.raises(NotAllowed):
            queries.held_invoices_page(principal=who)
        with pytest.raises(NotAllowed):
            queries.held_invoice_for(principal=who, invoice_id=held[1].id)
        with pytest.raises(NotAllowed):
            queries.bill_runs_for(principal=who)

    def test_the_billing_team_sees_the_bill_its_account_and_customer(self, world, held):
        run_id, invoice = held
        team = world.staff[Role.BILLING]

        (row,) = queries.held_invoices_page(principal=team, rule="far_from_usual")
        view = queries.held_invoice_for(principal=team, invoice_id=invoice.id)
        run = queries.bill_run_for(principal=team, run_id=run_id)

        assert (row.id, row.account_number, row.total_pence) == (
            invoice.id,
            world.home.account,
            22477,
        )
        assert row.customer_name
        assert queries.held_invoices_page(principal=team, rule="zero_consumption") == []
        assert [line.kind for line in view.lines][-1] == "VAT"
        assert view.previous is None
        assert run.held_by_rule == (("far_from_usual", 1),)
        assert run.drafts == 1

    def test_a_genuinely_held_bill_is_in_the_queue(self, world):
        metering_models.Read.objects.filter(read_at=billing.MAR_1).delete()
        billing.bill()
        team = world.staff[Role.BILLING]
        rules = {row.hold_rule for row in queries.held_invoices_page(principal=team)}
        assert "zero_consumption" in rules
