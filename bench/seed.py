"""Seeding benchmark: ``kilowatt seed --customers N`` through the real command, beside a
bare COPY of the very same rows into empty clones of the same tables (same columns,
indexes and checks: ``CREATE TABLE ... (LIKE ... INCLUDING ALL)``), measured in the same
run. Reports customers/s and rows/s; the goal is a million customers in under 2 minutes.

    python bench/seed.py --scale 100000 [--keep]
"""

from __future__ import annotations

import datetime
import io
import time

import _harness

SEED = 1
TODAY = datetime.date(2026, 5, 20)


def _tables():
    from kilowatt.accounts import models as accounts
    from kilowatt.customers import models as customers
    from kilowatt.demo.domain import rows
    from kilowatt.metering import models as metering
    from kilowatt.properties import models as properties

    # chunk attribute -> (table, columns)
    return {
        "customers": (customers.Customer._meta.db_table, rows.CUSTOMER),
        "contacts": (customers.Contact._meta.db_table, rows.CONTACT),
        "consents": (customers.MarketingConsent._meta.db_table, rows.CONSENT),
        "priority_needs": (customers.PriorityNeed._meta.db_table, rows.PRIORITY_NEED),
        "sites": (properties.Site._meta.db_table, rows.SITE),
        "meter_points": (metering.MeterPoint._meta.db_table, rows.METER_POINT),
        "meters": (metering.Meter._meta.db_table, rows.METER),
        "registers": (metering.Register._meta.db_table, rows.REGISTER),
        "accounts": (accounts.Account._meta.db_table, rows.ACCOUNT),
        "agreements": (accounts.Agreement._meta.db_table, rows.AGREEMENT),
    }


def _bare_copy_seconds(plan, chunk_size: int) -> tuple[float, int]:
    """COPY the plan's rows into empty clones of the tables; return the seconds spent in
    COPY alone (generating and encoding the text is not counted) and the rows copied."""
    import psycopg

    from kilowatt.demo.domain import book
    from kilowatt.platform.bulk import copy_text

    tables = _tables()
    copying = 0.0
    copied = 0
    with psycopg.connect(_harness.database_dsn()) as connection:
        for table, _columns in tables.values():
            connection.execute(f"DROP TABLE IF EXISTS floor_{table}")
            connection.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        connection.commit()
        for chunk in book.generate(plan, chunk_size=chunk_size):
            texts = {
                name: (table, columns, "".join(copy_text(rows, width=len(columns))))
                for name, rows in chunk.tables().items()
                if rows
                for table, columns in [tables[name]]
            }
            copied += chunk.row_count
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for table, columns, text in texts.values():
                    with cursor.copy(
                        f"COPY floor_{table} ({', '.join(columns)}) FROM STDIN"
                    ) as copy:
                        copy.write(text)
            connection.commit()
            copying += time.perf_counter() - started
        for table, _columns in tables.values():
            connection.execute(f"DROP TABLE floor_{table}")
        connection.commit()
    return copying, copied


def run(scale: int) -> list[_harness.Figure]:
    """Seed ``scale`` customers through the command, then COPY the same rows bare."""
    from django.core.management import call_command

    from kilowatt.demo import operations
    from kilowatt.platform import clock

    # The catalogue and the logins first (as a first seed would), so the plan read back
    # for the floor is exactly the one the timed seed follows.
    call_command("seed", customers=0, seed=SEED, today=TODAY, stdout=io.StringIO())
    plan = operations.book_plan(
        customers=scale,
        seed=SEED,
        today=TODAY,
        as_at=clock.now(),
        first_ids=operations.first_ids(),
    )
    print(f"seed: kilowatt seed --customers {scale:,} --seed {SEED}")
    started = time.perf_counter()
    call_command("seed", customers=scale, seed=SEED, today=TODAY)
    seeding = time.perf_counter() - started
    print("seed: the floor, a bare COPY of the same rows into empty clones ...")
    copying, rows = _bare_copy_seconds(plan, operations.CHUNK_SIZE)
    print(
        f"seed: {scale:,} customers, {rows:,} rows: seed {seeding:.1f} s, bare COPY {copying:.1f} s"
    )
    return [
        _harness.Figure("seed", scale / seeding, "customers/s", scale / copying, scale, True),
        _harness.Figure("seed_rows", rows / seeding, "rows/s", rows / copying, scale, True),
    ]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
