"""Meter reads benchmark: register reads validated and stored per second, through
``metering.operations.record_read_frame`` (the path every source takes: find each
register, its last accepted read, judge, write every read, recalculate the EAC/AQ),
beside the floor: a bare COPY of the same read rows into an empty clone of the read
table (same columns, indexes and checks), measured in the same run.

The book's registers (up to 1,000,000; the seed benchmark builds the book first) get an
opening read a month before, untimed; then one batch of a reading each a month later is
timed in this process; then a third month's batch is split in two by the read locks'
slices of the book and timed in two worker processes side by side (as two Celery workers
would take two halves of a big flow). Goal (issue 4): at least 150,000 reads/s on this
2-core machine. A second floor is printed beside it: the bare SQL finding each reading's
register and latest read, which together with the COPY bounds what any validation here
could reach.

    python bench/run.py --scale 1000000
"""

from __future__ import annotations

import datetime
import io
import multiprocessing
import os
import time

import _harness

MAX_READS = 1_000_000
OPENING = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
CLOSING = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
AS_AT = datetime.datetime(2026, 10, 2, 9, 0, tzinfo=datetime.UTC)


def _registers(limit: int):
    import polars as pl

    from kilowatt.platform import frames

    return frames.read_frame(
        """SELECT p.identifier, m.serial_number, r.identifier, p.fuel
           FROM metering_register r JOIN metering_meter m ON m.id = r.meter_id
           JOIN metering_meterpoint p ON p.id = m.meter_point_id
           WHERE m.removed_date IS NULL ORDER BY r.id LIMIT %s""",
        [limit],
        {
            "meter_point": pl.String,
            "meter_serial": pl.String,
            "register": pl.String,
            "fuel": pl.String,
        },
    )


def _batch(registers, at: datetime.datetime, *, month: int):
    import polars as pl

    # About a month's use: 250 kWh of electricity, 40 m3 of gas, varied by register.
    spread = pl.int_range(0, registers.height, eager=True) % 97
    value = (
        pl.when(pl.col("fuel") == "GAS")
        .then(40_000 + spread * 100)
        .otherwise(250_000 + spread * 1000)
    )
    return registers.with_columns(
        read_at=pl.lit(at).dt.convert_time_zone("UTC"),
        value_milli=(pl.lit(1_000_000) + value * month).cast(pl.Int64),
    ).select("meter_point", "meter_serial", "register", "read_at", "value_milli")


def _worker(url: str, limit: int, part: int, parts: int, start, results) -> None:
    """One worker process: its slices of the third month's batch, timed from a shared start."""
    _harness.set_up_django(url)
    import polars as pl

    from kilowatt.metering import operations
    from kilowatt.metering.operations import _reads

    registers = _registers(limit)
    mine = registers.filter(_reads._lock_slice_expr(pl.col("meter_point")) % parts == part)
    batch = _batch(mine, CLOSING + datetime.timedelta(days=31), month=2)
    start.wait()
    started = time.perf_counter()
    operations.record_read_frame(
        batch=batch,
        source="INDUSTRY",
        received_by=f"bench worker {part}",
        as_at=AS_AT + datetime.timedelta(days=31),
    )
    results.put((started, time.perf_counter(), batch.height))


