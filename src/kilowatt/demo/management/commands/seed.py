"""``kilowatt seed --customers N --seed S [--if-empty]``: load the demo book."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.demo import operations
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Load a realistic, deterministic demo book (85% homes, 15% businesses, valid MPANs "
        "and MPRNs in all 14 regions, tariffs, price caps) and the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2_000, help="how many customers")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same book")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any customer exists"
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=operations.CHUNK_SIZE,
            help="customers per transaction",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the day the book is as at (YYYY-MM-DD; default: today)",
        )

    def handle(self, *args: object, **options: object) -> None:
        customers = int(options["customers"])  # type: ignore[call-overload]
        if customers < 0:
            raise CommandError("--customers must be 0 or more")
        today = options["today"] or clock.today()
        try:
            report = operations.seed_book(
                customers=customers,
                seed=int(options["seed"]),  # type: ignore[call-overload]
                today=today,  # type: ignore[arg-type]
                as_at=clock.now(),
                if_empty=bool(options["if_empty"]),
                chunk_size=int(options["chunk_size"]),  # type: ignore[call-overload]
                progress=self.stdout.write,
            )
        except InvalidInput as error:
            raise CommandError(f"the seed refused a row: {error}") from error
        if not report.skipped:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {report.customers:,} customers ({report.rows:,} rows) in "
                    f"{report.seconds:.1f} s."
                )
            )
