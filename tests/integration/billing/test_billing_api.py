"""/bill-runs and /bill-exceptions: the billing team's, refused to everyone else."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kilowatt.billing import models, operations
from kilowatt.identity import operations as identity_operations
from kilowatt.identity.domain.roles import Role
from kilowatt.platform.models import AuditEntry
from tests.factories import billing, book, people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def held():
    world = billing.billed_book()
    run_id = billing.bill()
    invoice = billing.hold(billing.invoice_of(world.home.account).id)
    return world, run_id, invoice


def call(role: Role | None, method: str, path: str, body: Any = None) -> Any:
    """Call ``/api/v1<path>`` as a new user of ``role`` (None: anonymous)."""
    headers = {}
    if role is not None:
        who = book.principal(role)
        token, *_ = identity_operations.issue_token(
            username=who.username,
            password=people.PASSWORD,
            as_at=datetime.datetime.now(datetime.UTC),
        )
        headers = {"Authorization": f"Bearer {token}"}
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": body, "content_type": "application/json"}
    return getattr(Client(headers=headers), method.lower())(f"/api/v1{path}", **kwargs)


def _problems(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.content
    return [(p["field"], p["rule"]) for p in response.json()["detail"]]


class TestRefusals:
    @pytest.mark.parametrize("role", [Role.AGENT, Role.COMPLAINTS, Role.ADMIN, Role.CUSTOMER])
    def test_everyone_else_is_refused_and_nothing_changes(self, held, role):
        _, run_id, invoice = held
        before = AuditEntry.objects.count()
        calls = [
            ("GET", "/bill-runs", None),
            ("POST", "/bill-runs", {"run_date": "2026-04-01"}),
            ("GET", f"/bill-runs/{run_id}", None),
            ("POST", f"/bill-runs/{run_id}/release", None),
            ("GET", "/bill-exceptions", None),
            ("GET", f"/bill-exceptions/{invoice.id}", None),
            ("POST", f"/bill-exceptions/{invoice.id}/release", None),
            (
                "POST",
                f"/bill-exceptions/{invoice.id}/adjustment",
                {"amount_pence": -5, "reason": "x y z"},
            ),
            ("POST", f"/bill-exceptions/{invoice.id}/rebill", None),
        ]
        for method, path, body in calls:
            response = call(role, method, path, body)
            assert response.status_code == 403, (path, response.content)
            assert response.json() == {"detail": "Not allowed"}
        assert models.BillRun.objects.count() == 1
        assert models.BillRun.objects.get().status == "COMPLETE"
        assert models.Invoice.objects.get(id=invoice.id).status == "HELD"
        assert AuditEntry.objects.count() == before

    def test_anonymous_callers_are_unauthorised(self, held):
        assert call(None, "GET", "/bill-runs").status_code == 401
        assert call(None, "GET", "/bill-exceptions").status_code == 401


class TestBillRuns:
    def test_start_watch_and_release(self, db):
        world = billing.billed_book()

        started = call(Role.BILLING, "POST", "/bill-runs", {"run_date": "2026-03-01"})

        assert started.status_code == 201, started.content
        run = started.json()
        assert (run["status"], run["chunks_done"], run["invoices"], run["percent_done"]) == (
            "COMPLETE",
            1,
            2,
            100,
        )
        listed = call(Role.SYSADMIN, "GET", "/bill-runs").json()["items"]
        assert [item["id"] for item in listed] == [run["id"]]
        one = call(Role.BILLING, "GET", f"/bill-runs/{run['id']}").json()
        assert (one["drafts"], one["held_by_rule"], len(one["chunk_list"])) == (2, [], 1)
        released = call(Role.BILLING, "POST", f"/bill-runs/{run['id']}/release")
        assert released.status_code == 200
        assert (released.json()["status"], released.json()["issued"]) == ("RELEASED", 2)
        assert billing.invoice_of(world.home.account).status == "ISSUED"
        again = call(Role.BILLING, "POST", f"/bill-runs/{run['id']}/release")
        assert _problems(again) == [("run", "already_released")]

    def test_a_bad_date_names_the_field(self, db):
        response = call(Role.BILLING, "POST", "/bill-runs", {"run_date": "soon"})
        assert [field for field, _ in _problems(response)] == ["run_date"]

    def test_a_missing_run_is_not_found(self, db):
        assert call(Role.BILLING, "GET", "/bill-runs/999").status_code == 404
        assert call(Role.BILLING, "POST", "/bill-runs/999/release").status_code == 404


class TestHeldBills:
    def test_the_queue_by_rule(self, held):
        world, _, invoice = held

        page = call(Role.BILLING, "GET", "/bill-exceptions?rule=far_from_usual&limit=10")
        other = call(Role.BILLING, "GET", "/bill-exceptions?rule=zero_consumption")
        unknown = call(Role.BILLING, "GET", "/bill-exceptions?rule=whatever")

        assert page.status_code == 200
        (item,) = page.json()["items"]
        assert (item["id"], item["account_number"], item["total_pence"]) == (
            invoice.id,
            world.home.account,
            22477,
        )
        assert page.json()["next_after"] is None
        assert other.json()["items"] == []
        assert _problems(unknown) == [("rule", "choice")]

    def test_adjust_then_release_issues_with_the_run(self, held):
        _, run_id, invoice = held

        adjusted = call(
            Role.BILLING,
            "POST",
            f"/bill-exceptions/{invoice.id}/adjustment",
            {"amount_pence": -1250, "reason": "Goodwill"},
        )
        assert adjusted.status_code == 200, adjusted.content
        body = adjusted.json()
        assert (body["status"], body["total_pence"], body["lines"][-1]["kind"]) == (
            "HELD",
            21227,
            "ADJUSTMENT",
        )
        released = call(Role.BILLING, "POST", f"/bill-exceptions/{invoice.id}/release")
        assert (released.json()["status"], released.json()["number"]) == ("DRAFT", None)
        call(Role.BILLING, "POST", f"/bill-runs/{run_id}/release")
        issued = call(Role.BILLING, "GET", f"/bill-exceptions/{invoice.id}").json()
        assert issued["status"] == "ISSUED" and issued["number"].startswith("KWE")

    def test_a_bad_adjustment_names_field_and_rule(self, held):
        _, _, invoice = held
        response = call(
            Role.BILLING,
            "POST",
            f"/bill-exceptions/{invoice.id}/adjustment",
            {"amount_pence": 0, "reason": ""},
        )
        assert _problems(response) == [("amount_pence", "not_zero"), ("reason", "required")]

    def test_rebill_then_nothing_is_left_to_decide(self, held):
        _, _, invoice = held

        rebilled = call(Role.SYSADMIN, "POST", f"/bill-exceptions/{invoice.id}/rebill")
        again = call(Role.SYSADMIN, "POST", f"/bill-exceptions/{invoice.id}/release")

        assert rebilled.json()["status"] == "CANCELLED"
        assert _problems(again) == [("invoice", "not_held")]

    def test_a_missing_bill_is_not_found(self, held):
        assert call(Role.BILLING, "GET", "/bill-exceptions/999999").status_code == 404
        assert call(Role.BILLING, "POST", "/bill-exceptions/999999/release").status_code == 404


class TestRestate:
    def test_the_billing_team_restates_an_issued_bill_and_others_are_refused(self, held):
        world, run_id, _ = held
        operations.release_bill_run(
            run_id=run_id, released_by="test", as_at=datetime.datetime.now(datetime.UTC)
        )
        issued = billing.invoice_of(world.business.account)
        path = f"/invoices/{issued.id}/restatement"

        assert call(Role.AGENT, "POST", path, {"reason": "late read"}).status_code == 403
        assert call(None, "POST", path, {"reason": "late read"}).status_code == 401
        assert _problems(call(Role.BILLING, "POST", path, {"reason": " "})) == [
            ("reason", "required")
        ]
        unchanged = call(Role.BILLING, "POST", path, {"reason": "checking"})

        assert unchanged.status_code == 200
        assert unchanged.json() == {"restated": False, "replacement_id": None}
        assert models.Invoice.objects.get(id=issued.id).status == "ISSUED"
