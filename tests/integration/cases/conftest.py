"""Silent smart meters with cases open on them, and people of every role to look at them
through the pages and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from kilowatt.cases import operations
from kilowatt.cases.domain import cases
from kilowatt.identity import operations as identity_operations
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.metering import models as metering_models
from kilowatt.platform import audit
from tests.factories import people, supply

AS_AT = supply.AS_AT  # 2026-11-23 09:00 UTC
TODAY = datetime.date(2026, 11, 23)
MAY_WORK = [Role.ADMIN, Role.COMPLAINTS, Role.SYSADMIN]
MAY_NOT = [Role.AGENT, Role.SALES_MANAGER, Role.TELESALES, Role.BILLING, Role.COLLECTIONS,
           Role.CORPORATE_MANAGER, Role.CUSTOMER]  # fmt: skip


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def smart_point() -> metering_models.MeterPoint:
    """A supplied electricity meter point whose one meter is smart."""
    point = supply.meter_point()
    metering_models.Meter.objects.filter(meter_point=point).update(type="SMART")
    return point


def open_silent_case(*, last_heard_on=datetime.date(2026, 11, 10), as_at=AS_AT):
    """Open a silent-meter case on a new smart meter point; return the case."""
    point = smart_point()
    return operations.open_case(
        kind=cases.SMART_METER_SILENT,
        meter_point_id=point.id,
        summary=cases.silent_summary(last_heard_on=last_heard_on, silent_days=3),
        actor=audit.SYSTEM,
        as_at=as_at,
    )


@pytest.fixture
def silent_case(db):
    return open_silent_case()


@pytest.fixture
def signed_in(db):
    """Return a page client: anonymous (None), or signed in as a new user of a role."""

    def client_for(role: Role | None) -> Client:
        client = Client()
        if role is not None:
            user = people.make_user(role)
            assert client.login(username=user.username, password=people.PASSWORD)
        return client

    return client_for


@pytest.fixture
def api(db):
    """Return ``call(role, method, path, body=None)``: the API as a new user of a role
    with a bearer token, or anonymously for ``None``."""

    def call(role: Role | None, method: str, path: str, body: Any = None) -> Any:
        headers = {}
        if role is not None:
            user = people.make_user(role)
            token, _ = identity_operations.issue_token(
                username=user.username,
                password=people.PASSWORD,
                as_at=datetime.datetime.now(datetime.UTC),
            )
            headers = {"Authorization": f"Bearer {token}"}
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs = {"data": body, "content_type": "application/json"}
        return getattr(Client(headers=headers), method.lower())(f"/api/v1{path}", **kwargs)

    return call


def worker(role: Role = Role.COMPLAINTS) -> Principal:
    """A person of ``role`` as the access rules see them."""
    return identity_queries.principal_for(people.make_user(role))
