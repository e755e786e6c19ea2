"""The demo logins: one per role, named after it, all with the password ``kilowatt``."""

from __future__ import annotations

import dataclasses

from kilowatt.identity.domain.roles import Role

PASSWORD = "kilowatt"
URL = "http://127.0.0.1:8000/"
# The region (distributor ID) the demo agent and their sales manager cover: London.
SALES_REGION = "12"


@dataclasses.dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    first_name: str
    last_name: str
    region: str = ""
    reports_to: str | None = None  # the username of an agent's regional sales manager


# Managers before their agents, so an agent's manager has an id when the agent is made.
LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("sales-manager", Role.SALES_MANAGER, "Sam", "Okafor", SALES_REGION),
    DemoLogin("agent", Role.AGENT, "Aisha", "Khan", SALES_REGION, reports_to="sales-manager"),
    DemoLogin("telesales", Role.TELESALES, "Tom", "Pryce"),
    DemoLogin("admin", Role.ADMIN, "Alex", "Morgan"),
    DemoLogin("billing", Role.BILLING, "Bea", "Lindqvist"),
    DemoLogin("collections", Role.COLLECTIONS, "Colin", "Ashworth"),
    DemoLogin("complaints", Role.COMPLAINTS, "Cara", "Doyle"),
    DemoLogin("corporate-manager", Role.CORPORATE_MANAGER, "Priya", "Raman"),
    DemoLogin("sysadmin", Role.SYSADMIN, "Sid", "Nakamura"),
    DemoLogin("home", Role.CUSTOMER, "", ""),  # linked to the book's first home customer
    DemoLogin("business", Role.CUSTOMER, "", ""),  # and to its first business's manager
)
