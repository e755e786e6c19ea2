"""Restating a bill: the reads of an issued bill's period changed (a read withdrawn,
corrected, or arriving late), so the period is billed again with the reads as they are
now. When anything changed the bill is credited in full (a credit note, numbered, on the
ledger) and replaced by a new invoice for the same period (numbered, on the ledger); the
original is marked ``CREDITED``. Re-rating a period whose reads have not changed gives
the same lines, so a restatement happens once however often it is asked for.
"""

from __future__ import annotations

import datetime

import polars as pl
from django.db import transaction

from kilowatt.accounts import queries as accounts_queries
from kilowatt.billing import models
from kilowatt.billing.operations import _bill_runs
from kilowatt.platform import audit, events, periods
from kilowatt.platform.errors import InvalidInput, NotFound

# What two versions of a bill are compared on (descriptions are words, not figures).
_COMPARED = (
    "kind",
    "meter_point",
    "band",
    "start_date",
    "end_date",
    "quantity",
    "rate_pence",
    "amount_pence",
    "vat_rate",
)


def _lines_now(invoice: models.Invoice) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The invoice's period rated again with the reads as they are now."""
    account = accounts_queries.billing_accounts_frame(
        first_account_id=invoice.account_id, last_account_id=invoice.account_id, bill_day=None
    ).with_columns(
        period_start=pl.lit(invoice.period_start),
        period_end=pl.lit(invoice.period_end),
        # The original bill's date: the back-billing limit stays where it was.
        bill_date=pl.lit(invoice.bill_date),
    )
    rated = _bill_runs.rate_accounts(
        account, first_account_id=invoice.account_id, last_account_id=invoice.account_id
    )
    return rated.totals, rated.lines


def _comparable(rows: list[tuple]) -> list[tuple]:
    return [tuple(str(value) if value is not None else "" for value in row) for row in rows]


# Lines a person or a rule added to the bill, not the rating: they carry over as they are.
_CARRIED = ("COMPENSATION", "ADJUSTMENT", "CREDIT")


def _changed(invoice: models.Invoice, lines: pl.DataFrame) -> bool:
    stored = invoice.lines.exclude(kind__in=_CARRIED).order_by("position").values_list(*_COMPARED)
    fresh = lines.sort("position").select(
        "kind",
        "meter_point",
        "band",
        "start_date",
        "end_date",
        pl.col("quantity").fill_null(""),
        pl.col("rate_pence").fill_null(""),
        "amount_pence",
        "vat_rate",
    )
    old = _comparable(
        [
            (kind, point, band, start, end, _milli_text(quantity), _rate_text(rate), amount, vat)
            for kind, point, band, start, end, quantity, rate, amount, vat in stored
        ]
    )
    return old != _comparable(list(fresh.iter_rows()))


def _milli_text(value) -> str:
    if value is None:
        return ""
    text = f"{value:.3f}"
    return text.removesuffix(".000")


def _rate_text(value) -> str:
    if value is None:
        return ""
    text = f"{value:.4f}"
    return text[:-2] if text.endswith("00") else text[:-1] if text.endswith("0") else text


def restate_invoice(
    *, invoice_id: int, reason: str, actor: audit.Actor, as_at: datetime.datetime
) -> int | None:
    """Bill an issued bill's period again with the reads as they are now. When anything
    changed, credit it in full and issue its replacement (both numbered and posted to the
    ledger, one transaction) and return the replacement's id; when nothing changed,
    change nothing and return None.

    :raises NotFound: no such invoice.
    :raises InvalidInput: it is not an issued invoice (``invoice``/``not_issued``), was
        brought from the legacy ERP (``invoice``/``legacy``), or no reason is given
        (``reason``/``required``).
    """
    if not reason.strip():
        raise InvalidInput.one(
            field="reason", rule="required", message="Say why the bill is restated."
        )
    with transaction.atomic():
        original = models.Invoice.objects.select_for_update().filter(id=invoice_id).first()
        if original is None:
            raise NotFound(f"invoice {invoice_id}")
        if original.series == _bill_runs.LEGACY_SERIES:
            raise InvalidInput.one(
                field="invoice",
                rule="legacy",
                message="A bill brought from the previous system cannot be rated again here.",
            )
        if (
            original.kind != models.Invoice.Kind.INVOICE
            or original.status != models.Invoice.Status.ISSUED
        ):
            raise InvalidInput.one(
                field="invoice",
                rule="not_issued",
                message="Only an issued bill (not credited already) can be restated.",
            )
        totals, lines = _lines_now(original)
        if not _changed(original, lines):
            return None
        today = periods.london_date(as_at)
        original.status = models.Invoice.Status.CREDITED
        original.save(update_fields=["status"])
        credit_note = _credit_note(original, today=today, as_at=as_at, by=actor.name)
        replacement = _replacement(original, totals, lines, today=today, as_at=as_at)
        # Compensation on the bill is the company's cost: credited back and posted again
        # on its own ledger, not through energy sales.
        compensation = sum(
            line.amount_pence for line in original.lines.all() if line.kind == "COMPENSATION"
        )
        for invoice, kind, what, carried in (
            (credit_note, "CREDIT", "Credit note", -compensation),
            (replacement, "CHARGE", "Restated bill", compensation),
        ):
            _bill_runs.issue_invoice(
                invoice,
                compensation_pence=carried,
                reference=f"restatement:{original.id}:{invoice.kind.lower()}",
                description=f"{what} for {original.number}: {reason.strip()[:120]}",
                effective_date=today,
                as_at=as_at,
                issued_by=actor.name,
                kind=kind,
            )
            invoice.refresh_from_db()
        audit.record(
            trail=accounts_queries.trail_key(original.account_id),
            entity="invoice",
            entity_id=original.id,
            action="RESTATED",
            changes={
                "reason": reason.strip()[:200],
                "total_pence": [original.total_pence, replacement.total_pence],
                "credit_note": credit_note.number,
                "replacement": replacement.number,
            },
            actor=actor,
            at=as_at,
        )
        events.publish(
            name="billing.invoice.restated.v1",
            payload={
                "invoice_id": original.id,
                "credit_note_id": credit_note.id,
                "replacement_id": replacement.id,
                "account_id": original.account_id,
                "period_start": original.period_start.isoformat(),
                "period_end": original.period_end.isoformat(),
            },
            at=as_at,
        )
        return replacement.id


