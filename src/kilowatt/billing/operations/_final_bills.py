"""Final bills: when an account's supply has ended (a move out, or the meter point lost
to another supplier), its last bill covers the time since the last one up to the day
supply ended, from the closing reads (estimated for that day where no read came).

The guaranteed standard: a final bill is due within six weeks of the supply ending; one
issued later carries £30 of compensation, credited on the bill itself and posted to the
compensation ledger, without the customer having to ask.
"""

from __future__ import annotations

import datetime
import logging

import polars as pl
from django.db import transaction

from kilowatt.accounts import queries as accounts_queries
from kilowatt.billing import models
from kilowatt.billing.operations import _bill_runs
from kilowatt.metering import operations as metering_operations
from kilowatt.platform import audit, events, periods
from kilowatt.platform.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)
FINAL_BILL_DUE_DAYS = 42  # six weeks from the end of supply
# The daily task waits this long after the end of supply for the closing read (a customer
# reads the meter on moving day, after the 05:30 task): still well inside six weeks.
WAIT_FOR_CLOSING_READ_DAYS = 3
LATE_FINAL_BILL_PENCE = 3_000


def final_bill_due_by(supply_end: datetime.date) -> datetime.date:
    """The last day a final bill is on time for a supply that ended on ``supply_end``."""
    return supply_end + datetime.timedelta(days=FINAL_BILL_DUE_DAYS)


