"""Public reads of sales: quotes, orders and pipelines, contracts, targets and commission."""

from kilowatt.sales.queries._orders import (
    RegistrationRow,
    contract_by_id,
    contract_for,
    order_for,
    registration_for_supply,
    registrations_for_order,
    visible_orders,
)
from kilowatt.sales.queries._pipeline import (
    AgentDashboard,
    ExceptionsQueue,
    OrderRow,
    OrderView,
    Pipeline,
    UnsignedContracts,
    agent_dashboard,
    commission_rules,
    exception_order,
    exceptions_queue,
    order_view,
    pipeline,
    team_orders,
    unsigned_contracts,
)
from kilowatt.sales.queries._quotes import offers_on_sale, quote

__all__ = [
    "AgentDashboard",
    "ExceptionsQueue",
    "OrderRow",
    "OrderView",
    "Pipeline",
    "RegistrationRow",
    "UnsignedContracts",
    "agent_dashboard",
    "commission_rules",
    "contract_by_id",
    "contract_for",
    "exception_order",
    "exceptions_queue",
    "offers_on_sale",
    "order_for",
    "order_view",
    "pipeline",
    "quote",
    "registration_for_supply",
    "registrations_for_order",
    "team_orders",
    "unsigned_contracts",
    "visible_orders",
]
