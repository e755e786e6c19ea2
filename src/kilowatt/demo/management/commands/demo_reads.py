"""``kilowatt demo_reads --months 6 [--if-empty]``: a reading history for the demo book."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from kilowatt.demo import operations
from kilowatt.platform import clock


class Command(BaseCommand):
    help = (
        "Record a monthly meter reading history for every supplied register through the "
        "validation path, with a few odd readings held for the read-exceptions queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=6, help="how many monthly readings")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any read exists")

    def handle(self, *args: object, **options: object) -> None:
        report = operations.seed_reads(
            today=clock.today(),
            months=int(options["months"]),  # type: ignore[call-overload]
            as_at=clock.now(),
            if_empty=bool(options["if_empty"]),
        )
        if not report.skipped:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Recorded {report.reads:,} readings; {report.held:,} held for review."
                )
            )
