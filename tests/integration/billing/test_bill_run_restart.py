"""A bill run killed part-way and started again bills every account exactly once.

Real parts only: PostgreSQL, a Redis broker of the test's own on 127.0.0.1, and Celery
worker processes that are killed (SIGKILL, as a machine dies) while they bill; then
``kilowatt billing run`` again queues what is left and a fresh worker finishes it.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from kilowatt.billing import models, operations, queries
from kilowatt.ledger import queries as ledger_queries

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real workers need a shared PostgreSQL"
    ),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

RUN_DATE = datetime.date(2026, 12, 1)  # after the seed's today, so every account is due
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _redis() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _environment(broker: str) -> dict[str, str]:
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "kilowatt.config.settings",
    }


def _worker(broker: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "kilowatt.config.celery", "worker",
            "--concurrency", "1", "--pool", "prefork", "--loglevel", "WARNING",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ],
        env=_environment(broker),
        cwd=ROOT,
        start_new_session=True,  # its own process group, killed whole below
    )  # fmt: skip


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _queue_pending(broker: str) -> str:
    """``kilowatt billing run --date ... --no-wait`` in its own process, on the broker."""
    done = subprocess.run(
        [sys.executable, "-m", "kilowatt.config.cli", "billing", "run",
         "--date", RUN_DATE.isoformat(), "--chunk-size", "3", "--no-wait"],
        env=_environment(broker), cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait(condition, *, timeout: float = 180.0, poll: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(poll)


def _reads() -> None:
    """A read of every register in service on 1 November and 1 December (UK midnights)."""
    with connection.cursor() as cursor:
        for read_at, month in (("2026-11-01 00:00:00+00", 0), ("2026-12-01 00:00:00+00", 1)):
            cursor.execute(
                f"""INSERT INTO metering_read (meter_point_id, meter_id, register_id, read_at,
                       value, source, status, advance, consumption_kwh, rolled_over, rule,
                       message, received_at, received_by, reference, billed_reference)
                    SELECT m.meter_point_id, m.id, r.id, '{read_at}', 1000 + {month} * 250,
                       'SMART', 'ACCEPTED', CASE WHEN {month} = 0 THEN NULL ELSE 250 END,
                       CASE WHEN {month} = 0 THEN NULL ELSE 250 END, false, '', '', now(),
                       'test', '', ''
                    FROM metering_register r JOIN metering_meter m ON m.id = r.meter_id
                    WHERE m.removed_date IS NULL"""
            )


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_a_run_killed_part_way_bills_every_account_once_when_started_again():
    call_command(
        "seed",
        customers=300,
        seed=1,
        today=datetime.date(2026, 11, 20),
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    _reads()
    with _redis() as broker:
        first = _worker(broker)
        try:
            output = _queue_pending(broker)
            run = models.BillRun.objects.get(run_date=RUN_DATE)
            chunks = run.chunks.count()
            assert chunks >= 30, output
            # Kill the workers once some chunks are billed but not all.
            _wait(lambda: run.chunks.filter(status="DONE").exists(), poll=0.02)
        finally:
            _kill(first)
        done = run.chunks.filter(status="DONE").count()
        assert done < chunks, "the run finished before the workers could be killed"
        # Nothing half-written: exactly the accounts of the chunks marked done are billed.
        billed = models.Invoice.objects.filter(run_id=run.id).count()
        assert billed == sum(chunk.invoices for chunk in run.chunks.filter(status="DONE"))

        second = _worker(broker)
        try:
            _queue_pending(broker)  # queues what is left (the killed tasks may come back too)
            _wait(lambda: queries.bill_run_progress(run_id=run.id).status == "COMPLETE")
        finally:
            _kill(second)

    invoices = models.Invoice.objects.filter(run_id=run.id)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM accounts_account a WHERE a.status = 'ACTIVE'
               AND a.bill_day = 1 AND EXISTS (SELECT 1 FROM accounts_agreement g
               WHERE g.account_id = a.id AND g.valid_from < %s)
               AND EXISTS (SELECT 1 FROM accounts_agreement g WHERE g.account_id = a.id
               AND (g.valid_to IS NULL OR g.valid_to > %s))""",
            [RUN_DATE, RUN_DATE],
        )
        (supplied,) = cursor.fetchone()
    assert invoices.count() == supplied > 0
    assert invoices.values("account_id").distinct().count() == supplied
    assert run.chunks.filter(status="DONE").count() == chunks

    issued = operations.release_bill_run(
        run_id=run.id, released_by="test", as_at=datetime.datetime.now(datetime.UTC)
    )
    assert issued == invoices.filter(status="ISSUED").count() > 0
    assert sum(ledger_queries.trial_balance().values()) == 0
