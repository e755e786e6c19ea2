"""Signing in to the API: bearer tokens, the pages' session with CSRF, and anonymous callers."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from kilowatt.identity import operations as identity_operations
from kilowatt.identity.domain.roles import Role
from kilowatt.identity.models import ApiToken, User
from tests.factories import people
from tests.integration.api.conftest import assert_refused, audit_count, problems

pytestmark = pytest.mark.django_db

# Every endpoint but the token's, with a body good enough to get past the schema.
ENDPOINTS = [
    ("GET", "/customers", None),
    ("GET", "/customers/{customer}", None),
    ("POST", "/customers", {"kind": "RESIDENTIAL", "first_name": "Al", "last_name": "Turing"}),
    ("PATCH", "/customers/{customer}", {"first_name": "Alan"}),
    ("GET", "/accounts", None),
    ("GET", "/accounts/{account}", None),
    (
        "POST",
        "/accounts",
        {"customer_number": "{customer}", "payment_method": "ON_RECEIPT", "bill_delivery": "EMAIL"},
    ),
    ("PATCH", "/accounts/{account}", {"status": "ACTIVE"}),
    (
        "POST",
        "/accounts/{account}/agreements",
        {"meter_point": "{mpan}", "tariff": "BOOK-RES-ELEC-13-DI", "valid_from": "2027-01-01"},
    ),
    ("POST", "/agreements/{agreement}/end", {"valid_to": "2027-01-01"}),
    ("GET", "/sites", None),
    ("GET", "/sites/{site}", None),
    (
        "POST",
        "/sites",
        {"address_line_1": "1 Dock Road", "town": "Liverpool", "postcode": "L3 4AA"},
    ),
    ("PATCH", "/sites/{site}", {"town": "Bootle"}),
    ("GET", "/meter-points", None),
    ("GET", "/meter-points/{mpan}", None),
    (
        "POST",
        "/meter-points",
        {"site_id": 1, "fuel": "ELECTRICITY", "identifier": "0180110013123456789 07"},
    ),
    ("PATCH", "/meter-points/{mpan}", {"meter_timeswitch_code": "801"}),
    ("GET", "/tariffs", None),
    ("GET", "/tariffs/BOOK-RES-ELEC-13-DI", None),
    (
        "POST",
        "/tariffs",
        {
            "code": "ANON",
            "name": "Anon",
            "fuel": "GAS",
            "region": "13",
            "customer_kind": "RESIDENTIAL",
            "payment_method": "DIRECT_DEBIT",
            "kind": "FIXED",
            "term_months": 12,
            "standing_charge_pence_per_day": "30",
            "unit_rates": [{"band": "ANYTIME", "rate": "6"}],
            "valid_from": "2027-01-01",
        },
    ),
    (
        "POST",
        "/price-caps",
        {
            "region": "13",
            "fuel": "GAS",
            "payment_method": "DIRECT_DEBIT",
            "standing_charge_pence_per_day": "31.65",
            "unit_rate_pence_per_kwh": "6.29",
            "valid_from": "2027-01-01",
        },
    ),
]


def _fill(template, api):
    values = {
        "customer": api.home.number,
        "account": api.home.account,
        "agreement": api.home.agreement_ids[0],
        "site": api.home.sites[0].id,
        "mpan": api.home.sites[0].mpan,
    }
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {key: _fill(value, api) for key, value in template.items()}
    return template


class TestAnonymous:
    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=lambda v: str(v)[:40])
    def test_is_asked_to_sign_in_and_changes_nothing(self, api, method, path, body):
        before = audit_count()

        response = api.call(None, method, _fill(path, api), _fill(body, api))

        assert_refused(response, 401)
        assert audit_count() == before

    def test_an_unknown_bearer_token_is_anonymous(self, api):
        client = Client(headers={"Authorization": "Bearer not-a-token"})

        assert_refused(client.get("/api/v1/customers"), 401)


class TestTokens:
    def test_good_credentials_give_a_token_that_signs_requests(self, api):
        user = people.make_user(Role.ADMIN)

        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": people.PASSWORD},
            content_type="application/json",
        )

        assert response.status_code == 200
        body = response.json()
        assert datetime.datetime.fromisoformat(body["expires_at"]) > datetime.datetime.now(
            datetime.UTC
        )
        signed = Client(headers={"Authorization": f"Bearer {body['token']}"})
        assert signed.get(f"/api/v1/customers/{api.home.number}").status_code == 200

    def test_a_wrong_password_is_refused_and_issues_nothing(self, api):
        user = people.make_user(Role.ADMIN)

        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": "guess"},
            content_type="application/json",
        )

        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong username or password"}
        assert not ApiToken.objects.filter(user=user).exists()

    def test_an_unknown_username_gets_the_same_answer(self, api):
        response = Client().post(
            "/api/v1/auth/token",
            {"username": "nobody", "password": "guess"},
            content_type="application/json",
        )

        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong username or password"}

    def test_a_request_without_credentials_names_the_missing_fields(self, api):
        response = Client().post("/api/v1/auth/token", {}, content_type="application/json")

        assert problems(response) == [("username", "missing"), ("password", "missing")]

    def test_an_empty_body_is_named_as_the_body(self, api):
        response = Client().post("/api/v1/auth/token", "", content_type="application/json")

        assert problems(response) == [("body", "missing")]

    def test_an_expired_token_is_refused(self, api):
        user = people.make_user(Role.ADMIN)
        long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)
        token, _expires_at = identity_operations.issue_token(
            username=user.username, password=people.PASSWORD, as_at=long_ago
        )

        response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/customers")

        assert_refused(response, 401)

    def test_an_inactive_users_token_and_password_stop_working(self, api):
        user = people.make_user(Role.ADMIN)
        token, _expires_at = identity_operations.issue_token(
            username=user.username,
            password=people.PASSWORD,
            as_at=datetime.datetime.now(datetime.UTC),
        )
        User.objects.filter(id=user.id).update(is_active=False)  # no operation deactivates yet

        assert_refused(
            Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/customers"), 401
        )
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": people.PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 401


class TestSession:
    """The pages' HTMX calls the API with the session cookie instead of a token."""

    CSRF = "a" * 32  # a well-formed CSRF secret, sent as cookie and header alike

    def _signed_in(self, api, *, enforce_csrf_checks: bool) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        client.force_login(User.objects.get(id=api.people["agent"].user_id))
        return client

    def test_a_signed_in_session_reads(self, api):
        client = self._signed_in(api, enforce_csrf_checks=True)

        response = client.get(f"/api/v1/customers/{api.home.number}")

        assert response.status_code == 200
        assert response.json()["number"] == api.home.number

    def test_an_unsafe_method_without_the_csrf_token_is_refused(self, api):
        client = self._signed_in(api, enforce_csrf_checks=True)
        before = audit_count()

        response = client.patch(
            f"/api/v1/customers/{api.home.number}",
            {"first_name": "Augusta"},
            content_type="application/json",
        )

        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]
        assert audit_count() == before

    def test_an_unsafe_method_with_the_csrf_token_goes_through(self, api):
        client = self._signed_in(api, enforce_csrf_checks=True)
        client.cookies["csrftoken"] = self.CSRF

        response = client.patch(
            f"/api/v1/customers/{api.home.number}",
            {"first_name": "Augusta"},
            content_type="application/json",
            headers={"X-CSRFToken": self.CSRF},
        )

        assert response.status_code == 200
        assert response.json()["first_name"] == "Augusta"
