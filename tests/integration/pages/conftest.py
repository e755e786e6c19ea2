"""A small book for the page tests: who signed whom up matters to what each role sees."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import Client

from kilowatt.identity.domain.roles import Principal, Role
from tests.factories import people, screens


@dataclasses.dataclass(frozen=True)
class Book:
    agent: Principal  # signed up the home customer
    corporate_manager: Principal  # signed up the business customer
    home: screens.Supplied
    business: screens.Supplied


@pytest.fixture
def book(db) -> Book:
    agent = screens.principal(Role.AGENT)
    corporate_manager = screens.principal(Role.CORPORATE_MANAGER)
    home = screens.home_customer(by=agent, priority_needs=("MEDICAL_EQUIPMENT", "PENSIONABLE_AGE"))
    business = screens.business_customer(by=corporate_manager)
    return Book(agent=agent, corporate_manager=corporate_manager, home=home, business=business)


def _signed_in(who: Role | Principal | None) -> Client:
    client = Client()
    if who is None:
        return client
    username = who.username if isinstance(who, Principal) else people.make_user(who).username
    assert client.login(username=username, password=people.PASSWORD)
    return client


@pytest.fixture
def signed_in(db):
    """Return a test client: anonymous (None), a new user of a role, or an existing person."""
    return _signed_in


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: these tests sign in dozens of people."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
