"""Public writes of sales: orders, contracts and their signing, targets and commission."""

from kilowatt.sales.operations._chasing import chase_unsigned_contracts, send_signing_reminder
from kilowatt.sales.operations._contracts import (
    send_signing_code,
    sign_contract,
    signing_code_key,
)
from kilowatt.sales.operations._links import (
    cancellation_token,
    cancellation_url,
    contract_id_for_token,
    order_id_for_cancellation_token,
    signing_token,
    signing_url,
)
from kilowatt.sales.operations._orders import (
    SubmittedOrder,
    cancel_order,
    cancel_order_by_link,
    dispute_transfer,
    proceed_with_order,
    record_credit_check,
    reject_order,
    submit_order,
)
from kilowatt.sales.operations._quotes import email_quote, quote_email_key
from kilowatt.sales.operations._registrations import record_registration_outcome
from kilowatt.sales.operations._seal import company_seal, trust_roots, write_seal_identity
from kilowatt.sales.operations._shared import SIGN_UP, order_reference
from kilowatt.sales.operations._targets import (
    set_commission_rule,
    set_target,
)

__all__ = [
    "SIGN_UP",
    "SubmittedOrder",
    "cancel_order",
    "cancel_order_by_link",
    "cancellation_token",
    "cancellation_url",
    "chase_unsigned_contracts",
    "company_seal",
    "contract_id_for_token",
    "dispute_transfer",
    "email_quote",
    "order_id_for_cancellation_token",
    "order_reference",
    "proceed_with_order",
    "quote_email_key",
    "record_credit_check",
    "record_registration_outcome",
    "reject_order",
    "send_signing_code",
    "send_signing_reminder",
    "set_commission_rule",
    "set_target",
    "sign_contract",
    "signing_code_key",
    "signing_token",
    "signing_url",
    "submit_order",
    "trust_roots",
    "write_seal_identity",
]
