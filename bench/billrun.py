"""Bill run benchmark: accounts billed per second through ``billing.operations`` (the
path every Celery worker runs: a chunk's accounts, agreements, rates, invoices so far
and reads read in a few queries, rated in columns, bills and lines written by COPY,
reads noted as billed, the chunk marked done, all in one transaction), beside the floor
measured in the same run: COPY out the same inputs (the same queries over the whole
book) and COPY in the same output rows (the run's invoices and lines into empty clones
of their tables, same indexes and checks).

Set-up, untimed: every active account gets last month's bill (so each bill is a
month's, with a previous bill to compare against), every register in service an opening
read (billed) and a closing read a month later. Then:

1. the June run in this one process, chunk after chunk (``accounts/s``);
2. its release: numbering every bill and posting one journal to the ledger;
3. the July run (another month of reads) in two worker processes side by side, each
   taking chunks as two Celery workers would (``accounts/s`` again): on 2 cores it must
   not be slower than one process.

Goal (issue 5): at least 10,000 accounts/s on this 2-core machine, within 2.5x the floor.

    python bench/run.py --scale 1000000
"""

from __future__ import annotations

import datetime
import io
import multiprocessing
import os
import time

import _harness

CHUNK_SIZE = 10_000
JUNE = datetime.date(2026, 6, 1)
JULY = datetime.date(2026, 7, 1)
AS_AT = datetime.datetime(2026, 6, 1, 5, 0, tzinfo=datetime.UTC)
# UK midnights (BST): the reads' days.
MAY_READ = "2026-04-30 23:00:00+00"
JUNE_READ = "2026-05-31 23:00:00+00"
JULY_READ = "2026-06-30 23:00:00+00"


def _execute(sql: str, params: list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params) if params else cursor.execute(sql)
        return cursor.rowcount


def _previous_bills() -> int:
    """Last month's bill for every active account, issued (numbers in a bench series)."""
    return _execute(
        """INSERT INTO billing_invoice (id, number, series, account_id, run_id, kind, status,
               is_final, period_start, period_end, bill_date, net_pence, ccl_pence, vat_pence,
               total_pence, hold_rule, hold_message, delivery, replaces_id, created_at,
               issued_at, decided_by, archive_token, sent_to_print_at)
           SELECT nextval(pg_get_serial_sequence('billing_invoice', 'id')), 'BENCH' || a.id,
               'KWE', a.id, NULL, 'INVOICE', 'ISSUED', false, '2026-04-01', '2026-05-01',
               '2026-05-01', 9000 + a.id % 1000, 0, 450, 9450 + a.id % 1000, '', '', 'EMAIL',
               NULL, '2026-05-01 06:00+00', '2026-05-01 06:00+00', '', NULL, NULL
           FROM accounts_account a WHERE a.status = 'ACTIVE'"""
    )


def _reads(read_at: str, *, month: int, billed: str) -> int:
    """A read of every register in service: ``month`` months of use after the opening."""
    # About 200-300 kWh of electricity a month, or 40-52 m3 of gas (about 450-580 kWh).
    return _execute(
        f"""INSERT INTO metering_read (id, meter_point_id, meter_id, register_id, read_at,
               value, source, status, advance, consumption_kwh, rolled_over, rule, message,
               received_at, received_by, reference, billed_reference)
           SELECT nextval(pg_get_serial_sequence('metering_read', 'id')), m.meter_point_id,
               m.id, r.id, '{read_at}',
               10000 + {month} * (CASE WHEN m.units = 'KWH' THEN 200 + r.id % 97
                                       ELSE 40 + r.id % 13 END),
               'SMART', 'ACCEPTED',
               CASE WHEN {month} = 0 THEN NULL WHEN m.units = 'KWH' THEN 200 + r.id % 97
                    ELSE 40 + r.id % 13 END,
               CASE WHEN {month} = 0 THEN NULL WHEN m.units = 'KWH' THEN 200 + r.id % 97
                    ELSE round((40 + r.id % 13) * 1.02264 * 39.2 / 3.6, 3) END,
               false, '', '', '{read_at}'::timestamptz + interval '6 hours', 'bench', '',
               '{billed}'
           FROM metering_register r JOIN metering_meter m ON m.id = r.meter_id
           WHERE m.removed_date IS NULL"""
    )


def _set_up() -> tuple[int, int]:
    bills = _previous_bills()
    opening = _reads(MAY_READ, month=0, billed="bench")
    _reads(JUNE_READ, month=1, billed="")
    _execute("ANALYZE")
    _execute("CHECKPOINT")
    return bills, opening


def _bill_in_process(run_date: datetime.date) -> tuple[float, int, int]:
    from kilowatt.billing import operations, queries

    started = time.perf_counter()
    run_id = operations.start_bill_run(
        run_date=run_date, started_by="bench", as_at=AS_AT, chunk_size=CHUNK_SIZE
    )
    for chunk_id in operations.pending_chunk_ids(run_id=run_id):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT)
    seconds = time.perf_counter() - started
    progress = queries.bill_run_progress(run_id=run_id)
    assert progress.status == "COMPLETE", progress
    return seconds, progress.invoices, progress.held


def _worker(url: str, run_id: int, part: int, parts: int, start, results) -> None:
    """One worker process: every other chunk of the run (as one of two Celery workers)."""
    # A worker process a core, as Celery runs them (``--concurrency`` = cores): each with
    # one Polars thread, so two processes do not fight over the same two cores.
    os.environ["POLARS_MAX_THREADS"] = os.environ.get("BILLRUN_WORKER_THREADS", "1")
    _harness.set_up_django(url)
    from kilowatt.billing import operations

    chunk_ids = operations.pending_chunk_ids(run_id=run_id)
    start.wait()
    started = time.perf_counter()
    billed = 0
    for chunk_id in chunk_ids[part::parts]:
        billed += operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT)
    results.put((started, time.perf_counter(), billed))


