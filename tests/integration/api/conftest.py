"""One small book per test module, built once and rolled back at the module's end, and a
client that calls the API as any of its people.

Each test still runs in its own savepoint (``django_db``), so what a test writes is gone
before the next one starts, while the book is built only once per module.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from kilowatt.identity import operations as identity_operations
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.platform.models import AuditEntry
from tests.factories import book, people

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STAFF = {
    "agent": Role.AGENT,  # signed up the home customer
    "other_agent": Role.AGENT,  # signed up the other home customer
    "sales_manager": Role.SALES_MANAGER,
    "telesales": Role.TELESALES,
    "admin": Role.ADMIN,
    "billing": Role.BILLING,
    "collections": Role.COLLECTIONS,
    "complaints": Role.COMPLAINTS,
    "corporate_manager": Role.CORPORATE_MANAGER,  # signed up the business
    "sysadmin": Role.SYSADMIN,
}


@dataclasses.dataclass(frozen=True)
class World:
    people: dict[str, Principal]
    tokens: dict[str, str]
    home: book.Customer  # signed up by "agent"; "customer" is its login
    other_home: book.Customer  # signed up by "other_agent"
    business: book.Customer  # signed up by "corporate_manager"; "business_contact" its login
    tariffs: list[str]

    def call(self, who: str | None, method: str, path: str, body: Any = None) -> Any:
        """Call ``/api/v1<path>`` as ``who`` (a key of ``people``) with a bearer token,
        or anonymously when ``who`` is None."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        client = Client(headers=headers)
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": body, "content_type": "application/json"}
        return getattr(client, method.lower())(f"/api/v1{path}", **kwargs)


def build_world() -> World:
    """Build the book: three customers, their logins, staff of every role, their tokens."""
    staff = {key: book.principal(role) for key, role in STAFF.items()}
    setup = staff["sysadmin"]
    tariffs = book.price_list(by=staff["billing"], region="13")
    home = book.home(by=staff["agent"], setup=setup)
    other_home = book.home(
        by=staff["other_agent"], setup=setup, last_name="Somerville", postcode="LL57 2DG"
    )
    business = book.business(by=staff["corporate_manager"], setup=setup)
    logins = {
        "customer": book.login_for(home.contact_ids[0]),
        "business_contact": book.login_for(business.contact_ids[0]),
    }
    everyone = {**staff, **logins}
    now = datetime.datetime.now(datetime.UTC)
    tokens = {
        key: identity_operations.issue_token(
            username=person.username, password=people.PASSWORD, as_at=now
        )[0]
        for key, person in everyone.items()
    }
    return World(
        people=everyone,
        tokens=tokens,
        home=home,
        other_home=other_home,
        business=business,
        tariffs=tariffs,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def api(world, db) -> World:
    """The module's book, inside this test's own savepoint."""
    return world


def audit_count() -> int:
    return AuditEntry.objects.count()


def assert_refused(response: Any, status: int) -> None:
    """Assert a refusal that shows no data: only the fixed words of its status."""
    words = {401: "Unauthorized", 403: "Not allowed", 404: "Not found"}
    assert response.status_code == status, response.content
    assert response.json() == {"detail": words[status]}


def problems(response: Any) -> list[tuple[str, str]]:
    """Return the (field, rule) pairs of a 422 answer."""
    assert response.status_code == 422, response.content
    return [(p["field"], p["rule"]) for p in response.json()["detail"]]