def _two_workers(limit: int) -> tuple[float, int]:
    """Return the wall seconds two worker processes take for the third month, and reads."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    url = os.environ["DATABASE_URL"]
    workers = [
        context.Process(target=_worker, args=(url, limit, part, 2, start, results))
        for part in range(2)
    ]
    for worker in workers:
        worker.start()
    done = [results.get(timeout=1800) for _ in workers]
    for worker in workers:
        worker.join()
    return max(end for _, end, _ in done) - min(begun for begun, _, _ in done), sum(
        count for _, _, count in done
    )


def _checkpoint() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def _bare_copy_seconds() -> float:
    """COPY the rows the timed batch wrote into an empty clone of the read table."""
    import psycopg

    with psycopg.connect(_harness.database_dsn()) as connection:
        connection.execute("DROP TABLE IF EXISTS floor_metering_read")
        connection.execute("CREATE TABLE floor_metering_read (LIKE metering_read INCLUDING ALL)")
        buffer = io.BytesIO()
        with connection.cursor().copy(
            f"COPY (SELECT * FROM metering_read WHERE read_at = '{CLOSING.isoformat()}') TO STDOUT"
        ) as copy:
            for block in copy:
                buffer.write(block)
        connection.commit()
        connection.execute("CHECKPOINT")
        started = time.perf_counter()
        with connection.cursor().copy("COPY floor_metering_read FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        connection.commit()
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE floor_metering_read")
        connection.commit()
    return seconds


def _bare_lookup_seconds(registers) -> float:
    """The bare SQL no validation can do without: stage the batch's keys, then find each
    reading's register and that register's latest accepted read (the query
    ``record_read_frame`` runs), every row read out and dropped."""
    import polars as pl
    import psycopg

    from kilowatt.metering.operations import _reads

    keys = registers.select(
        row=pl.int_range(pl.len(), dtype=pl.Int64),
        identifier="meter_point",
        serial="meter_serial",
        register=pl.col("register").str.strip_chars_start("0"),
        read_date=pl.lit(CLOSING.date()),
    )
    lookup = _reads._FACTS_SQL.format(
        stage="floor_read_keys", latest=_reads._LATEST_JOIN["postgresql"]
    )
    with psycopg.connect(_harness.database_dsn()) as connection:
        connection.execute("SET work_mem = '256MB'")
        connection.execute("SET jit = off")
        started = time.perf_counter()
        connection.execute(
            "CREATE UNLOGGED TABLE floor_read_keys (row bigint, identifier varchar(32),"
            " serial varchar(40), register varchar(10), read_date date)"
        )
        buffer = io.BytesIO()
        keys.write_csv(buffer, include_header=False)
        with connection.cursor().copy("COPY floor_read_keys FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        connection.execute("ANALYZE floor_read_keys")
        with connection.cursor().copy(f"COPY ({lookup}) TO STDOUT") as copy:
            for _row in copy:
                pass
        seconds = time.perf_counter() - started
        connection.rollback()
    return seconds


def run(scale: int) -> list[_harness.Figure]:
    from kilowatt.metering import operations

    registers = _registers(min(scale, MAX_READS))
    count = registers.height
    print(f"reads: {count:,} registers; opening reads (untimed) ...")
    operations.record_read_frame(
        batch=_batch(registers, OPENING, month=0),
        source="INDUSTRY",
        received_by="bench",
        as_at=AS_AT,
    )
    batch = _batch(registers, CLOSING, month=1)
    _checkpoint()  # the untimed opening batch's writes are not the timed batch's to flush
    started = time.perf_counter()
    outcome = operations.record_read_frame(
        batch=batch, source="INDUSTRY", received_by="bench", as_at=AS_AT
    )
    seconds = time.perf_counter() - started
    statuses = dict(outcome.group_by("status").len().iter_rows())
    print(f"reads: {count:,} reads validated and stored in {seconds:.2f} s; outcomes {statuses}")
    floor = _bare_copy_seconds()
    print(f"reads: bare COPY of the same {count:,} rows {floor:.2f} s")
    lookup = _bare_lookup_seconds(registers)
    print(
        f"reads: bare SQL finding the {count:,} registers and their latest reads {lookup:.2f} s;"
        f" with the COPY {floor + lookup:.2f} s, at most {count / (floor + lookup):,.0f} reads/s"
        " with no validation at all"
    )
    _checkpoint()
    both, reads = _two_workers(min(scale, MAX_READS))
    print(f"reads: {reads:,} reads in two worker processes side by side in {both:.2f} s")
    return [
        _harness.Figure("reads", count / seconds, "reads/s", count / floor, count, True),
        _harness.Figure("reads_2_workers", reads / both, "reads/s", count / floor, count, True),
    ]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