def _credit_note(
    original: models.Invoice, *, today: datetime.date, as_at: datetime.datetime, by: str
) -> models.Invoice:
    note = models.Invoice.objects.create(
        series=original.series,
        account_id=original.account_id,
        run_id=None,
        kind=models.Invoice.Kind.CREDIT_NOTE,
        status=models.Invoice.Status.DRAFT,
        period_start=original.period_start,
        period_end=original.period_end,
        bill_date=today,
        net_pence=-original.net_pence,
        ccl_pence=-original.ccl_pence,
        vat_pence=-original.vat_pence,
        total_pence=-original.total_pence,
        delivery=original.delivery,
        replaces=original,
        created_at=as_at,
        decided_by=by,
    )
    models.InvoiceLine.objects.bulk_create(
        models.InvoiceLine(
            invoice=note,
            position=line.position,
            kind=line.kind,
            meter_point=line.meter_point,
            band=line.band,
            start_date=line.start_date,
            end_date=line.end_date,
            quantity=line.quantity,
            unit=line.unit,
            rate_pence=line.rate_pence,
            amount_pence=-line.amount_pence,
            vat_rate=line.vat_rate,
            read_from=line.read_from,
            read_to=line.read_to,
            description=f"Credited: {line.description}"[:200],
        )
        for line in original.lines.order_by("position")
    )
    return note


def _replacement(
    original: models.Invoice,
    totals: pl.DataFrame,
    lines: pl.DataFrame,
    *,
    today: datetime.date,
    as_at: datetime.datetime,
) -> models.Invoice:
    (total,) = totals.iter_rows(named=True)
    carried = list(original.lines.filter(kind__in=_CARRIED).order_by("position"))
    extra = sum(line.amount_pence for line in carried)
    replacement = models.Invoice.objects.create(
        series=original.series,
        account_id=original.account_id,
        run_id=None,
        kind=models.Invoice.Kind.INVOICE,
        status=models.Invoice.Status.DRAFT,
        period_start=original.period_start,
        period_end=original.period_end,
        bill_date=today,
        net_pence=total["net_pence"] + extra,
        ccl_pence=total["ccl_pence"],
        vat_pence=total["vat_pence"],
        total_pence=total["total_pence"] + extra,
        is_final=original.is_final,
        delivery=original.delivery,
        replaces=original,
        created_at=as_at,
    )
    _bill_runs.write_lines(
        lines,
        invoice_ids=pl.DataFrame(
            {"account_id": [original.account_id], "invoice_id": [replacement.id]}
        ),
    )
    first = lines.height + 1  # after the rated lines (positions 1..n)
    models.InvoiceLine.objects.bulk_create(
        models.InvoiceLine(
            invoice=replacement,
            position=first + index,
            kind=line.kind,
            meter_point=line.meter_point,
            band=line.band,
            start_date=line.start_date,
            end_date=line.end_date,
            quantity=line.quantity,
            unit=line.unit,
            rate_pence=line.rate_pence,
            amount_pence=line.amount_pence,
            vat_rate=line.vat_rate,
            description=line.description,
        )
        for index, line in enumerate(carried)
    )
    return replacement
