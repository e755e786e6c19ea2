"""``GET /accounts/{number}/bills`` and ``GET /invoices/{id}/restatement``: an account's
bills with its balance, and a restated bill as a plain difference, to its owner and the
staff who reach them; 401 to anonymous callers and 404 alike to everyone else."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kilowatt.identity import operations as identity_operations
from kilowatt.identity.domain.roles import Principal, Role
from tests.factories import billing, book, people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def restated() -> billing.RestatedBook:
    return billing.restated_book()


def get(who: Principal | None, path: str) -> Any:
    headers = {}
    if who is not None:
        token, *_ = identity_operations.issue_token(
            username=who.username,
            password=people.PASSWORD,
            as_at=datetime.datetime.now(datetime.UTC),
        )
        headers = {"Authorization": f"Bearer {token}"}
    return Client(headers=headers).get(f"/api/v1{path}")


def _paths(restated: billing.RestatedBook) -> list[str]:
    return [
        f"/accounts/{restated.book.home.account}/bills",
        f"/invoices/{restated.original_id}/restatement",
        f"/invoices/{restated.replacement_id}/restatement",
    ]


def test_anonymous_callers_are_asked_to_sign_in(restated):
    for path in _paths(restated):
        assert get(None, path).status_code == 401, path


def test_another_customer_and_staff_out_of_reach_find_nothing(restated):
    others = [
        book.login_for(restated.book.business.contact_ids[0]),  # another customer
        book.principal(Role.CORPORATE_MANAGER),  # reaches businesses only
        book.principal(Role.AGENT),  # signed up nobody here
    ]
    for who in others:
        for path in _paths(restated):
            response = get(who, path)
            assert response.status_code == 404, (who.role, path)
            assert "KWE" not in response.content.decode()


def test_the_owner_sees_bills_newest_first_with_the_balance(restated):
    owner = book.login_for(restated.book.home.contact_ids[0])

    response = get(owner, f"/accounts/{restated.book.home.account}/bills")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["balance_pence"] == 21172
    assert [(b["kind"], b["status"], b["total_pence"]) for b in body["items"]] == [
        ("INVOICE", "ISSUED", 21172),
        ("CREDIT_NOTE", "ISSUED", -22477),
        ("INVOICE", "CREDITED", 22477),
    ]
    original = body["items"][2]
    assert original["restated"] is True
    assert original["document_url"] == f"/api/v1/invoices/{restated.original_id}/document"
    assert original["restatement_url"] == f"/api/v1/invoices/{restated.original_id}/restatement"
    assert body["items"][0]["replaces_number"] == original["number"]
    assert body["next_after"] is None


def test_bills_page_by_id(restated):
    staff = restated.book.staff[Role.BILLING]
    path = f"/accounts/{restated.book.home.account}/bills"

    first = get(staff, f"{path}?limit=2").json()
    rest = get(staff, f"{path}?limit=2&after={first['next_after']}").json()

    assert [b["id"] for b in first["items"] + rest["items"]] == [
        restated.replacement_id,
        restated.credit_note_id,
        restated.original_id,
    ]
    assert rest["next_after"] is None


@pytest.mark.parametrize("role", [Role.BILLING, Role.AGENT, Role.CUSTOMER])
def test_the_restatement_as_a_plain_difference(restated, role):
    who = (
        book.login_for(restated.book.home.contact_ids[0])
        if role is Role.CUSTOMER
        else restated.book.staff[role]  # the agent signed the home up
    )

    body = get(who, f"/invoices/{restated.credit_note_id}/restatement").json()

    assert body["original"]["id"] == restated.original_id
    assert body["replacement"]["total_pence"] == 21172
    assert body["credit_note"]["total_pence"] == -22477
    assert body["difference_pence"] == -1305
    assert "meter reading of 1 March (300 kWh → 250 kWh)" in body["summary"]
    assert body["summary"].endswith("Difference: £13.05 credited.")
    (read,) = body["reads"]
    assert (read["read_date"], read["change"], read["old_kwh"], read["new_kwh"]) == (
        "2026-03-01",
        "CORRECTED",
        "300.000",
        "250.000",
    )
    energy = [line for line in body["lines"] if line["kind"] == "ENERGY"]
    assert [(x["old_amount_pence"], x["new_amount_pence"]) for x in energy] == [
        (7458, 6215),
        (11073, 11073),
    ]
    assert body["reason"].startswith("The read of 1 March 2026 was")


def test_a_bill_never_restated_has_no_restatement(restated):
    staff = restated.book.staff[Role.BILLING]
    assert get(staff, f"/invoices/{restated.business_bill_id}/restatement").status_code == 404
