"""Roles and what each may do: the one place access is decided.

Every ``queries.py`` asks these rules which customers a person may see, and every
operation asks whether a person may make a change. Pure: no Django.
"""

from __future__ import annotations

import dataclasses
import enum


class Role(enum.StrEnum):
    AGENT = "AGENT"  # distribution agent in a shop: only the customers they signed up
    SALES_MANAGER = "SALES_MANAGER"  # regional sales manager: all homes, their agents' pipeline
    TELESALES = "TELESALES"  # phone sales and first-line service
    ADMIN = "ADMIN"  # admin team: orders, contracts, exceptions
    BILLING = "BILLING"
    COLLECTIONS = "COLLECTIONS"
    COMPLAINTS = "COMPLAINTS"
    CORPORATE_MANAGER = "CORPORATE_MANAGER"  # business customers only, never a home
    SYSADMIN = "SYSADMIN"
    CUSTOMER = "CUSTOMER"  # a home customer or a business's contact

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Role.AGENT: "Distribution agent",
    Role.SALES_MANAGER: "Regional sales manager",
    Role.TELESALES: "Telesales agent",
    Role.ADMIN: "Admin team",
    Role.BILLING: "Billing team",
    Role.COLLECTIONS: "Collections team",
    Role.COMPLAINTS: "Complaints team",
    Role.CORPORATE_MANAGER: "Corporate relations manager",
    Role.SYSADMIN: "System administrator",
    Role.CUSTOMER: "Customer",
}


class Permission(enum.StrEnum):
    USE_BACK_OFFICE = "USE_BACK_OFFICE"  # staff pages: search, customer view
    CREATE_CUSTOMERS = "CREATE_CUSTOMERS"
    EDIT_CUSTOMERS = "EDIT_CUSTOMERS"  # customers, sites, accounts, meter points they can see
    MANAGE_TARIFFS = "MANAGE_TARIFFS"  # create and change tariffs and price caps
    USE_DJANGO_ADMIN = "USE_DJANGO_ADMIN"
    WORK_READ_EXCEPTIONS = "WORK_READ_EXCEPTIONS"  # decide held meter reads, withdraw reads
    # book a field appointment on a meter point they can see (a customer: their own)
    BOOK_APPOINTMENTS = "BOOK_APPOINTMENTS"
    WORK_FIELD_JOBS = "WORK_FIELD_JOBS"  # move field jobs through their lifecycle
    SUBMIT_READS = "SUBMIT_READS"  # give a meter reading for a meter point one may see
    WORK_CASES = "WORK_CASES"  # see and close service cases (a smart meter gone silent ...)
    RUN_BILLS = "RUN_BILLS"  # start, watch and release bill runs; work the bill exceptions
    # work the sign-ups the automatic rules stopped; cancel or reverse a sign-up
    WORK_SALES_EXCEPTIONS = "WORK_SALES_EXCEPTIONS"
    SEE_SALES_PIPELINE = "SEE_SALES_PIPELINE"  # a manager's view of their agents' sign-ups


