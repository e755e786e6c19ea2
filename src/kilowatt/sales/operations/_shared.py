"""What the sales operations share: who acts when nobody signed in, trails, event names."""

from __future__ import annotations

from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.platform import audit

# The system, acting for a sign-up after the customer signed (a web sign-up has no staff
# member behind it): it records the customer, account, sites and meter points.
SIGN_UP = Principal(user_id=0, username="system:sign-up", role=Role.ADMIN)

ORDER_SUBMITTED = "sales.order.submitted.v1"
ORDER_SIGNED = "sales.order.signed.v1"  # integrations asks the industry to register it
ORDER_CANCELLED = "sales.order.cancelled.v1"  # integrations withdraws its registrations
ORDER_LIVE = "sales.order.live.v1"
TRANSFER_DISPUTED = "sales.order.transfer_disputed.v1"  # integrations asks for annulment


def order_reference(order_id: int) -> str:
    """Return the reference people quote for an order."""
    return f"S{order_id:08d}"


def trail_key(order_id: int) -> str:
    return f"order:{order_id}"


def actor(principal: Principal) -> audit.Actor:
    return audit.Actor(id=principal.user_id or None, name=principal.username)
