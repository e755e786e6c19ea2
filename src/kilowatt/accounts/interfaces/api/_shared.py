"""What the accounts API's routers share: who is calling, and the choices they accept."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Principal

Fuel = Literal["ELECTRICITY", "GAS"]
PaymentMethod = Literal["DIRECT_DEBIT", "ON_RECEIPT", "PREPAYMENT"]
CustomerKind = Literal["RESIDENTIAL", "BUSINESS"]


def principal(request: HttpRequest) -> Principal:
    """Return who is calling: the user the bearer token or the session belongs to."""
    return identity_queries.principal_for(request.auth)  # type: ignore[attr-defined]
