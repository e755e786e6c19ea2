"""Bill runs: plan a run in chunks, bill each chunk in one transaction, release the run.

A run is restartable and idempotent by construction:

- one run per date (a partial unique index); starting it again returns the same run;
- a chunk is billed in one transaction that also marks it ``DONE``: a worker killed
  part-way leaves nothing behind, and the chunk's task, delivered again (tasks are
  acknowledged late) or queued again by ``kilowatt billing run``, bills it from the start;
- a chunk being billed is locked (``SKIP LOCKED``): a second delivery of its task while
  the first still runs does nothing;
- one live invoice per account and period start (a unique index): whatever happens,
  an account is billed once for a period.

Set-based: a chunk of thousands of accounts is five reads (accounts, agreements, rates,
invoices so far, reads), the rating in columns (``domain/bill_frame.py``), and two
writes (invoices and lines by COPY). Which reads a bill charges follows from the dates
alone (``bill_inputs.consumptions``): nothing is written back to the reads.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
import zoneinfo

import polars as pl
from django.db import IntegrityError, connection, transaction

from kilowatt.accounts import queries as accounts_queries
from kilowatt.billing import models
from kilowatt.billing.domain import bill_exceptions, bill_frame, bill_inputs, invoice_document
from kilowatt.ledger import operations as ledger
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import bulk, events, frames
from kilowatt.platform.errors import InvalidInput, NotFound

LONDON = zoneinfo.ZoneInfo("Europe/London")
DEFAULT_CHUNK_SIZE = 5_000
# How far back a chunk reads meter reads: the back-billing year and a read's gap.
READ_WINDOW_DAYS = 400
SERIES_FOR_KIND = {"RESIDENTIAL": "KWE", "BUSINESS": "KWB"}
LEGACY_SERIES = "ERP"


@dataclasses.dataclass(frozen=True)
class ChunkResult:
    invoices: int
    held: int


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), LONDON)


def start_bill_run(
    *,
    run_date: datetime.date,
    started_by: str,
    as_at: datetime.datetime,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Plan the run for ``run_date``: every active account whose bill day it is, in
    chunks of ``chunk_size`` accounts by id. Return the run's id; a run for that date that
    exists already (not cancelled) is returned as it is.

    :raises InvalidInput: ``chunk_size`` not positive.
    """
    if chunk_size <= 0:
        raise InvalidInput.one(
            field="chunk_size", rule="positive", message="A chunk holds at least one account."
        )
    existing = _live_run(run_date)
    if existing is not None:
        return existing
    account_ids = accounts_queries.due_account_ids(bill_day=run_date.day)
    try:
        with transaction.atomic():
            run = models.BillRun.objects.create(
                run_date=run_date,
                status=models.BillRun.Status.RUNNING,
                chunk_size=chunk_size,
                accounts_due=len(account_ids),
                created_at=as_at,
                created_by=started_by,
            )
            chunks = [
                models.BillRunChunk(
                    run=run,
                    number=number,
                    first_account_id=account_ids[start],
                    last_account_id=account_ids[min(start + chunk_size, len(account_ids)) - 1],
                    status=models.BillRunChunk.Status.PENDING,
                )
                for number, start in enumerate(range(0, len(account_ids), chunk_size), start=1)
            ]
            models.BillRunChunk.objects.bulk_create(chunks)
            if not chunks:
                _complete(run, as_at=as_at)
            events.publish(
                name="billing.bill_run.started.v1",
                payload={"run_id": run.id, "run_date": run_date.isoformat()},
                at=as_at,
            )
    except IntegrityError:
        # Another start for the same date won the race: theirs is the run.
        existing = _live_run(run_date)
        if existing is None:
            raise
        return existing
    return run.id


def _live_run(run_date: datetime.date) -> int | None:
    return (
        models.BillRun.objects.filter(run_date=run_date)
        .exclude(status=models.BillRun.Status.CANCELLED)
        .values_list("id", flat=True)
        .first()
    )


def pending_chunk_ids(*, run_id: int) -> list[int]:
    """Return the ids of the run's chunks not billed yet, in order (to queue them)."""
    return list(
        models.BillRunChunk.objects.filter(run_id=run_id, status=models.BillRunChunk.Status.PENDING)
        .order_by("number")
        .values_list("id", flat=True)
    )


def pending_chunks_of_running_runs() -> list[int]:
    """Return the chunks not billed yet of every run still running, in order."""
    return list(
        models.BillRunChunk.objects.filter(
            run__status=models.BillRun.Status.RUNNING, status=models.BillRunChunk.Status.PENDING
        )
        .order_by("run_id", "number")
        .values_list("id", flat=True)
    )


