"""Shared fixtures: users of every role, and helpers to act as them."""

from __future__ import annotations

import pytest

from tests.factories import people


@pytest.fixture
def make_user(db):
    return people.make_user
