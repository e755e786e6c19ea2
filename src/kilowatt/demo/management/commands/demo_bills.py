"""``kilowatt demo_bills --months 7 [--if-empty]``: a billing history for the demo book
on the days of its monthly readings (run ``demo_reads`` with the same ``--months`` first);
the latest run is left for the billing team to release."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from kilowatt.demo import operations
from kilowatt.platform import clock


class Command(BaseCommand):
    help = "Bill the demo book monthly over its reading history; leave the latest run open."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=7, help="as given to demo_reads")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any invoice exists"
        )

    def handle(self, *args: object, **options: object) -> None:
        report = operations.seed_bills(
            today=clock.today(),
            months=int(options["months"]),  # type: ignore[call-overload]
            as_at=clock.now(),
            if_empty=bool(options["if_empty"]),
        )
        if not report.skipped:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Billed {report.runs} monthly runs ({report.bills:,} bills); the latest "
                    f"is complete, {report.held_now:,} bills held, waiting for release at "
                    "/billing/runs/."
                )
            )