def bill_chunk(*, chunk_id: int, as_at: datetime.datetime) -> int:
    """Bill every account of a chunk in one transaction and mark the chunk done; return
    the invoices it made. A chunk already done, or being billed by another worker at this
    moment, is left alone (and 0 or its count returned).

    :raises NotFound: no such chunk.
    """
    with transaction.atomic():
        chunk = (
            models.BillRunChunk.objects.select_for_update(skip_locked=True)
            .filter(id=chunk_id)
            .first()
        )
        if chunk is None:
            if not models.BillRunChunk.objects.filter(id=chunk_id).exists():
                raise NotFound(f"bill run chunk {chunk_id}")
            return 0  # another worker is billing it right now
        if chunk.status == models.BillRunChunk.Status.DONE:
            return chunk.invoices
        run = models.BillRun.objects.get(id=chunk.run_id)
        if run.status != models.BillRun.Status.RUNNING:
            return 0
        started = time.perf_counter()
        frames.tune_for_batch()
        frames.prefer_index_lookups()
        result = _bill_accounts(run=run, chunk=chunk, as_at=as_at)
        chunk.status = models.BillRunChunk.Status.DONE
        chunk.attempts += 1
        chunk.finished_at = as_at
        chunk.invoices = result.invoices
        chunk.held = result.held
        chunk.seconds = time.perf_counter() - started
        chunk.save()
        # The last chunk done completes the run. Lock the run so two chunks finishing at
        # once see each other: the second waits for the first's commit, then counts it.
        run = models.BillRun.objects.select_for_update().get(id=run.id)
        if not models.BillRunChunk.objects.filter(
            run_id=run.id, status=models.BillRunChunk.Status.PENDING
        ).exists():
            _complete(run, as_at=as_at)
        return result.invoices


def _complete(run: models.BillRun, *, as_at: datetime.datetime) -> None:
    run.status = models.BillRun.Status.COMPLETE
    run.completed_at = as_at
    run.save(update_fields=["status", "completed_at"])
    events.publish(
        name="billing.bill_run.completed.v1",
        payload={"run_id": run.id, "run_date": run.run_date.isoformat()},
        at=as_at,
    )


def _live_invoices(first: int, last: int, since: datetime.date) -> pl.DataFrame:
    return frames.read_frame(
        """SELECT account_id, period_start, period_end, net_pence, created_at, series
           FROM billing_invoice
           WHERE account_id BETWEEN %s AND %s AND kind = 'INVOICE'
             AND status IN ('DRAFT', 'HELD', 'ISSUED') AND period_end >= %s""",
        [first, last, since],
        {
            "account_id": pl.Int64,
            "period_start": pl.Date,
            "period_end": pl.Date,
            "net_pence": pl.Int64,
            "created_at": pl.Datetime,
            "series": pl.String,
        },
    )


def _billed_long_ago(accounts: pl.DataFrame, *, before: datetime.date) -> pl.DataFrame:
    """Where the bills of accounts with none in the last two years ended (an account
    dormant that long must not be billed again from its first supply). Rare: one small
    query for those alone."""
    ids = (
        accounts.filter(pl.col("billed_to").is_null() & (pl.col("first_supply") < before))[
            "account_id"
        ]
        .cast(pl.Int64)
        .to_list()
    )
    if not ids:
        return pl.DataFrame(schema={"account_id": pl.Int64, "billed_long_ago": pl.Date})
    marks = ", ".join(["%s"] * len(ids))
    return frames.read_frame(
        f"""SELECT account_id, MAX(period_end) FROM billing_invoice
            WHERE account_id IN ({marks}) AND kind = 'INVOICE'
              AND status IN ('DRAFT', 'HELD', 'ISSUED')
            GROUP BY account_id""",
        ids,
        {"account_id": pl.Int64, "billed_long_ago": pl.Date},
    )


