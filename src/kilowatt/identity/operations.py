"""Public writes of identity: users and API tokens."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import transaction

from kilowatt.identity import models, queries
from kilowatt.identity.domain.roles import Role
from kilowatt.identity.errors import InvalidCredentials
from kilowatt.platform import bulk
from kilowatt.platform.errors import InvalidInput

TOKEN_LIFETIME = datetime.timedelta(hours=12)


@transaction.atomic
def issue_token(
    *, username: str, password: str, as_at: datetime.datetime
) -> tuple[str, datetime.datetime]:
    """Issue a bearer token for a user's credentials; return it and when it expires.

    :raises InvalidCredentials: the username and password do not match an active user.
    """
    user = authenticate(username=username, password=password)
    if user is None:
        raise InvalidCredentials("username or password is wrong")
    token = secrets.token_urlsafe(32)
    expires_at = as_at + TOKEN_LIFETIME
    models.ApiToken.objects.create(
        user=user, digest=queries.token_digest(token), created_at=as_at, expires_at=expires_at
    )
    return token, expires_at


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    region: str = "",
    manager_id: int | None = None,
) -> models.User:
    """Create a user with one role. Staff get ``is_staff`` only for the Django admin role."""
    user = models.User(
        username=username,
        role=role.value,
        first_name=first_name,
        last_name=last_name,
        email=email,
        region=region,
        manager_id=manager_id,
        is_staff=role is Role.SYSADMIN,
        is_superuser=role is Role.SYSADMIN,
    )
    user.set_password(password)
    user.save()
    return user


# --- loading many users at once (the demo logins, a migration) ------------------------
# Rows are plain tuples in USER_COLUMNS order with ids assigned by the caller and the
# password already hashed (``hash_password``), so a batch costs one hash, not one per user.

USER_COLUMNS = (
    "id",
    "username",
    "password",
    "role",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
    "manager_id",
    "region",
)


def hash_password(password: str) -> str:
    """Return ``password`` hashed the way logins store it."""
    return make_password(password)


def load_users(*, users: Sequence[tuple]) -> int:
    """Write users (call inside a transaction); return the number written.

    :raises InvalidInput: a username is empty or repeated, or a role is unknown (the
        field is named; nothing is written).
    """
    roles = {role.value for role in Role}
    seen: set[str] = set()
    for row in users:
        values = dict(zip(USER_COLUMNS, row, strict=True))
        if not values["username"] or values["username"] in seen:
            raise InvalidInput.one(
                field="user.username",
                rule="unique",
                message=f"user {row[0]}: a unique username is needed",
            )
        seen.add(values["username"])
        if values["role"] not in roles:
            raise InvalidInput.one(
                field="user.role",
                rule="choice",
                message=f"user {row[0]}: {values['role']!r} is not a role",
            )
    return bulk.write_rows(models.User, USER_COLUMNS, users)


def next_user_id() -> int:
    """Return the first free user id (for a caller assigning ids)."""
    return bulk.next_id(models.User)


def finish_user_load() -> None:
    """After a load: move the id sequence past the ids it assigned, refresh the planner's statistics."""
    bulk.finish_load(models.User)