def issue_final_bill(*, account_id: int, actor: audit.Actor, as_at: datetime.datetime) -> int:
    """Bill an account whose supply has ended, up to the day it ended, and issue the bill
    at once (numbered, on the ledger); when it is later than six weeks after the end, it
    credits £30 of compensation. Return the final bill's id.

    :raises NotFound: no such account.
    :raises InvalidInput: the account is still supplied (``account``/``still_supplied``),
        has had its final bill (``account``/``final_bill_issued``) or was billed past the
        end of its supply (``account``/``billed_past_supply_end``: restate that bill).
    """
    today = periods.london_date(as_at)
    with transaction.atomic():
        account = accounts_queries.billing_accounts_frame(
            first_account_id=account_id, last_account_id=account_id, bill_day=None
        )
        if account.is_empty():
            raise NotFound(f"account {account_id}")
        supply_end = accounts_queries.supply_ended_on(account_id=account_id)
        if supply_end is None or supply_end > today:
            raise InvalidInput.one(
                field="account",
                rule="still_supplied",
                message="The account is still supplied: a final bill follows the end of supply.",
            )
        # A bill run billing the same account at the same moment starts its bill at the
        # same day: the unique index of one live invoice per period start stops the second.
        if models.Invoice.objects.filter(
            account_id=account_id, is_final=True, status__in=_LIVE
        ).exists():
            raise InvalidInput.one(
                field="account",
                rule="final_bill_issued",
                message="The account has had its final bill.",
            )
        billed_to = (
            models.Invoice.objects.filter(
                account_id=account_id, kind=models.Invoice.Kind.INVOICE, status__in=_LIVE
            )
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        first_supply: datetime.date = account["first_supply"][0]
        period_start = billed_to or first_supply
        if period_start >= supply_end:
            raise InvalidInput.one(
                field="account",
                rule="billed_past_supply_end",
                message="The account's bills already reach the end of its supply.",
            )
        _estimate_closing_reads(account_id, supply_end=supply_end, as_at=as_at, actor=actor)
        frame = account.with_columns(
            period_start=pl.lit(period_start),
            period_end=pl.lit(supply_end),
            bill_date=pl.lit(today),
        )
        rated = _bill_runs.rate_accounts(
            frame, first_account_id=account_id, last_account_id=account_id
        )
        late = today > final_bill_due_by(supply_end)
        compensation = -LATE_FINAL_BILL_PENCE if late else 0
        (totals,) = rated.totals.iter_rows(named=True)
        kind = account["customer_kind"][0]
        invoice = models.Invoice.objects.create(
            series=_bill_runs.SERIES_FOR_KIND[kind],
            account_id=account_id,
            kind=models.Invoice.Kind.INVOICE,
            status=models.Invoice.Status.DRAFT,
            is_final=True,
            period_start=period_start,
            period_end=supply_end,
            bill_date=today,
            net_pence=totals["net_pence"] + compensation,
            ccl_pence=totals["ccl_pence"],
            vat_pence=totals["vat_pence"],
            total_pence=totals["total_pence"] + compensation,
            delivery="EMAIL" if kind == "BUSINESS" else account["bill_delivery"][0],
            created_at=as_at,
            decided_by=actor.name,
        )
        lines = rated.lines
        if late:
            lines = pl.concat(
                [lines, _compensation_line(lines, account_id, supply_end)], how="diagonal_relaxed"
            )
        _bill_runs.write_lines(
            lines,
            invoice_ids=pl.DataFrame({"account_id": [account_id], "invoice_id": [invoice.id]}),
        )
        _bill_runs.issue_invoice(
            invoice,
            compensation_pence=compensation,
            reference=f"final:{invoice.id}",
            description=f"Final bill to {supply_end.isoformat()}",
            effective_date=today,
            as_at=as_at,
            issued_by=actor.name,
        )
        invoice.refresh_from_db()
        audit.record(
            trail=accounts_queries.trail_key(account_id),
            entity="invoice",
            entity_id=invoice.id,
            action="FINAL_BILL",
            changes={
                "number": invoice.number,
                "supply_end": supply_end.isoformat(),
                "total_pence": invoice.total_pence,
                "late_compensation_pence": -compensation,
            },
            actor=actor,
            at=as_at,
        )
        events.publish(
            name="billing.invoice.final_issued.v1",
            payload={
                "invoice_id": invoice.id,
                "account_id": account_id,
                "supply_end": supply_end.isoformat(),
                "late": late,
            },
            at=as_at,
        )
        return invoice.id


_LIVE = (models.Invoice.Status.DRAFT, models.Invoice.Status.HELD, models.Invoice.Status.ISSUED)


def _estimate_closing_reads(
    account_id: int, *, supply_end: datetime.date, as_at: datetime.datetime, actor: audit.Actor
) -> None:
    """Estimate the reading at the start of the day supply ended for every register
    without a read that day (the customer's own closing read wins when it came)."""
    points = accounts_queries.meter_point_ids_of_account(account_id=account_id)
    if points:
        metering_operations.estimate_reads(
            meter_point_ids=points, on=supply_end, received_by=actor.name, as_at=as_at
        )


def _compensation_line(
    lines: pl.DataFrame, account_id: int, supply_end: datetime.date
) -> pl.DataFrame:
    position = (int(lines["position"].max()) if lines.height else 0) + 1  # type: ignore[arg-type]
    due = final_bill_due_by(supply_end)
    return pl.DataFrame(
        {
            "account_id": [account_id],
            "position": [position],
            "kind": ["COMPENSATION"],
            "meter_point": [""],
            "band": [""],
            "start_date": [None],
            "end_date": [None],
            "quantity": [None],
            "quantity_milli": [None],
            "unit": [""],
            "rate_pence": [None],
            "amount_pence": [-LATE_FINAL_BILL_PENCE],
            "vat_rate": [0],
            "read_from": [""],
            "read_to": [""],
            "description": [
                f"Guaranteed standard: £30 because this final bill was due by "
                f"{due:%-d %B %Y} (six weeks after your supply ended)"
            ],
        },
        schema_overrides={
            "start_date": pl.Date,
            "end_date": pl.Date,
            "quantity": pl.String,
            "quantity_milli": pl.Int64,
            "rate_pence": pl.String,
        },
    )


def issue_due_final_bills(*, as_at: datetime.datetime, limit: int = 1_000) -> list[int]:
    """Issue the final bill of every account whose supply ended at least
    ``WAIT_FOR_CLOSING_READ_DAYS`` ago and which has none yet (a daily task, so none
    waits for a person); return the bills' ids."""
    today = periods.london_date(as_at)
    ended_by = today - datetime.timedelta(days=WAIT_FOR_CLOSING_READ_DAYS)
    final_billed = models.Invoice.objects.filter(is_final=True, status__in=_LIVE).values(
        "account_id"
    )
    candidates = list(
        accounts_queries.accounts_with_supply_ended(before=ended_by)
        .exclude(id__in=final_billed)
        .order_by("id")[:limit]
    )
    issued: list[int] = []
    for account_id in candidates:
        try:
            issued.append(issue_final_bill(account_id=account_id, actor=audit.SYSTEM, as_at=as_at))
        except InvalidInput as refused:  # one account's problem stops no other's bill
            logger.warning("no final bill for account %s: %s", account_id, refused)
    return issued
