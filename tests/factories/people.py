"""Users and customers for tests, through the same operations the product uses."""

from __future__ import annotations

import itertools

from kilowatt.identity import operations as identity_operations
from kilowatt.identity.domain.roles import Role

PASSWORD = "kilowatt-test"
_sequence = itertools.count(1)


def make_user(role: Role, *, username: str | None = None, manager_id: int | None = None):
    """Create a user with ``role`` and the shared test password."""
    return identity_operations.create_user(
        username=username or f"{role.value.lower()}-{next(_sequence)}",
        password=PASSWORD,
        role=role,
        manager_id=manager_id,
    )
