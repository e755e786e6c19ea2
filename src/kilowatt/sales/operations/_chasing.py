"""Unsigned contracts are chased by email on a schedule (``domain.chasing``) and lapse
when their signing link expires; a daily task runs this."""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.comms import operations as comms
from kilowatt.sales import models
from kilowatt.sales.domain import chasing
from kilowatt.sales.operations._activation import close_order
from kilowatt.sales.operations._links import signing_url
from kilowatt.sales.operations._shared import SIGN_UP

_FIRST_REMINDER = datetime.timedelta(days=chasing.REMINDER_DAYS[0])


def chase_unsigned_contracts(*, as_at: datetime.datetime, limit: int = 5_000) -> tuple[int, int]:
    """Email the reminders now due and lapse the sign-ups whose link expired; return
    (reminders queued, sign-ups lapsed). Each contract is one transaction, so a crash
    half-way loses nothing and a rerun repeats nothing (reminders are keyed by number)."""
    due_ids = list(
        models.Contract.objects.filter(
            status=models.Contract.Status.AWAITING_SIGNATURE,
            issued_at__lte=as_at - _FIRST_REMINDER,
        )
        .order_by("issued_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    reminded = lapsed = 0
    for contract_id in due_ids:
        outcome = _chase(contract_id, as_at=as_at)
        reminded += outcome == "reminded"
        lapsed += outcome == "lapsed"
    return reminded, lapsed


@transaction.atomic
def _chase(contract_id: int, *, as_at: datetime.datetime) -> str:
    contract = (
        models.Contract.objects.select_for_update()
        .select_related("order")
        .filter(id=contract_id, status=models.Contract.Status.AWAITING_SIGNATURE)
        .first()
    )
    if contract is None:
        return ""
    order = contract.order
    if chasing.lapsed(issued_at=contract.issued_at, as_at=as_at):
        close_order(
            order,
            status=models.Order.Status.CANCELLED,
            reason="the contract was not signed within 30 days",
            by=SIGN_UP,
            as_at=as_at,
        )
        return "lapsed"
    if not chasing.reminder_due(
        issued_at=contract.issued_at, reminders_sent=contract.reminders_sent, as_at=as_at
    ):
        return ""
    contract.reminders_sent += 1
    contract.last_reminded_at = as_at
    contract.save(update_fields=["reminders_sent", "last_reminded_at"])
    comms.queue_email(
        key=f"contract:{contract.id}:reminder:{contract.reminders_sent}",
        to=contract.signer_email,
        template="sales/email/reminder",
        context={
            "signer_name": contract.signer_name,
            "reference": order.reference,
            "signing_url": signing_url(contract.id),
            "expires_on": (contract.issued_at + chasing.LAPSES_AFTER).date(),
        },
        as_at=as_at,
    )
    return "reminded"
