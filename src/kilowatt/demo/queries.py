"""What each demo login sees: the table ``kilowatt demo_logins`` prints."""

from __future__ import annotations

import dataclasses

from kilowatt.customers import queries as customer_queries
from kilowatt.demo.domain import logins
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Permission, Reach


@dataclasses.dataclass(frozen=True)
class LoginSummary:
    username: str
    role: str  # the role's label
    sees: str  # in words, with how many customers
    customers: int | None  # None when the login does not exist yet


def _sees(reach: Reach, count: int, *, first: str, django_admin: bool) -> str:
    plural = "" if count == 1 else "s"
    words = {
        Reach.ALL: f"all {count:,} customers",
        Reach.RESIDENTIAL: f"all {count:,} home customers and their agents' pipeline",
        Reach.BUSINESS: f"the {count:,} business customers, never a home",
        Reach.SIGNED_UP_BY_SELF: f"the {count:,} customer{plural} they signed up",
        Reach.OWN: f"their own account{plural}: {first}" if count else "nothing yet (not linked)",
        Reach.NONE: "nothing",
    }[reach]
    return words + (", and the Django admin" if django_admin else "")


def demo_logins() -> list[LoginSummary]:
    """Return every demo login with its role and what it may see (through the real gate)."""
    summaries = []
    for login in logins.LOGINS:
        user = identity_queries.user_by_username(username=login.username)
        if user is None:
            summaries.append(
                LoginSummary(login.username, login.role.label, "not created yet", None)
            )
            continue
        principal = identity_queries.principal_for(user)
        visible = customer_queries.visible_customers(principal)
        count = visible.count()
        first = ""
        if principal.reach is Reach.OWN:
            first = ", ".join(f"{c.number} {c.display_name}" for c in visible.order_by("id")[:3])
        summaries.append(
            LoginSummary(
                username=login.username,
                role=login.role.label,
                sees=_sees(
                    principal.reach,
                    count,
                    first=first,
                    django_admin=principal.may(Permission.USE_DJANGO_ADMIN),
                ),
                customers=count,
            )
        )
    return summaries