_STAFF = frozenset({Permission.USE_BACK_OFFICE, Permission.SUBMIT_READS})
_SALES = _STAFF | {Permission.CREATE_CUSTOMERS, Permission.EDIT_CUSTOMERS}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: _SALES,
    Role.SALES_MANAGER: _SALES | {Permission.SEE_SALES_PIPELINE},
    Role.TELESALES: _SALES | {Permission.BOOK_APPOINTMENTS},
    Role.ADMIN: _SALES
    | {
        Permission.WORK_SALES_EXCEPTIONS,
        Permission.WORK_READ_EXCEPTIONS,
        Permission.BOOK_APPOINTMENTS,
        Permission.WORK_FIELD_JOBS,
        Permission.WORK_CASES,
    },
    Role.BILLING: _STAFF
    | {
        Permission.EDIT_CUSTOMERS,
        Permission.MANAGE_TARIFFS,
        Permission.WORK_READ_EXCEPTIONS,
        Permission.RUN_BILLS,
    },
    Role.COLLECTIONS: _STAFF | {Permission.EDIT_CUSTOMERS},
    Role.COMPLAINTS: _STAFF | {Permission.EDIT_CUSTOMERS, Permission.WORK_CASES},
    Role.CORPORATE_MANAGER: _SALES,
    Role.SYSADMIN: _SALES
    | {
        Permission.MANAGE_TARIFFS,
        Permission.USE_DJANGO_ADMIN,
        Permission.WORK_READ_EXCEPTIONS,
        Permission.BOOK_APPOINTMENTS,
        Permission.WORK_FIELD_JOBS,
        Permission.WORK_CASES,
        Permission.RUN_BILLS,
        Permission.WORK_SALES_EXCEPTIONS,
        Permission.SEE_SALES_PIPELINE,
    },
    # A customer books appointments on their own meter points only (the gate decides).
    Role.CUSTOMER: frozenset({Permission.SUBMIT_READS, Permission.BOOK_APPOINTMENTS}),
}


class Reach(enum.StrEnum):
    """Which customers a person may see at all."""

    ALL = "ALL"
    RESIDENTIAL = "RESIDENTIAL"  # home customers only
    BUSINESS = "BUSINESS"  # business customers only
    SIGNED_UP_BY_SELF = "SIGNED_UP_BY_SELF"  # those whose sign-up this agent made
    OWN = "OWN"  # the customer(s) this login is a contact of
    NONE = "NONE"


REACH: dict[Role, Reach] = {
    Role.AGENT: Reach.SIGNED_UP_BY_SELF,
    Role.SALES_MANAGER: Reach.RESIDENTIAL,
    Role.TELESALES: Reach.ALL,
    Role.ADMIN: Reach.ALL,
    Role.BILLING: Reach.ALL,
    Role.COLLECTIONS: Reach.ALL,
    Role.COMPLAINTS: Reach.ALL,
    Role.CORPORATE_MANAGER: Reach.BUSINESS,
    Role.SYSADMIN: Reach.ALL,
    Role.CUSTOMER: Reach.OWN,
}


@dataclasses.dataclass(frozen=True)
class Principal:
    """The acting person as the rules see them. ``user_id=None`` is an anonymous visitor."""

    user_id: int | None
    username: str
    role: Role | None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None or self.role is None

    def may(self, permission: Permission) -> bool:
        """Return whether this person holds ``permission``."""
        return not self.is_anonymous and permission in PERMISSIONS[self.role]  # type: ignore[index]

    @property
    def reach(self) -> Reach:
        """Return which customers this person may see."""
        return Reach.NONE if self.is_anonymous else REACH[self.role]  # type: ignore[index]


ANONYMOUS = Principal(user_id=None, username="anonymous", role=None)


def may_see_customer(
    principal: Principal,
    *,
    is_business: bool,
    signed_up_by_id: int | None,
    contact_user_ids: frozenset[int],
) -> bool:
    """Return whether ``principal`` may see a customer with these attributes.

    The same rule, expressed as a database filter, is in ``customers.queries``; the
    tests hold the two to the same answers.
    """
    reach = principal.reach
    if reach is Reach.ALL:
        return True
    if reach is Reach.RESIDENTIAL:
        return not is_business
    if reach is Reach.BUSINESS:
        return is_business
    if reach is Reach.SIGNED_UP_BY_SELF:
        return signed_up_by_id is not None and signed_up_by_id == principal.user_id
    if reach is Reach.OWN:
        return principal.user_id in contact_user_ids
    return False


def may_create_customer(principal: Principal, *, is_business: bool) -> bool:
    """Return whether ``principal`` may sign up a new customer of this kind."""
    if not principal.may(Permission.CREATE_CUSTOMERS):
        return False
    reach = principal.reach
    if reach is Reach.RESIDENTIAL:
        return not is_business
    if reach is Reach.BUSINESS:
        return is_business
    return True
