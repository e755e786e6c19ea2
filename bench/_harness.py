"""What every benchmark shares: a throwaway PostgreSQL database, Django set up on it,
and the way figures are printed (a line each beside its floor, then one JSON line each).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import secrets
from collections.abc import Iterator

import psycopg

SERVER = "host=127.0.0.1 port=5432 user=postgres"


@dataclasses.dataclass(frozen=True)
class Figure:
    """One measured figure and the floor it is compared with, measured in the same run.

    ``higher_is_better``: a throughput (ratio = floor / value); otherwise a latency
    (ratio = value / floor). Either way a ratio of 1 means as good as the floor, and
    the larger the ratio, the further from it.
    """

    benchmark: str
    value: float
    unit: str
    floor: float
    scale: int
    higher_is_better: bool

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.floor / self.value if self.value else float("inf")
        return self.value / self.floor if self.floor else float("inf")

    def as_json(self) -> str:
        return json.dumps(
            {
                "benchmark": self.benchmark,
                "value": round(self.value, 3),
                "unit": self.unit,
                "floor": round(self.floor, 3),
                "ratio": round(self.ratio, 2),
                "scale": self.scale,
            }
        )


def report(figures: list[Figure]) -> None:
    """Print each figure beside its floor, then one JSON line per figure."""
    for figure in figures:
        how = "floor/value" if figure.higher_is_better else "value/floor"
        print(
            f"  {figure.benchmark:<22} {figure.value:>12,.2f} {figure.unit:<12} "
            f"floor {figure.floor:>12,.2f}   ratio {figure.ratio:.2f} ({how})"
        )
    for figure in figures:
        print(figure.as_json())


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=int, default=100_000, help="customers in the book")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument(
        "--database", default=None, help="use this existing database instead of a throwaway"
    )
    return parser.parse_args()


@contextlib.contextmanager
def throwaway_database(*, keep: bool, name: str | None = None) -> Iterator[str]:
    """Create ``kilowatt_bench_<pid>`` on the local PostgreSQL, yield its URL, drop it
    at the end (unless ``keep``). With ``name``, use that database as it is."""
    if name:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
        return
    database = f"kilowatt_bench_{os.getpid()}"
    with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {database}")
        server.execute(f"CREATE DATABASE {database}")
    print(f"database {database} on 127.0.0.1:5432")
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{database}"
    finally:
        if keep:
            print(f"kept database {database}")
        else:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as server:
                server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def set_up_django(database_url: str) -> None:
    """Point Django at the database (production-like: DEBUG off) and migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kilowatt.config.settings"
    os.environ["KILOWATT_DEBUG"] = "0"
    os.environ.setdefault("KILOWATT_SECRET_KEY", secrets.token_urlsafe(32))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def database_dsn() -> str:
    """Return a libpq connection string for the database Django is using."""
    from django.db import connection

    settings = connection.settings_dict
    return (
        f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
        f"user={settings['USER']} dbname={settings['NAME']}"
    )
