"""``kilowatt metering``: metering's batch work from the command line.

``kilowatt metering detect_silent_smart_meters [--silent-days 3] [--today 2026-11-23]``
announces every supplied smart meter point that has sent no half-hourly data and no smart
read for that many days (``metering.smart_meter.silent.v1``; cases opens a case for each
once the event is delivered: ``kilowatt events dispatch``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.metering import operations
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Metering batch work: find smart meters that stopped sending data."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        silent = actions.add_parser(
            "detect_silent_smart_meters", help="announce smart meters that went quiet"
        )
        silent.add_argument("--silent-days", type=int, default=3)
        silent.add_argument("--today", metavar="DATE", help="default: today (UK)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else clock.today()
        try:
            found = operations.detect_silent_smart_meters(
                today=today, as_at=clock.now(), silent_days=options["silent_days"]
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{len(found)} smart meter points silent for {options['silent_days']} days on {today}"
        )
