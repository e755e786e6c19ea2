"""``kilowatt comms send``: send the due emails of the outbox now (Celery beat does it
every minute where a broker runs); ``kilowatt comms status`` counts them by status."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kilowatt.comms import operations, queries
from kilowatt.platform import clock


class Command(BaseCommand):
    help = "Send the email outbox's due messages, or count them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="send every due email now")
        send.add_argument("--batch", type=int, default=200, help="emails a connection")
        actions.add_parser("status", help="count the outbox's emails by status")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            counts = queries.email_counts()
            self.stdout.write(
                ", ".join(f"{count} {status.lower()}" for status, count in counts.items())
            )
            return
        as_at = clock.now()
        total = 0
        # Every due message is tried once: a failed one is backed off into the future.
        while sent := operations.send_queued_emails(as_at=as_at, limit=options["batch"]):
            total += sent
        counts = queries.email_counts()
        self.stdout.write(
            f"{total} emails sent; {counts['QUEUED']} waiting, {counts['FAILED']} failed"
        )
