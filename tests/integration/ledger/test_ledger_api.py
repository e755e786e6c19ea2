"""``GET /api/v1/accounts/{number}/ledger``: an account's balance and lines, newest first,
seen through accounts' gate (a customer their own; staff what their reach allows)."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import override_settings

from kilowatt.accounts import models as account_models
from kilowatt.ledger import models
from tests.integration.api.conftest import FAST_HASHING, assert_refused, build_world
from tests.integration.ledger.conftest import charge, payment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = build_world()
        home = account_models.Account.objects.get(number=built.home.account).id
        other = account_models.Account.objects.get(number=built.other_home.account).id
        charge(
            holder=home, total=12_600, reference="invoice:KWE0000001", on=datetime.date(2026, 3, 1)
        )
        payment(
            holder=home, amount=5_000, reference="payment:DD000001", on=datetime.date(2026, 3, 15)
        )
        charge(
            holder=home, total=8_400, reference="invoice:KWE0000002", on=datetime.date(2026, 4, 1)
        )
        charge(holder=other, total=99_999, reference="invoice:KWE0000003")
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def api(world, db):
    return world


def ledger(api, who, *, account=None, query=""):
    return api.call(who, "GET", f"/accounts/{account or api.home.account}/ledger{query}")


class TestAllowed:
    @pytest.mark.parametrize(
        "who", ["customer", "agent", "telesales", "billing", "collections", "sysadmin"]
    )
    def test_sees_the_balance_and_the_lines_newest_first(self, api, who):
        response = ledger(api, who)

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["balance_pence"] == 12_600 - 5_000 + 8_400
        assert [(line["reference"], line["amount_pence"]) for line in body["items"]] == [
            ("invoice:KWE0000002", 8_400),
            ("payment:DD000001", -5_000),
            ("invoice:KWE0000001", 12_600),
        ]
        assert body["items"][1] | {"id": 0, "transaction_id": 0} == {
            "id": 0,
            "transaction_id": 0,
            "kind": "PAYMENT",
            "reference": "payment:DD000001",
            "description": "Direct Debit",
            "effective_date": "2026-03-15",
            "amount_pence": -5_000,
            "document": "ent:DD000001",
            "posted_at": "2026-11-23T09:00:00Z",
        }
        assert body["next_after"] is None

    def test_pages_by_id(self, api):
        first = ledger(api, "customer", query="?limit=2").json()
        second = ledger(api, "customer", query=f"?limit=2&after={first['next_after']}").json()

        assert [line["reference"] for line in first["items"] + second["items"]] == [
            "invoice:KWE0000002",
            "payment:DD000001",
            "invoice:KWE0000001",
        ]
        assert first["next_after"] == first["items"][-1]["id"]
        assert second["next_after"] is None
        assert second["balance_pence"] == first["balance_pence"]

    def test_an_account_with_no_postings_owes_nothing(self, api):
        response = ledger(api, "corporate_manager", account=api.business.account)

        assert response.json() == {"balance_pence": 0, "items": [], "next_after": None}


class TestRefused:
    def test_anonymous_is_asked_to_sign_in(self, api):
        assert_refused(ledger(api, None), 401)

    @pytest.mark.parametrize("who", ["business_contact", "other_agent", "corporate_manager"])
    def test_someone_who_may_not_see_the_account_is_told_it_is_not_found(self, api, who):
        before = models.Line.objects.count()

        assert_refused(ledger(api, who), 404)
        assert models.Line.objects.count() == before

    def test_a_missing_account_is_not_found_alike(self, api):
        assert_refused(ledger(api, "sysadmin", account="A-NOPE"), 404)

    def test_a_page_too_big_names_the_limit(self, api):
        response = ledger(api, "customer", query="?limit=1000")

        assert response.status_code == 422
        assert [(p["field"], p["rule"]) for p in response.json()["detail"]] == [
            ("limit", "less_than_equal")
        ]