def _bill_in_two_workers(run_date: datetime.date) -> tuple[float, int]:
    from django.db import connections

    from kilowatt.billing import operations

    run_id = operations.start_bill_run(
        run_date=run_date, started_by="bench", as_at=AS_AT, chunk_size=CHUNK_SIZE
    )
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    url = os.environ["DATABASE_URL"]
    workers = [
        context.Process(target=_worker, args=(url, run_id, part, 2, start, results))
        for part in range(2)
    ]
    for worker in workers:
        worker.start()
    done = [results.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(end for _, end, _ in done) - min(begun for begun, _, _ in done)
    return seconds, sum(count for _, _, count in done)


def _floor_seconds(run_date: datetime.date) -> float:
    """COPY out the run's inputs (the chunk queries over the whole book) and COPY in its
    outputs (its invoices and lines) into empty clones of their tables."""
    import psycopg

    until = f"'{JUNE_READ}'::timestamptz + interval '1 day'"
    inputs = [
        """SELECT a.id, a.number, c.kind, c.is_micro_business, a.bill_delivery, a.bill_cycle,
                  a.created_at
           FROM accounts_account a JOIN customers_customer c ON c.id = a.customer_id
           WHERE a.status = 'ACTIVE' AND a.bill_day = 1""",
        """SELECT account_id, period_start, period_end, net_pence FROM billing_invoice
           WHERE kind = 'INVOICE' AND status = 'ISSUED'""",
        """SELECT g.account_id, g.meter_point_id, p.identifier, p.fuel, g.valid_from,
                  g.valid_to, g.tariff_id, t.code, t.standing_charge_pence_per_day
           FROM accounts_agreement g JOIN metering_meterpoint p ON p.id = g.meter_point_id
           JOIN accounts_tariff t ON t.id = g.tariff_id""",
        f"""SELECT r.id, r.meter_point_id, r.register_id, g.band, r.read_at, r.source,
                   r.status, r.consumption_kwh, r.billed_reference
            FROM metering_read r JOIN metering_register g ON g.id = r.register_id
            WHERE r.read_at >= '{MAY_READ}' AND r.read_at < {until}""",
    ]
    outputs = {
        "billing_invoice": f"SELECT * FROM billing_invoice WHERE bill_date = '{run_date}'",
        "billing_invoiceline": f"""SELECT l.* FROM billing_invoiceline l
            JOIN billing_invoice i ON i.id = l.invoice_id WHERE i.bill_date = '{run_date}'""",
    }
    with psycopg.connect(_harness.database_dsn()) as connection:
        started = time.perf_counter()
        for query in inputs:
            with connection.cursor().copy(f"COPY ({query}) TO STDOUT") as copy:
                for _block in copy:
                    pass
        copying_out = time.perf_counter() - started
        texts = {}
        for table, query in outputs.items():
            buffer = io.BytesIO()
            with connection.cursor().copy(f"COPY ({query}) TO STDOUT") as copy:
                for block in copy:
                    buffer.write(block)
            texts[table] = buffer.getvalue()
            connection.execute(f"DROP TABLE IF EXISTS floor_{table}")
            connection.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        connection.commit()
        connection.execute("CHECKPOINT")
        started = time.perf_counter()
        for table, text in texts.items():
            with connection.cursor().copy(f"COPY floor_{table} FROM STDIN") as copy:
                copy.write(text)
        connection.commit()
        copying_in = time.perf_counter() - started
        for table in texts:
            connection.execute(f"DROP TABLE floor_{table}")
        connection.commit()
    print(f"billrun: floor: COPY out the inputs {copying_out:.2f} s, COPY in the outputs "
          f"{copying_in:.2f} s")  # fmt: skip
    return copying_out + copying_in


def run(scale: int) -> list[_harness.Figure]:
    from kilowatt.billing import operations, queries

    print("billrun: last month's bills and two months of reads (untimed) ...")
    bills, reads = _set_up()
    print(f"billrun: {bills:,} accounts with a bill last month, {reads:,} registers read")
    seconds, invoices, held = _bill_in_process(JUNE)
    print(f"billrun: June run, one process: {invoices:,} bills ({held:,} held) in {seconds:.2f} s")
    floor = _floor_seconds(JUNE)
    run_id = queries.bill_run_for_date(run_date=JUNE).id  # type: ignore[union-attr]
    started = time.perf_counter()
    issued = operations.release_bill_run(run_id=run_id, released_by="bench", as_at=AS_AT)
    releasing = time.perf_counter() - started
    print(f"billrun: release: {issued:,} bills numbered and posted in {releasing:.2f} s")
    _reads(JULY_READ, month=2, billed="")
    _execute("ANALYZE")
    _execute("CHECKPOINT")
    both, billed = _bill_in_two_workers(JULY)
    print(f"billrun: July run, two worker processes: {billed:,} bills in {both:.2f} s")
    accounts = max(invoices, 1)
    return [
        _harness.Figure("billrun", invoices / seconds, "accounts/s", accounts / floor, scale, True),
        _harness.Figure(
            "billrun_2_workers", billed / both, "accounts/s", accounts / floor, scale, True
        ),
        _harness.Figure(
            "billrun_release", issued / releasing, "bills/s", accounts / floor, scale, True
        ),
    ]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
