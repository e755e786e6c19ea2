"""Public reads of identity: who is acting, and what their token says."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from kilowatt.identity import models
from kilowatt.identity.domain.roles import ANONYMOUS, Principal, Role


def principal_for(user: Any) -> Principal:
    """Return the access-rule view of a Django user (anonymous or inactive -> ANONYMOUS)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    return Principal(user_id=user.pk, username=user.get_username(), role=Role(user.role))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(*, token: str, as_at: datetime.datetime) -> models.User | None:
    """Return the active user a bearer token belongs to, or None if unknown or expired."""
    row = (
        models.ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), expires_at__gt=as_at, user__is_active=True)
        .first()
    )
    return row.user if row else None


def agents_of(*, manager_id: int) -> list[int]:
    """Return the ids of the agents who report to a regional sales manager."""
    return list(models.User.objects.filter(manager_id=manager_id).values_list("id", flat=True))


def user_by_username(*, username: str) -> models.User | None:
    """Return the user with this username, or None."""
    return models.User.objects.filter(username=username).first()


def principal_by_id(*, user_id: int) -> Principal | None:
    """Return the access-rule view of a user by id, or None if there is no such user."""
    user = models.User.objects.filter(id=user_id).first()
    return None if user is None else principal_for(user)


def manager_of(*, user_id: int) -> int | None:
    """Return the id of the regional sales manager an agent reports to, or None."""
    return models.User.objects.filter(id=user_id).values_list("manager_id", flat=True).first()