def _due_accounts(
    run: models.BillRun, chunk: models.BillRunChunk
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The chunk's accounts due on the run's date with the period each bill covers (from
    the end of its last bill, or its first supply), and their previous bills."""
    run_date = run.run_date
    accounts = accounts_queries.billing_accounts_frame(
        first_account_id=chunk.first_account_id,
        last_account_id=chunk.last_account_id,
        bill_day=run_date.day,
    )
    opened = pl.col("opened_at").dt.convert_time_zone("Europe/London").dt.date()
    months = (run_date.year - opened.dt.year()) * 12 + (run_date.month - opened.dt.month())
    accounts = accounts.filter(
        (pl.col("bill_cycle") != "QUARTERLY") | (months % 3 == 0),
        pl.col("first_supply").is_not_null(),
        # A supply that has ended gets its final bill (``issue_final_bill``), not a run's.
        pl.col("supply_end").is_null() | (pl.col("supply_end") > run_date),
    )
    # Invoices of the last two years are enough to find where the last bill ended.
    live = _live_invoices(
        chunk.first_account_id, chunk.last_account_id, run_date - datetime.timedelta(days=730)
    )
    previous = (
        live.sort("period_end")
        .group_by("account_id")
        .agg(
            billed_to=pl.col("period_end").last(),
            previous_net_pence=pl.col("net_pence").last(),
            previous_days=(pl.col("period_end") - pl.col("period_start")).dt.total_days().last(),
            previous_start=pl.col("period_start").last(),
            # Bills brought from the legacy ERP were not made from our reads: what their
            # period's reads did since is not a reason to hold (nor to restate them).
            previous_made_at=pl.when(pl.col("series").last() == LEGACY_SERIES)
            .then(pl.lit(None, dtype=pl.Datetime("us", "UTC")))
            .otherwise(pl.col("created_at").last()),
        )
    )
    accounts = accounts.join(previous, on="account_id", how="left")
    accounts = accounts.join(
        _billed_long_ago(accounts, before=run_date - datetime.timedelta(days=730)),
        on="account_id",
        how="left",
    ).with_columns(billed_to=pl.coalesce("billed_to", "billed_long_ago"))
    accounts = accounts.with_columns(
        period_start=pl.coalesce("billed_to", "first_supply"),
        period_end=pl.lit(run_date),
        bill_date=pl.lit(run_date),
    ).filter(pl.col("period_start") < pl.col("period_end"))
    return accounts, previous


@dataclasses.dataclass(frozen=True)
class Rated:
    """A set of accounts rated: ``totals`` and ``lines`` as ``bill_frame.rate_frame``
    gives them, the ``consumptions`` charged and the ``dated`` reads they came from."""

    totals: pl.DataFrame
    lines: pl.DataFrame
    consumptions: pl.DataFrame
    dated: pl.DataFrame


def rate_accounts(accounts: pl.DataFrame, *, first_account_id: int, last_account_id: int) -> Rated:
    """Rate the bills of ``accounts`` (ids within ``[first, last]``; columns
    ``account_id``, ``customer_kind``, ``is_micro``, ``period_start``, ``period_end``,
    ``bill_date``): their agreements, the rates and their reads loaded in a few queries,
    the rules applied in columns. Writes nothing."""
    until: datetime.date = accounts["period_end"].max()  # type: ignore[assignment]
    window_start = until - datetime.timedelta(days=READ_WINDOW_DAYS)
    first_period_start: datetime.date = accounts["period_start"].min()  # type: ignore[assignment]
    earliest = min(window_start, first_period_start)
    prices = (
        accounts_queries.billing_prices_frame(
            first_account_id=first_account_id,
            last_account_id=last_account_id,
            since=earliest,
            until=until,
        )
        .join(accounts.select("account_id"), on="account_id", how="semi")
        .with_columns(standing_e4=bill_inputs.e4_from_text_expr("standing_charge"))
    )
    rates = accounts_queries.tariff_rates_frame().select(
        "tariff_id", "band", rate_e4=bill_inputs.e4_from_text_expr("rate")
    )
    reads = metering_queries.billing_reads_frame(
        meter_point_ids=prices["meter_point_id"],
        since=_midnight(window_start),
        until=_midnight(until + datetime.timedelta(days=1)),
    )
    dated = bill_inputs.dated_reads(reads, prices).join(
        accounts.select("account_id"), on="account_id", how="semi"
    )
    consumptions = bill_inputs.consumptions(
        dated,
        accounts.select("account_id", "period_start", "period_end"),
        window_start=window_start,
    )
    totals, lines = bill_frame.rate_frame(
        accounts=accounts.select(
            "account_id", "customer_kind", "is_micro", "period_start", "period_end", "bill_date"
        ),
        prices=prices,
        rates=rates,
        consumptions=consumptions.filter(pl.col("kwh_milli") >= 0),
    )
    return Rated(totals=totals, lines=lines, consumptions=consumptions, dated=dated)


def _bill_accounts(
    *, run: models.BillRun, chunk: models.BillRunChunk, as_at: datetime.datetime
) -> ChunkResult:
    accounts, previous = _due_accounts(run, chunk)
    if accounts.is_empty():
        return ChunkResult(invoices=0, held=0)
    run_date = run.run_date
    rated = rate_accounts(
        accounts,
        first_account_id=chunk.first_account_id,
        last_account_id=chunk.last_account_id,
    )
    lines = rated.lines
    negative = (
        rated.consumptions.filter(pl.col("kwh_milli") < 0)
        .group_by("account_id")
        .agg(negative_reads=pl.len())
    )
    facts = bill_inputs.read_facts(
        rated.dated,
        previous.select("account_id", "previous_start", "billed_to", "previous_made_at"),
    )
    bills = (
        rated.totals.join(accounts, on="account_id")
        .join(facts, on="account_id", how="left")
        .join(negative, on="account_id", how="left")
        .with_columns(
            pl.col("negative_reads").fill_null(0),
            pl.col("withdrawn_billed").fill_null(0),
            pl.col("late_reads").fill_null(0),
            pl.col("trailing_estimates").fill_null(0),
        )
    )
    holds = bill_exceptions.hold_frame(bills, run_date=run_date)
    bills = bills.join(holds, on="account_id").with_columns(
        id=bulk.reserve_id_blocks(models.Invoice, bills.height)
    )
    invoices = bills.select(
        "id",
        "account_id",
        "period_start",
        "period_end",
        "bill_date",
        "net_pence",
        "ccl_pence",
        "vat_pence",
        "total_pence",
        "hold_rule",
        "hold_message",
        series=pl.col("customer_kind").replace_strict(SERIES_FOR_KIND),
        run_id=pl.lit(run.id, dtype=pl.Int64),
        kind=pl.lit(models.Invoice.Kind.INVOICE.value),
        status=pl.when(pl.col("hold_rule") == "")
        .then(pl.lit(models.Invoice.Status.DRAFT.value))
        .otherwise(pl.lit(models.Invoice.Status.HELD.value)),
        is_final=pl.lit(False),
        # Business customers are paperless; homes have the delivery they chose.
        delivery=pl.when(pl.col("customer_kind") == "BUSINESS")
        .then(pl.lit("EMAIL"))
        .otherwise(pl.col("bill_delivery")),
        created_at=pl.lit(as_at),
        decided_by=pl.lit(""),
    )
    frames.write_frame(models.Invoice, invoices)
    write_lines(lines, invoice_ids=bills.select("account_id", invoice_id="id"))
    held = int((bills["hold_rule"] != "").sum())
    return ChunkResult(invoices=bills.height, held=held)


def write_lines(lines: pl.DataFrame, *, invoice_ids: pl.DataFrame) -> int:
    """Write rated lines (``bill_frame.rate_frame``'s) to the invoices of their accounts
    (``invoice_ids``: ``account_id``, ``invoice_id``)."""
    rows = lines.join(invoice_ids, on="account_id").drop("account_id", "quantity_milli")
    rows = rows.with_columns(id=bulk.reserve_id_blocks(models.InvoiceLine, rows.height))
    return frames.write_frame(models.InvoiceLine, rows)


def release_bill_run(*, run_id: int, released_by: str, as_at: datetime.datetime) -> int:
    """Issue every draft of a complete run: number each gaplessly in its legal entity's
    series, post the charges to the ledger (one balanced journal for the run), mark the
    run released. Held invoices stay held. Return how many were issued.

    :raises NotFound: no such run.
    :raises InvalidInput: the run is not complete (``run``/``not_complete``) or was
        released already (``run``/``already_released``).
    """
    with transaction.atomic():
        run = models.BillRun.objects.select_for_update().filter(id=run_id).first()
        if run is None:
            raise NotFound(f"bill run {run_id}")
        if run.status == models.BillRun.Status.RELEASED:
            raise InvalidInput.one(
                field="run", rule="already_released", message="This run was released already."
            )
        if run.status != models.BillRun.Status.COMPLETE:
            raise InvalidInput.one(
                field="run",
                rule="not_complete",
                message="Every chunk of the run must be billed before it is released.",
            )
        drafts = frames.read_frame(
            """SELECT id, series, account_id, net_pence, ccl_pence, vat_pence, total_pence
               FROM billing_invoice WHERE run_id = %s AND status = 'DRAFT' ORDER BY id""",
            [run.id],
            {
                "id": pl.Int64,
                "series": pl.String,
                "account_id": pl.Int64,
                "net_pence": pl.Int64,
                "ccl_pence": pl.Int64,
                "vat_pence": pl.Int64,
                "total_pence": pl.Int64,
            },
        )
        issued = issue_invoices(
            drafts=drafts,
            reference=f"billrun:{run.id}",
            description=f"Bills of the run of {run.run_date.isoformat()}",
            effective_date=run.run_date,
            as_at=as_at,
            issued_by=released_by,
        )
        run.status = models.BillRun.Status.RELEASED
        run.released_at = as_at
        run.released_by = released_by
        run.save(update_fields=["status", "released_at", "released_by"])
        events.publish(
            name="billing.bill_run.released.v1",
            payload={"run_id": run.id, "run_date": run.run_date.isoformat(), "issued": issued},
            at=as_at,
        )
        return issued


def _locked_series(code: str) -> models.InvoiceSeries:
    """The series row, locked until the transaction ends (numbers stay gapless when
    several issue at once). Made if missing: a test database flushed between tests loses
    the rows the migration put there."""
    models.InvoiceSeries.objects.get_or_create(
        code=code,
        defaults={"legal_entity": invoice_document.LEGAL_ENTITIES.get(code, code)},
    )
    return models.InvoiceSeries.objects.select_for_update().get(code=code)


def issue_invoice(
    invoice: models.Invoice,
    *,
    reference: str,
    description: str,
    effective_date: datetime.date,
    as_at: datetime.datetime,
    issued_by: str,
    kind: str = "CHARGE",
    compensation_pence: int = 0,
) -> None:
    """Number and issue one draft (a released held bill, a final bill, a restatement's
    credit note or replacement) as ``issue_invoices`` does a run's, and reload it."""
    issue_invoices(
        drafts=pl.DataFrame(
            {
                "id": [invoice.id],
                "series": [invoice.series],
                "account_id": [invoice.account_id],
                "net_pence": [invoice.net_pence],
                "ccl_pence": [invoice.ccl_pence],
                "vat_pence": [invoice.vat_pence],
                "total_pence": [invoice.total_pence],
                "compensation_pence": [compensation_pence],
            },
            schema={
                "id": pl.Int64,
                "series": pl.String,
                "account_id": pl.Int64,
                "net_pence": pl.Int64,
                "ccl_pence": pl.Int64,
                "vat_pence": pl.Int64,
                "total_pence": pl.Int64,
                "compensation_pence": pl.Int64,
            },
        ),
        reference=reference,
        description=description,
        effective_date=effective_date,
        as_at=as_at,
        issued_by=issued_by,
        kind=kind,
    )
    invoice.refresh_from_db()


def issue_invoices(
    *,
    drafts: pl.DataFrame,
    reference: str,
    description: str,
    effective_date: datetime.date,
    as_at: datetime.datetime,
    issued_by: str,
    kind: str = "CHARGE",
) -> int:
    """Number and issue draft (or released held) invoices, and post their charges to the
    ledger in one balanced journal (of ``kind``: a credit note's is ``CREDIT``). Call inside a transaction. ``drafts`` has ``id``,
    ``series``, ``account_id``, ``net_pence``, ``ccl_pence``, ``vat_pence``,
    ``total_pence``, in the order they are to be numbered."""
    if drafts.is_empty():
        return 0
    numbered = []
    # Series rows locked in one order (their codes'), so two releases never deadlock.
    for code in sorted(drafts["series"].unique().to_list()):
        group = drafts.filter(pl.col("series") == code)
        series = _locked_series(str(code))
        first = series.next_number
        series.next_number = first + group.height
        series.save(update_fields=["next_number"])
        numbered.append(
            group.with_columns(
                number=pl.format(
                    "{}{}",
                    pl.col("series"),
                    (pl.int_range(first, first + group.height, eager=False))
                    .cast(pl.String)
                    .str.zfill(9),
                )
            )
        )
    issued = pl.concat(numbered)
    frames.create_temp_table("_issued_invoices", {"id": "bigint", "number": "varchar(16)"})
    frames.write_temp("_issued_invoices", issued.select("id", "number"))
    moment = connection.ops.adapt_datetimefield_value(as_at)
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE billing_invoice SET number = i.number, status = 'ISSUED',
                      issued_at = %s
               FROM _issued_invoices i WHERE billing_invoice.id = i.id""",
            [moment],
        )
    # Compensation credited on a bill (negative, inside its net) is the company's cost,
    # not less energy sold: it goes to its own ledger.
    compensation = (
        int(issued["compensation_pence"].sum()) if "compensation_pence" in issued.columns else 0
    )
    ledger.post_journal_frame(
        kind=kind,
        reference=reference,
        description=description,
        effective_date=effective_date,
        receivable=issued.select(
            holder="account_id", amount_pence="total_pence", document="number"
        ),
        contra={
            "ENERGY_SALES": -(int(issued["net_pence"].sum()) - compensation),
            "COMPENSATION": -compensation,
            "VAT_OUTPUT": -int(issued["vat_pence"].sum()),
            "CCL": -int(issued["ccl_pence"].sum()),
        },
        posted_at=as_at,
        posted_by=issued_by,
    )
    return issued.height
