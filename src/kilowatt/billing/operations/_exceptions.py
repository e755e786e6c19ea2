"""Bill exceptions: the billing team works the bills a bill run held.

A held bill (``domain/bill_exceptions.py`` names the rule that stopped it) is released
as it is, adjusted (an ``ADJUSTMENT`` line, outside the scope of VAT), or re-billed (it
is cancelled, so the next run bills the period afresh: which reads a bill charges
follows from the dates of the account's live bills alone).

Each decision is one transaction: the bill's row is locked, anything not held is refused
(``invoice``/``not_held``), the decision lands on the account's audit trail and is
announced (``billing.invoice.released.v1``, ``.adjusted.v1``, ``.rebilled.v1``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max

from kilowatt.accounts import queries as accounts_queries
from kilowatt.billing import models
from kilowatt.billing.domain import held_bills
from kilowatt.billing.operations._bill_runs import issue_invoice
from kilowatt.platform import audit, events
from kilowatt.platform.errors import InvalidInput, NotFound, raise_if

_NOT_RELEASED = (models.BillRun.Status.RUNNING, models.BillRun.Status.COMPLETE)


def _held(invoice_id: int) -> models.Invoice:
    """Lock the invoice's row and return it, refusing anything not held."""
    invoice = models.Invoice.objects.select_for_update().filter(id=invoice_id).first()
    if invoice is None:
        raise NotFound(f"invoice {invoice_id}")
    if invoice.status != models.Invoice.Status.HELD:
        raise InvalidInput.one(
            field="invoice",
            rule="not_held",
            message=f"This bill is {invoice.get_status_display().lower()}, not held: "
            "there is nothing to decide.",
        )
    return invoice


def _actor(decided_by: str, decided_by_id: int | None) -> audit.Actor:
    return audit.Actor(id=decided_by_id, name=decided_by)


def _record(
    invoice: models.Invoice,
    *,
    action: str,
    changes: dict,
    actor: audit.Actor,
    as_at: datetime.datetime,
) -> None:
    audit.record(
        trail=accounts_queries.trail_key(invoice.account_id),
        entity="invoice",
        entity_id=invoice.id,
        action=action,
        changes=changes,
        actor=actor,
        at=as_at,
    )


def release_held_invoice(
    *,
    invoice_id: int,
    decided_by: str,
    as_at: datetime.datetime,
    decided_by_id: int | None = None,
) -> models.Invoice:
    """Release a held bill as it stands and return it. While its run is not released it
    becomes a draft again and goes out with the run; after the run's release (or for a
    bill of no run) it is issued now: numbered in its series and posted to the ledger.

    :raises NotFound: no such invoice.
    :raises InvalidInput: the invoice is not held (``invoice``/``not_held``).
    """
    with transaction.atomic():
        run_id = (
            models.Invoice.objects.filter(id=invoice_id).values_list("run_id", flat=True).first()
        )
        # The run first, as its release takes it: a release of the run and of this bill
        # at the same moment see each other (the bill goes out once, with one number).
        run = (
            models.BillRun.objects.select_for_update().filter(id=run_id).first()
            if run_id is not None
            else None
        )
        invoice = _held(invoice_id)
        invoice.decided_by = decided_by
        if run is not None and run.id == invoice.run_id and run.status in _NOT_RELEASED:
            invoice.status = models.Invoice.Status.DRAFT
            invoice.save(update_fields=["status", "decided_by"])
            issued_now = False
        else:
            invoice.save(update_fields=["decided_by"])
            issue_invoice(
                invoice,
                reference=f"invoice:{invoice.id}",
                description=f"Held bill {invoice.id} released",
                effective_date=invoice.bill_date,
                as_at=as_at,
                issued_by=decided_by,
            )
            invoice.refresh_from_db()
            issued_now = True
        _record(
            invoice,
            action="RELEASED",
            changes={
                "status": [models.Invoice.Status.HELD.value, invoice.status],
                **({"number": [None, invoice.number]} if issued_now else {}),
            },
            actor=_actor(decided_by, decided_by_id),
            as_at=as_at,
        )
        events.publish(
            name="billing.invoice.released.v1",
            payload={
                "invoice_id": invoice.id,
                "account_id": invoice.account_id,
                "run_id": invoice.run_id,
                "status": invoice.status,
                "number": invoice.number,
                "hold_rule": invoice.hold_rule,
            },
            at=as_at,
        )
        return invoice


