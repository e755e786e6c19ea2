"""Public writes of customers: one transaction each, audited, rules checked first."""

from kilowatt.customers.operations._bulk import (
    CONSENT_COLUMNS,
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    PRIORITY_NEED_COLUMNS,
    finish_customer_load,
    load_customers,
    next_customer_ids,
    set_aside_customer_indexes,
)
from kilowatt.customers.operations._customers import (
    create_customer,
    customer_number,
    link_login,
    update_customer,
)

__all__ = [
    "CONSENT_COLUMNS",
    "CONTACT_COLUMNS",
    "CUSTOMER_COLUMNS",
    "PRIORITY_NEED_COLUMNS",
    "create_customer",
    "customer_number",
    "finish_customer_load",
    "link_login",
    "load_customers",
    "next_customer_ids",
    "set_aside_customer_indexes",
    "update_customer",
]
