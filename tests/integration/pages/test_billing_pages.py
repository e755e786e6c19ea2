"""The billing team's pages: bill runs started, watched (an HTMX fragment that polls while
the run bills) and released, and the held bills worked. Everyone else is refused."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.billing import models
from kilowatt.billing import operations as billing_operations
from kilowatt.identity.domain.roles import Role
from tests.factories import billing

MAY_RUN = [Role.BILLING, Role.SYSADMIN]
MAY_NOT = [Role.AGENT, Role.ADMIN, Role.COMPLAINTS, Role.COLLECTIONS, Role.CUSTOMER]


@pytest.fixture
def held(db):
    """A complete run of 1 March 2026: the home's bill held, the business's a draft."""
    world = billing.billed_book()
    run_id = billing.bill()
    invoice = billing.hold(billing.invoice_of(world.home.account).id)
    return world, run_id, invoice


class TestWhoMayRunBills:
    @pytest.mark.parametrize("role", MAY_NOT)
    def test_others_are_refused_see_nothing_and_change_nothing(self, signed_in, held, role):
        _, run_id, invoice = held
        client = signed_in(role)

        answers = [
            client.get("/billing/runs/"),
            client.get(f"/billing/runs/{run_id}/"),
            client.get(f"/billing/runs/{run_id}/", headers={"HX-Request": "true"}),
            client.get("/billing/exceptions/"),
            client.get(f"/billing/exceptions/{invoice.id}/"),
            client.post("/billing/runs/", {"run_date": "2026-04-01"}),
            client.post(f"/billing/runs/{run_id}/"),
            client.post(f"/billing/exceptions/{invoice.id}/", {"action": "release"}),
            client.post(f"/billing/exceptions/{invoice.id}/", {"action": "rebill"}),
        ]

        assert {answer.status_code for answer in answers} == {403}
        assert not any(b"far_from_usual" in answer.content for answer in answers)
        assert not any(b"Billing</a>" in answer.content for answer in answers)
        assert models.BillRun.objects.get().status == "COMPLETE"
        assert models.Invoice.objects.get(id=invoice.id).status == "HELD"

    @pytest.mark.parametrize("path", ["/billing/runs/", "/billing/runs/1/", "/billing/exceptions/"])
    def test_anonymous_visitors_sign_in_first(self, signed_in, path):
        response = signed_in(None).get(path)

        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    @pytest.mark.parametrize("role", MAY_RUN)
    def test_the_team_sees_the_runs_and_the_nav_link(self, signed_in, held, role):
        response = signed_in(role).get("/billing/runs/")

        assert response.status_code == 200
        assert b'data-testid="nav-billing"' in response.content
        assert b"1 Mar 2026" in response.content
        assert b"100%" in response.content


class TestRuns:
    def test_starting_a_run_bills_its_chunks_and_shows_the_run(self, signed_in, db):
        billing.billed_book()
        client = signed_in(Role.BILLING)

        response = client.post("/billing/runs/", {"run_date": "2026-03-01"})

        run = models.BillRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/billing/runs/{run.id}/"
        assert run.status == "COMPLETE"  # no broker: the chunks ran in process
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert b'data-status="complete"' in page.content
        assert b"Release 2 bills" in page.content
        assert b"hx-trigger" not in page.content  # complete: nothing to poll for

    def test_a_date_that_is_not_one_is_answered_beside_the_field(self, signed_in, db):
        response = signed_in(Role.BILLING).post("/billing/runs/", {"run_date": "31/02/2026"})

        assert response.status_code == 422
        assert b"Enter a date like 2026-12-01" in response.content
        assert not models.BillRun.objects.exists()

    def test_a_running_run_polls_its_progress_fragment(self, signed_in, db):
        world = billing.billed_book()
        from kilowatt.billing import operations

        run_id = operations.start_bill_run(
            run_date=billing.RUN_DATE, started_by="t", as_at=billing.AS_AT, chunk_size=1
        )
        client = signed_in(Role.BILLING)

        whole = client.get(f"/billing/runs/{run_id}/")
        fragment = client.get(f"/billing/runs/{run_id}/", headers={"HX-Request": "true"})

        assert world.home.account  # the book is there
        assert b'hx-trigger="every 2s"' in whole.content
        assert b"<html" in whole.content
        assert b"<html" not in fragment.content
        assert b'hx-trigger="every 2s"' in fragment.content
        assert b"0%" in fragment.content
        assert b"Release" not in fragment.content

    def test_releasing_issues_the_drafts_and_leaves_the_held(self, signed_in, held):
        world, run_id, invoice = held
        client = signed_in(Role.BILLING)

        response = client.post(f"/billing/runs/{run_id}/")

        assert response.status_code == 302
        assert models.BillRun.objects.get(id=run_id).status == "RELEASED"
        assert billing.invoice_of(world.business.account).status == "ISSUED"
        assert models.Invoice.objects.get(id=invoice.id).status == "HELD"
        again = client.post(f"/billing/runs/{run_id}/")
        assert again.status_code == 422
        assert b"released already" in again.content

    def test_the_run_counts_its_held_bills_by_rule_linking_to_the_queue(self, signed_in, held):
        _, run_id, _ = held

        response = signed_in(Role.BILLING).get(f"/billing/runs/{run_id}/")

        assert b'href="/billing/exceptions/?rule=far_from_usual"' in response.content

    def test_a_missing_run_is_not_found(self, signed_in, db):
        assert signed_in(Role.BILLING).get("/billing/runs/999/").status_code == 404


class TestHeldBills:
    def test_the_queue_lists_the_held_bill_with_its_customer(self, signed_in, held):
        world, _, invoice = held
        client = signed_in(Role.BILLING)

        everything = client.get("/billing/exceptions/")
        of_the_rule = client.get("/billing/exceptions/?rule=far_from_usual")
        of_another = client.get("/billing/exceptions/?rule=zero_consumption")

        assert everything.status_code == 200
        assert world.home.account.encode() in everything.content
        assert b"\xc2\xa3224.77" in everything.content  # £224.77
        assert f"/billing/exceptions/{invoice.id}/".encode() in of_the_rule.content
        assert b"Nothing held" in of_another.content

    def test_the_bill_shows_its_lines_and_why_it_is_held(self, signed_in, held):
        _, _, invoice = held

        response = signed_in(Role.BILLING).get(f"/billing/exceptions/{invoice.id}/")

        assert response.status_code == 200
        for text in (b"Standing charge", b"Energy", b"300 kWh", b"24.86p", b"the last bill was"):
            assert text in response.content
        assert b"first bill" in response.content

    def test_adjusting_in_pounds_adds_a_line_and_keeps_it_held(self, signed_in, held):
        _, _, invoice = held
        client = signed_in(Role.BILLING)

        response = client.post(
            f"/billing/exceptions/{invoice.id}/",
            {"action": "adjust", "amount": "-12.50", "reason": "Goodwill"},
        )

        assert response.status_code == 302
        bill = models.Invoice.objects.get(id=invoice.id)
        assert (bill.status, bill.total_pence) == ("HELD", 22477 - 1250)
        page = client.get(response["Location"])
        assert b"Goodwill" in page.content and b"-\xc2\xa312.50" in page.content

    @pytest.mark.parametrize(
        ("amount", "reason", "says"),
        [
            ("twelve", "Goodwill", b"Enter pounds and pence"),
            ("12.505", "Goodwill", b"Enter pounds and pence"),
            ("", "Goodwill", b"Enter an amount"),
            ("-5", "", b"Say why the bill is adjusted"),
            ("-300.00", "Goodwill", b"below zero"),
        ],
    )
    def test_a_bad_adjustment_is_answered_beside_its_field(
        self, signed_in, held, amount, reason, says
    ):
        _, _, invoice = held

        response = signed_in(Role.BILLING).post(
            f"/billing/exceptions/{invoice.id}/",
            {"action": "adjust", "amount": amount, "reason": reason},
        )

        assert response.status_code == 422
        assert says in response.content
        assert models.Invoice.objects.get(id=invoice.id).total_pence == 22477

    def test_releasing_sends_it_back_to_the_run(self, signed_in, held):
        _, _, invoice = held

        response = signed_in(Role.BILLING).post(
            f"/billing/exceptions/{invoice.id}/", {"action": "release"}
        )

        assert response.status_code == 302
        assert response["Location"] == "/billing/exceptions/"
        assert models.Invoice.objects.get(id=invoice.id).status == "DRAFT"

    def test_rebilling_cancels_it(self, signed_in, held):
        _, _, invoice = held
        client = signed_in(Role.SYSADMIN)

        response = client.post(f"/billing/exceptions/{invoice.id}/", {"action": "rebill"})

        assert response.status_code == 302
        assert models.Invoice.objects.get(id=invoice.id).status == "CANCELLED"
        page = client.get(f"/billing/exceptions/{invoice.id}/")
        assert b'data-testid="decide"' not in page.content  # decided: nothing left to do
        again = client.post(f"/billing/exceptions/{invoice.id}/", {"action": "release"})
        assert again.status_code == 422
        assert b"not held" in again.content

    def test_a_draft_or_missing_bill_is_not_found(self, signed_in, held):
        world, _, _ = held
        client = signed_in(Role.BILLING)
        draft = billing.invoice_of(world.business.account)

        assert client.get(f"/billing/exceptions/{draft.id}/").status_code == 404
        assert client.get("/billing/exceptions/999999/").status_code == 404


class TestRestatePrevious:
    def test_the_bill_before_a_held_one_can_be_restated_by_the_billing_team_only(
        self, signed_in, held
    ):
        world, run_id, invoice = held
        now = datetime.datetime.now(datetime.UTC)
        billing_operations.release_held_invoice(invoice_id=invoice.id, decided_by="t", as_at=now)
        billing_operations.release_bill_run(run_id=run_id, released_by="t", as_at=now)
        april = billing.bill(datetime.date(2026, 4, 1))
        held_april = models.Invoice.objects.get(account__number=world.home.account, run_id=april)
        assert held_april.status == "HELD"  # no reads since March: nothing to charge
        path = f"/billing/exceptions/{held_april.id}/"

        refused = signed_in(Role.AGENT).post(
            path, {"action": "restate_previous", "restate_reason": "late read"}
        )
        page = signed_in(Role.BILLING).get(path)
        done = signed_in(Role.BILLING).post(
            path, {"action": "restate_previous", "restate_reason": "late read"}
        )

        assert refused.status_code == 403
        assert b'data-testid="restate-previous"' in page.content
        assert done.status_code == 302
        assert models.Invoice.objects.get(id=invoice.id).status == "ISSUED"  # nothing changed
