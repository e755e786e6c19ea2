"""``kilowatt events dispatch``: deliver every waiting event to the handlers wired to it.

Celery beat does this every minute where a broker runs; without one (the demo), run it
after a command that announces something, for example
``kilowatt metering detect_silent_smart_meters``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kilowatt.platform import clock, events


class Command(BaseCommand):
    help = "Deliver the outbox's waiting events to their handlers."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        dispatch = actions.add_parser("dispatch", help="deliver every waiting event")
        dispatch.add_argument("--batch", type=int, default=500, help="events a transaction run")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while delivered := events.dispatch(as_at=clock.now(), limit=options["batch"]):
            total += delivered
        self.stdout.write(f"{total} events delivered")
