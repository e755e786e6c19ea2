"""``kilowatt journeys advance``: take every journey's due step now (Celery beat does it
daily where a broker runs)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kilowatt.journeys import operations
from kilowatt.platform import clock


class Command(BaseCommand):
    help = "Advance the journeys (moves, losses): reminders, lost supplies ended, closings."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("advance", help="take every journey's due step now")

    def handle(self, *args: Any, **options: Any) -> None:
        done = operations.advance_journeys(as_at=clock.now())
        self.stdout.write(
            ", ".join(
                f"{count} {name.replace('_', ' ')}"
                for name, count in dataclasses.asdict(done).items()
            )
        )
