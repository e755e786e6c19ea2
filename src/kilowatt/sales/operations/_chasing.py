"""Unsigned contracts are chased by email on a schedule (``domain.chasing``) and lapse
when their signing link expires; a daily task runs this."""

from __future__ import annotations

import datetime

from django.db import transaction

from kilowatt.comms import operations as comms
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.sales import models
from kilowatt.sales.domain import chasing
from kilowatt.sales.operations._closing import close_order
from kilowatt.sales.operations._links import signing_url
from kilowatt.sales.operations._shared import SIGN_UP, actor, trail_key

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
    # The order first, then the contract, as signing and cancelling lock them.
    models.Order.objects.select_for_update().filter(contract__id=contract_id).exists()
    contract = (
        models.Contract.objects.select_for_update(of=("self",))
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
    _remind(contract, as_at=as_at)
    return "reminded"


def _remind(contract: models.Contract, *, as_at: datetime.datetime) -> None:
    """Email the signing link again and count it among the contract's reminders."""
    order = contract.order
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


@transaction.atomic
def send_signing_reminder(
    *, by: Principal, contract_id: int, as_at: datetime.datetime
) -> models.Contract:
    """Email a telesales sign-up's customer their signing link again, now, and count it
    among the reminders (the automatic chase sends the next one on its own schedule).

    :raises NotAllowed: ``by`` is not in the telesales team.
    :raises NotFound: no such contract on a telesales sign-up.
    :raises InvalidInput: ``status``/``not_awaiting_signature`` (signed or cancelled);
        ``email``/``required`` (the customer gave no email).
    """
    if by.role is not Role.TELESALES:
        raise NotAllowed(f"{by.username} is not in the telesales team")
    contract = (
        models.Contract.objects.select_for_update()
        .select_related("order")
        .filter(id=contract_id, order__channel=models.Channel.TELESALES)
        .first()
    )
    if contract is None:
        raise NotFound(f"contract {contract_id}")
    if contract.status != models.Contract.Status.AWAITING_SIGNATURE:
        raise InvalidInput.one(
            field="status", rule="not_awaiting_signature", message="this contract is not waiting"
        )
    if not contract.signer_email:
        raise InvalidInput.one(field="email", rule="required", message="no email to send it to")
    before = contract.reminders_sent
    _remind(contract, as_at=as_at)
    audit.record(
        trail=trail_key(contract.order_id),
        entity="order",
        entity_id=contract.order.reference,
        action="REMINDED",
        changes={"reminders_sent": [before, contract.reminders_sent]},
        actor=actor(by),
        at=as_at,
    )
    return contract
