"""The Django admin is for system administrators only.

Django lets any active ``is_staff`` user in; only system administrators get that flag,
but the door also asks the role rules, so a flag set by hand (a shell, a fixture) does
not open it to anyone else.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Permission


def may_use_django_admin(request: HttpRequest) -> bool:
    """Return whether the signed-in person is an active system administrator."""
    user = request.user
    return (
        user.is_active
        and user.is_staff
        and identity_queries.principal_for(user).may(Permission.USE_DJANGO_ADMIN)
    )


def guard(site: AdminSite) -> None:
    """Let only system administrators into ``site``."""
    site.has_permission = may_use_django_admin  # type: ignore[method-assign]