def adjust_held_invoice(
    *,
    invoice_id: int,
    amount_pence: int,
    reason: str,
    decided_by: str,
    as_at: datetime.datetime,
    decided_by_id: int | None = None,
) -> models.Invoice:
    """Add an adjustment to a held bill (outside the scope of VAT: a credit when
    negative, a charge when positive) and return it, still held until released.

    :raises NotFound: no such invoice.
    :raises InvalidInput: the invoice is not held (``invoice``/``not_held``); the amount
        is zero (``amount_pence``/``not_zero``), above £10,000 either way
        (``amount_pence``/``too_large``) or would take the total below zero
        (``amount_pence``/``total_negative``); the reason is missing
        (``reason``/``required``), shorter than 3 characters (``reason``/``too_short``)
        or longer than 200 (``reason``/``too_long``).
    """
    with transaction.atomic():
        invoice = _held(invoice_id)
        raise_if(
            held_bills.adjustment_problems(
                amount_pence=amount_pence, reason=reason, total_pence=invoice.total_pence
            )
        )
        text = held_bills.tidy_reason(reason)
        last = invoice.lines.aggregate(last=Max("position"))["last"] or 0
        models.InvoiceLine.objects.create(
            invoice=invoice,
            position=last + 1,
            kind=models.InvoiceLine.Kind.ADJUSTMENT,
            amount_pence=amount_pence,
            vat_rate=0,
            description=text,
        )
        before = {"net_pence": invoice.net_pence, "total_pence": invoice.total_pence}
        invoice.net_pence += amount_pence
        invoice.total_pence += amount_pence
        invoice.save(update_fields=["net_pence", "total_pence"])
        _record(
            invoice,
            action="ADJUSTED",
            changes={
                "net_pence": [before["net_pence"], invoice.net_pence],
                "total_pence": [before["total_pence"], invoice.total_pence],
                "adjustment_pence": [None, amount_pence],
                "reason": [None, text],
            },
            actor=_actor(decided_by, decided_by_id),
            as_at=as_at,
        )
        events.publish(
            name="billing.invoice.adjusted.v1",
            payload={
                "invoice_id": invoice.id,
                "account_id": invoice.account_id,
                "amount_pence": amount_pence,
                "total_pence": invoice.total_pence,
            },
            at=as_at,
        )
        return invoice


def rebill_held_invoice(
    *,
    invoice_id: int,
    decided_by: str,
    as_at: datetime.datetime,
    decided_by_id: int | None = None,
) -> models.Invoice:
    """Cancel a held bill, so its period is billed afresh: the account is due again from
    where its last live bill ended, and the next run bills it (the reads a bill charges
    follow from the dates of the live bills alone). Return the cancelled bill.

    :raises NotFound: no such invoice.
    :raises InvalidInput: the invoice is not held (``invoice``/``not_held``), or a later
        bill of the account exists (``invoice``/``later_bill_exists``: the next run would
        start after it and the cancelled period would never be billed; release or adjust
        this one, then restate it).
    """
    with transaction.atomic():
        invoice = _held(invoice_id)
        if models.Invoice.objects.filter(
            account_id=invoice.account_id,
            kind=models.Invoice.Kind.INVOICE,
            status__in=(
                models.Invoice.Status.DRAFT,
                models.Invoice.Status.HELD,
                models.Invoice.Status.ISSUED,
            ),
            period_start__gte=invoice.period_end,
        ).exists():
            raise InvalidInput.one(
                field="invoice",
                rule="later_bill_exists",
                message=(
                    "The account has a later bill, so a re-bill would leave this period "
                    "unbilled: release or adjust this bill instead, then restate it."
                ),
            )
        invoice.status = models.Invoice.Status.CANCELLED
        invoice.decided_by = decided_by
        invoice.save(update_fields=["status", "decided_by"])
        _record(
            invoice,
            action="REBILLED",
            changes={
                "status": [models.Invoice.Status.HELD.value, invoice.status],
            },
            actor=_actor(decided_by, decided_by_id),
            as_at=as_at,
        )
        events.publish(
            name="billing.invoice.rebilled.v1",
            payload={
                "invoice_id": invoice.id,
                "account_id": invoice.account_id,
                "period_start": invoice.period_start.isoformat(),
                "period_end": invoice.period_end.isoformat(),
            },
            at=as_at,
        )
        return invoice
