"""Shared fixtures: users of every role, and helpers to act as them."""

from __future__ import annotations

import pytest

from tests.factories import people


@pytest.fixture
def make_user(db):
    return people.make_user


@pytest.fixture(autouse=True)
def outside_parties_unreachable(settings):
    """Point the industry hub and the credit agency at a closed port: a test that does not
    start its own simulator must not reach one somebody left running (``demo_serve``)."""
    settings.CSS_URL = "http://127.0.0.1:9"
    settings.CREDIT_AGENCY_URL = "http://127.0.0.1:9"
