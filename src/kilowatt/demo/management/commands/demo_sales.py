"""``kilowatt demo_sales [--if-empty]``: a sales pipeline for the demo's agent, sales
manager and telesales team (commission rules, a target, sign-ups at every stage)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from kilowatt.demo import operations
from kilowatt.platform import clock


class Command(BaseCommand):
    help = "Give the demo's sales team commission rules, a target and sign-ups at every stage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any order exists"
        )

    def handle(self, *args: object, **options: object) -> None:
        report = operations.seed_sales(as_at=clock.now(), if_empty=bool(options["if_empty"]))
        if not report.skipped:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.orders} demo sign-ups recorded: see /sales/pipeline/ "
                    "(sales-manager), /sales/agent/ (agent), /sales/exceptions/ (admin)."
                )
            )
