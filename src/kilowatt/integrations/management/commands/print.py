"""``kilowatt print``: paper invoices and the print-and-post bureau.

``kilowatt print send --month 2026-11 [--url URL] [--api-key KEY] [--batch-size N]`` sends
the month's issued paper invoices that hold no archive token to the bureau (default
``PRINT_BUREAU_URL`` and ``PRINT_BUREAU_API_KEY``) and records the tokens it answers,
printing a line per batch and one per refused invoice; run again, it carries on where it
stopped and prints nothing twice. ``kilowatt print fetch TOKEN --out FILE`` writes the
document the bureau keeps under an archive token. ``kilowatt print purge`` deletes our
copies of invoice documents printed (or issued) more than five years ago.
"""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.billing import operations as billing_operations
from kilowatt.integrations import operations
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput, NotFound


def _month(text: str) -> datetime.date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        raise CommandError(f"{text!r} is not a month (YYYY-MM)") from None


class Command(BaseCommand):
    help = "Send paper invoices to the print bureau, fetch one back, or purge old documents."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="send a month's paper invoices to the bureau")
        send.add_argument("--month", required=True, metavar="YYYY-MM")
        send.add_argument("--url", default=None, help="the bureau (PRINT_BUREAU_URL)")
        send.add_argument("--api-key", default=None, help="its key (PRINT_BUREAU_API_KEY)")
        send.add_argument("--batch-size", type=int, default=operations.BATCH_SIZE)
        fetch = actions.add_parser("fetch", help="write an archived invoice to a file")
        fetch.add_argument("token")
        fetch.add_argument("--out", required=True, metavar="FILE")
        fetch.add_argument("--url", default=None)
        fetch.add_argument("--api-key", default=None)
        actions.add_parser("purge", help="delete our invoice documents older than five years")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            self._send(options)
        elif options["action"] == "fetch":
            self._fetch(options)
        else:
            purged = billing_operations.purge_expired_invoice_documents(as_at=clock.now())
            self.stdout.write(f"{purged} invoice documents older than five years deleted")

    def _send(self, options: dict[str, Any]) -> None:
        def report(batch: operations.PrintBatch) -> None:
            again = " (the bureau had it already: nothing printed again)" if batch.replayed else ""
            self.stdout.write(
                f"batch {batch.batch_id} ({batch.idempotency_key}): {batch.invoices} sent, "
                f"{batch.accepted} accepted, {len(batch.rejections)} refused, "
                f"{batch.recorded} tokens recorded{again}"
            )
            for rejection in batch.rejections:
                self.stdout.write(
                    f"  {rejection.invoice_number} refused, {rejection.reason}: {rejection.message}"
                )

        try:
            run = operations.send_paper_invoices(
                month=_month(options["month"]),
                as_at=clock.now(),
                url=options["url"],
                api_key=options["api_key"],
                batch_size=options["batch_size"],
                on_batch=report,
            )
        except (InvalidInput, operations.PrintBureauError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{run.month:%Y-%m}: {run.sent} paper invoices sent in {len(run.batches)} batches, "
            f"{run.accepted} accepted, {len(run.rejections)} refused, "
            f"{run.recorded} tokens recorded"
        )

    def _fetch(self, options: dict[str, Any]) -> None:
        try:
            pdf = operations.fetch_archived_invoice(
                token=options["token"], url=options["url"], api_key=options["api_key"]
            )
        except (NotFound, operations.PrintBureauError) as error:
            raise CommandError(str(error)) from None
        try:
            pathlib.Path(options["out"]).write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"{options['out']}: cannot write ({error.strerror})") from None
        self.stdout.write(f"{options['out']}: {len(pdf)} bytes")
