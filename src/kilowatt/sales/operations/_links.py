"""The links emailed to customers: each carries a signed, single-purpose, expiring token
instead of a login (signing a contract; cancelling a sign-up in cooling-off)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing

from kilowatt.platform.errors import NotFound

SIGNING_LINK_MAX_AGE = datetime.timedelta(days=30)
_TOKEN_SALT = "kilowatt.sales.contract.sign"


def signing_token(contract_id: int) -> str:
    """Return the token of a contract's signing link (signed, for this purpose only)."""
    return signing.dumps({"contract": contract_id}, salt=_TOKEN_SALT, compress=True)


def contract_id_for_token(token: str) -> int:
    """Return the contract a signing link's token names.

    :raises NotFound: the token is forged, altered or older than 30 days.
    """
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=SIGNING_LINK_MAX_AGE)
    except signing.BadSignature as error:  # also SignatureExpired
        raise NotFound("this signing link is not valid or has expired") from error
    return int(data["contract"])


def signing_url(contract_id: int) -> str:
    return f"{settings.KILOWATT_PUBLIC_URL.rstrip('/')}/sign/{signing_token(contract_id)}/"


_CANCEL_SALT = "kilowatt.sales.order.cancel"
CANCEL_LINK_MAX_AGE = datetime.timedelta(days=60)


def cancellation_token(order_id: int) -> str:
    """Return the token of an order's cancellation link (sent with the welcome email)."""
    return signing.dumps({"order": order_id}, salt=_CANCEL_SALT, compress=True)


def order_id_for_cancellation_token(token: str) -> int:
    """Return the order a cancellation link names.

    :raises NotFound: the token is forged, altered or expired.
    """
    try:
        data = signing.loads(token, salt=_CANCEL_SALT, max_age=CANCEL_LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise NotFound("this cancellation link is not valid or has expired") from error
    return int(data["order"])


def cancellation_url(order_id: int) -> str:
    return (
        f"{settings.KILOWATT_PUBLIC_URL.rstrip('/')}/sign-up/cancel/{cancellation_token(order_id)}/"
    )
