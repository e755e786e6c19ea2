"""``kilowatt billing``: bill runs from the command line.

``kilowatt billing run --date 2026-12-01`` plans the run of that date (every active
account whose bill day it is) and queues each chunk as a Celery task; in the embedded
default (no broker) the chunks are billed here and now, and with workers it waits and
shows progress (``--no-wait`` to return at once). Run it again after a crash to queue
the chunks not billed yet: nothing is billed twice.
``kilowatt billing release --date 2026-12-01`` issues the run's bills (numbers, ledger).
``kilowatt billing status --date 2026-12-01`` prints where the run is.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.billing import operations, queries
from kilowatt.billing.interfaces import tasks
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput

CLI_USER = "kilowatt billing (command line)"


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Start, watch and release bill runs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="bill every account due on a date")
        run.add_argument("--date", required=True, help="the bill date, YYYY-MM-DD")
        run.add_argument("--chunk-size", type=int, default=5_000)
        run.add_argument("--no-wait", action="store_true", help="queue and return")
        release = actions.add_parser("release", help="issue a complete run's bills")
        release.add_argument("--date", required=True)
        status = actions.add_parser("status", help="where a run is")
        status.add_argument("--date", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"])
        try:
            if options["action"] == "run":
                self._run(day, options["chunk_size"], wait=not options["no_wait"])
            elif options["action"] == "release":
                self._release(day)
            else:
                self._status(day)
        except InvalidInput as error:
            raise CommandError(str(error)) from None

    def _run(self, day: datetime.date, chunk_size: int, *, wait: bool) -> None:
        run_id = operations.start_bill_run(
            run_date=day, started_by=CLI_USER, as_at=clock.now(), chunk_size=chunk_size
        )
        pending = operations.pending_chunk_ids(run_id=run_id)
        self.stdout.write(f"Bill run {run_id} of {day}: {len(pending)} chunk(s) to bill")
        for chunk_id in pending:
            tasks.bill_chunk.delay(chunk_id)
        if wait and not settings.CELERY_TASK_ALWAYS_EAGER:
            self._wait(run_id)
        self._print(queries.bill_run_progress(run_id=run_id))

    def _wait(self, run_id: int) -> None:
        while True:
            progress = queries.bill_run_progress(run_id=run_id)
            self.stdout.write(
                f"  {progress.chunks_done}/{progress.chunks} chunks, "
                f"{progress.invoices:,} bills ({progress.held:,} held)"
            )
            if progress.status != "RUNNING":
                return
            time.sleep(2)

    def _release(self, day: datetime.date) -> None:
        progress = queries.bill_run_for_date(run_date=day)
        if progress is None:
            raise CommandError(f"--date: there is no bill run of {day}")
        issued = operations.release_bill_run(
            run_id=progress.id, released_by=CLI_USER, as_at=clock.now()
        )
        self.stdout.write(f"Bill run {progress.id} of {day} released: {issued:,} bills issued")

    def _status(self, day: datetime.date) -> None:
        progress = queries.bill_run_for_date(run_date=day)
        if progress is None:
            raise CommandError(f"--date: there is no bill run of {day}")
        self._print(progress)

    def _print(self, progress: queries.BillRunProgress) -> None:
        self.stdout.write(
            f"Run {progress.id} of {progress.run_date}: {progress.status}, "
            f"{progress.chunks_done}/{progress.chunks} chunks, {progress.accounts_due:,} "
            f"accounts due, {progress.invoices:,} bills, {progress.held:,} held"
        )
