"""Half-hourly data benchmark: one day of 48 half-hourly values for up to 100,000
electricity meter points of the seeded book (4.8 million values) validated and stored
through ``metering.operations.record_half_hourly_days``, beside a bare COPY of the very
same stored rows into an empty clone of the table (``CREATE TABLE ... (LIKE ...
INCLUDING ALL)``: same columns, unique index and checks), measured in the same run.
Goal: under 5 s for 100,000 meter points on PostgreSQL.

    python bench/halfhourly.py --scale 100000 [--keep] [--database NAME]

(run after the seed benchmark, on its database: ``--database`` of a kept one).
"""

from __future__ import annotations

import datetime
import io
import time

import _harness

MOST_METER_POINTS = 100_000
DAY = datetime.date(2026, 5, 19)  # the day before the seed's today: an ordinary 48 periods
AS_AT = datetime.datetime(2026, 5, 20, 6, 0, tzinfo=datetime.UTC)
PERIODS = 48


def _batch(identifiers: list[str]):
    """One day of plausible values (Wh) for each meter point, built on columns."""
    import polars as pl

    count = len(identifiers)
    flat = pl.select(
        value=(pl.int_range(0, count * PERIODS, dtype=pl.Int64) * 7_919 + 13) % 600
    ).to_series()
    return pl.DataFrame(
        {
            "meter_point": identifiers,
            "day": [DAY] * count,
            "values": flat.reshape((count, PERIODS)).cast(pl.List(pl.Int64)),
        }
    )


def _bare_copy_seconds(table: str) -> float:
    """COPY the stored rows of the day out (not timed), then into an empty clone of the
    table (timed, with its commit)."""
    import psycopg

    columns = (
        "meter_point_id, day, packed_wh, periods, total_wh, received_at, received_by, reference"
    )
    buffer = io.BytesIO()
    with psycopg.connect(_harness.database_dsn()) as connection:
        with connection.cursor() as cursor:
            with cursor.copy(
                f"COPY (SELECT {columns} FROM {table} WHERE day = %s) TO STDOUT", [DAY]
            ) as copy:
                for block in copy:
                    buffer.write(block)
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
            cursor.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        connection.commit()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY floor_{table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(buffer.getvalue())
        connection.commit()
        copying = time.perf_counter() - started
        connection.execute(f"DROP TABLE floor_{table}")
        connection.commit()
    return copying


def run(scale: int) -> list[_harness.Figure]:
    """Record one day for ``min(scale, 100,000)`` meter points, then COPY it bare."""
    import polars as pl

    from kilowatt.metering import models, operations

    count = min(scale, MOST_METER_POINTS)
    identifiers = list(
        models.MeterPoint.objects.filter(fuel="ELECTRICITY")
        .order_by("id")
        .values_list("identifier", flat=True)[:count]
    )
    count = len(identifiers)
    models.HalfHourlyDay.objects.filter(day=DAY).delete()  # a rerun on a kept database
    batch = _batch(identifiers)
    values = count * PERIODS
    print(f"halfhourly: {count:,} meter points, {values:,} values on {DAY}")
    started = time.perf_counter()
    outcomes = operations.record_half_hourly_days(
        batch=batch, received_by="bench", reference=f"bench-{DAY}", as_at=AS_AT
    )
    recording = time.perf_counter() - started
    statuses = dict(outcomes.group_by("status").agg(pl.len()).iter_rows())
    if statuses != {"ACCEPTED": count}:
        raise SystemExit(f"halfhourly: expected every day accepted, got {statuses}")
    copying = _bare_copy_seconds(models.HalfHourlyDay._meta.db_table)
    print(f"halfhourly: recorded in {recording:.2f} s, bare COPY {copying:.2f} s")
    return [
        _harness.Figure("halfhourly_day", recording, "s", copying, count, False),
        _harness.Figure(
            "halfhourly_values", values / recording, "values/s", values / copying, count, True
        ),
    ]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
